from django.urls import path, re_path

from connect_support.console import auth_views, chat_views, mail_views, risk_views, views

urlpatterns = [
    path("", views.home, name="console-home"),
    path("login/", auth_views.login, name="console-login"),
    path("login/verify/", auth_views.verify, name="console-verify"),
    path("enroll/", auth_views.enroll, name="console-enroll"),
    path("security/", auth_views.security, name="console-security"),
    path("security/recovery-codes/", auth_views.recovery_codes, name="console-recovery-codes"),
    path("security/authenticator/", auth_views.replace_authenticator, name="console-replace-authenticator"),
    path("logout/", auth_views.logout, name="console-logout"),
    path("outbox/", views.outbox, name="console-outbox"),
    path("outbox/email/<str:name>/", views.outbox_email, name="console-outbox-email"),
    # Live chat (chat/): the workspace, its settings, and files in chats.
    path("chats/", chat_views.workspace, name="console-chats"),
    path("chats/settings/", chat_views.chat_settings, name="console-chat-settings"),
    path(
        "chats/settings/holidays/<int:holiday_id>/delete/",
        chat_views.holiday_delete,
        name="console-chat-holiday-delete",
    ),
    re_path(
        r"^chats/(?P<conversation_id>chat_[A-Za-z0-9]{1,36})/files$", chat_views.upload, name="console-chat-upload"
    ),
    re_path(
        r"^chats/(?P<conversation_id>chat_[A-Za-z0-9]{1,36})/files/(?P<attachment_id>file_[A-Za-z0-9]{1,36})/$",
        chat_views.download,
        name="console-chat-download",
    ),
    # Inbound mail that needs a look (cases/): quarantined and ignored messages.
    path("mail/", mail_views.mail_attention, name="console-mail-attention"),
    path("mail/<str:inbound_id>/", mail_views.mail_message, name="console-mail-message"),
    path("mail/<str:inbound_id>/release/", mail_views.mail_release, name="console-mail-release"),
    # Risk review (risk/): the queue, one intervention and its decision, opening one.
    path("risk/", risk_views.queue, name="console-risk-queue"),
    path("risk/new/", risk_views.create, name="console-risk-create"),
    path("risk/<str:intervention_id>/", risk_views.intervention, name="console-risk-intervention"),
    path("risk/<str:intervention_id>/files/<str:file_id>/", risk_views.intervention_file, name="console-risk-file"),
]

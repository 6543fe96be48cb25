from django.urls import path

from connect_support.console import auth_views, mail_views, views

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
    # Inbound mail that needs a look (cases/): quarantined and ignored messages.
    path("mail/", mail_views.mail_attention, name="console-mail-attention"),
    path("mail/<str:inbound_id>/", mail_views.mail_message, name="console-mail-message"),
    path("mail/<str:inbound_id>/release/", mail_views.mail_release, name="console-mail-release"),
]

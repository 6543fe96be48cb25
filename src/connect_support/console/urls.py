from django.urls import path, re_path

from connect_support.console import (
    analytics_views,
    audit_views,
    auth_views,
    case_views,
    chat_views,
    inbox_views,
    mail_views,
    platform_views,
    privacy_views,
    risk_views,
    sla_views,
    views,
)

urlpatterns = [
    path("", inbox_views.inbox, name="console-inbox"),
    path("me/", views.home, name="console-home"),
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
    re_path(
        r"^chats/(?P<conversation_id>chat_[A-Za-z0-9]{1,36})/$", chat_views.transcript, name="console-chat-transcript"
    ),
    re_path(
        r"^chats/(?P<conversation_id>chat_[A-Za-z0-9]{1,36})/account$",
        chat_views.account_panel,
        name="console-chat-account",
    ),
    re_path(
        r"^chats/(?P<conversation_id>chat_[A-Za-z0-9]{1,36})/macros$", chat_views.macro_list, name="console-chat-macros"
    ),
    re_path(
        r"^chats/(?P<conversation_id>chat_[A-Za-z0-9]{1,36})/macros/(?P<macro_id>macro_[A-Za-z0-9]{1,36})$",
        chat_views.macro_insert,
        name="console-chat-macro-insert",
    ),
    # One case (cases/): the thread, replies and notes, changes, merge, files; and macros.
    path("cases/<int:number>/", case_views.case_detail, name="console-case"),
    path("cases/<int:number>/reply/", case_views.case_reply_view, name="console-case-reply"),
    path("cases/<int:number>/update/", case_views.case_update_view, name="console-case-update"),
    path("cases/<int:number>/merge/", case_views.case_merge_view, name="console-case-merge"),
    path("cases/<int:number>/version/", case_views.case_version, name="console-case-version"),
    path("cases/<int:number>/macros/<str:macro_id>/", case_views.case_macro, name="console-case-macro"),
    path("cases/<int:number>/files/<str:attachment_id>/", case_views.case_file, name="console-case-file"),
    path("macros/", case_views.macro_list, name="console-macros"),
    path("macros/<str:macro_id>/", case_views.macro_edit, name="console-macro-edit"),
    path("macros/<str:macro_id>/delete/", case_views.macro_delete_view, name="console-macro-delete"),
    # Inbound mail that needs a look (cases/): quarantined and ignored messages.
    path("mail/", mail_views.mail_attention, name="console-mail-attention"),
    path("mail/<str:inbound_id>/", mail_views.mail_message, name="console-mail-message"),
    path("mail/<str:inbound_id>/release/", mail_views.mail_release, name="console-mail-release"),
    # Platforms: Connect settings, webhook delivery log and redelivery, email previews.
    path("platforms/", platform_views.platforms, name="console-platforms"),
    path("platforms/<str:platform_id>/", platform_views.platform, name="console-platform"),
    path("platforms/<str:platform_id>/emails/", platform_views.emails, name="console-platform-emails"),
    path(
        "platforms/<str:platform_id>/emails/preview.html", platform_views.email_html, name="console-platform-email-html"
    ),
    path(
        "platforms/<str:platform_id>/deliveries/<str:delivery_id>/",
        platform_views.delivery,
        name="console-platform-delivery",
    ),
    path(
        "platforms/<str:platform_id>/deliveries/<str:delivery_id>/redeliver/",
        platform_views.redeliver,
        name="console-platform-redeliver",
    ),
    # Risk review (risk/): the queue, one intervention and its decision, opening one.
    path("risk/", risk_views.queue, name="console-risk-queue"),
    path("risk/new/", risk_views.create, name="console-risk-create"),
    path("risk/<str:intervention_id>/", risk_views.intervention, name="console-risk-intervention"),
    path("risk/<str:intervention_id>/files/<str:file_id>/", risk_views.intervention_file, name="console-risk-file"),
    # Analytics (analytics/): charts and each chart's data as CSV.
    path("analytics/", analytics_views.analytics, name="console-analytics"),
    path("analytics/<slug:slug>.csv", analytics_views.analytics_csv, name="console-analytics-csv"),
    # The audit log and data rights (privacy/).
    path("audit/", audit_views.audit_log, name="console-audit"),
    path("audit/export.csv", audit_views.audit_export, name="console-audit-export"),
    path("privacy/", privacy_views.privacy_lookup, name="console-privacy"),
    path("privacy/export/", privacy_views.privacy_download, name="console-privacy-export"),
    path("privacy/erase/", privacy_views.privacy_erase_view, name="console-privacy-erase"),
    # Service levels (sla/): policies (admins) and each agent's breach alerts.
    path("sla/", sla_views.policies, name="console-sla"),
    path("sla/alerts/", sla_views.alerts, name="console-sla-alerts"),
    path("sla/<int:policy_id>/", sla_views.policy_edit, name="console-sla-policy"),
    path("sla/<int:policy_id>/remove/", sla_views.policy_remove, name="console-sla-policy-remove"),
]

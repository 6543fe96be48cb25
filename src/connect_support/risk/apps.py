from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "connect_support.risk"
    label = "risk"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from anymail.signals import tracking

        from connect_support.risk.tracking import on_tracking

        tracking.connect(on_tracking, dispatch_uid="risk.account_email_tracking")

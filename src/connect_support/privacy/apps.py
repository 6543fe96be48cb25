from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "connect_support.privacy"
    label = "privacy"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from connect_support.privacy import receivers  # noqa: F401 (connects the chat receivers)

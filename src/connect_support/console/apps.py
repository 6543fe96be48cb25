from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "connect_support.console"
    label = "console"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The inbox's search index and live events follow case and chat writes.
        from connect_support.console import inbox_live  # noqa: F401 (connects the receivers)

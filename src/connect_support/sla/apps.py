from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "connect_support.sla"
    label = "sla"
    verbose_name = "Service levels"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from connect_support.sla import signals, tasks  # noqa: F401 (connects receivers, registers jobs)

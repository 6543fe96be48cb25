from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "connect_support.cases"
    label = "cases"
    verbose_name = "Email cases"

    def ready(self) -> None:
        # ESP inbound webhooks (django-anymail) deliver through a signal.
        from connect_support.cases.inbound.esp import connect as connect_esp_inbound

        connect_esp_inbound()

from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "connect_support.risk"
    label = "risk"
    default_auto_field = "django.db.models.BigAutoField"

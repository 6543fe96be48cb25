from django.apps import AppConfig


class CsatConfig(AppConfig):
    name = "connect_support.csat"
    label = "csat"
    verbose_name = "Customer satisfaction"
    default_auto_field = "django.db.models.BigAutoField"

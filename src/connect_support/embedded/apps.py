from django.apps import AppConfig


class EmbeddedConfig(AppConfig):
    name = "connect_support.embedded"
    label = "embedded"
    default_auto_field = "django.db.models.BigAutoField"

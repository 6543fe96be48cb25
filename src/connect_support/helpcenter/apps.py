from django.apps import AppConfig


class HelpcenterConfig(AppConfig):
    name = "connect_support.helpcenter"
    label = "helpcenter"
    verbose_name = "Support site"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "connect_support.chat"
    label = "chat"
    verbose_name = "Live chat"
    default_auto_field = "django.db.models.BigAutoField"

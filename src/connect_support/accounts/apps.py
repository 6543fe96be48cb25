from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "connect_support.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

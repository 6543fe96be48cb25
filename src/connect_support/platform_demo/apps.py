from django.apps import AppConfig


class PlatformDemoConfig(AppConfig):
    name = "connect_support.platform_demo"
    label = "platform_demo"

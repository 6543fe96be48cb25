"""Django's admin, reachable only through the console's sign-in (password + TOTP)."""

from django.contrib.admin import apps


class ConsoleAdminConfig(apps.AdminConfig):
    default = False
    default_site = "connect_support.console.admin_site.ConsoleAdminSite"

"""Create a platform with a secret and a publishable key, printed once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from connect_support.accounts.models import ApiKey, Platform
from connect_support.accounts.services import api_key_create, platform_create


class Command(BaseCommand):
    help = "Create a platform and its first API keys (the secret key is shown only now)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--support-url", default="")
        parser.add_argument("--support-email", default="")
        parser.add_argument("--origin", action="append", default=[], help="an origin allowed to embed components")
        parser.add_argument("--live", action="store_true", help="create live-mode keys instead of test-mode keys")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if Platform.objects.filter(name=options["name"]).exists():
            raise CommandError(f"A platform named {options['name']!r} exists already.")
        platform = platform_create(
            name=options["name"],
            support_url=options["support_url"],
            support_email=options["support_email"],
            allowed_origins=options["origin"],
        )
        _, secret = api_key_create(platform=platform, kind=ApiKey.Kind.SECRET, livemode=options["live"])
        _, publishable = api_key_create(platform=platform, kind=ApiKey.Kind.PUBLISHABLE, livemode=options["live"])
        self.stdout.write(f"Platform {platform.name} ({platform.id})")
        self.stdout.write(f"  secret key       {secret}   (shown once: store it now)")
        self.stdout.write(f"  publishable key  {publishable}")

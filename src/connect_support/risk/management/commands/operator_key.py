"""``connect-support manage operator_key create NAME | list | revoke KEY_ID``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from connect_support.risk.models import OperatorKey
from connect_support.risk.operator_keys import operator_key_create, operator_key_revoke


class Command(BaseCommand):
    help = "Create, list or revoke keys for the operator's risk API (/operator/v1/)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "list", "revoke"])
        parser.add_argument("value", nargs="?", default="", help="the key's name (create) or id (revoke)")

    def handle(self, *args: Any, **options: Any) -> None:
        action, value = options["action"], options["value"]
        if action == "create":
            try:
                key, raw = operator_key_create(name=value)
            except ValueError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"{key.pk} {key.name}\n{raw}\nKeep it secret: it is shown only this once.")
        elif action == "revoke":
            if not operator_key_revoke(key_id=value):
                raise CommandError(f"No active key {value!r}.")
            self.stdout.write(f"Revoked {value}.")
        else:
            for key in OperatorKey.objects.order_by("created_at"):
                state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
                used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never"
                self.stdout.write(f"{key.pk}  …{key.last4}  {key.name}  {state}  last used {used}")

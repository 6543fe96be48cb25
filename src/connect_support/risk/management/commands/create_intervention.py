"""Open a risk intervention on an account from the operator's shell (operators only:
whoever can run management commands already holds the database)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from connect_support.accounts.errors import InvalidParameterError
from connect_support.accounts.models import ConnectedAccount
from connect_support.risk.models import Intervention
from connect_support.risk.services import intervention_create


class Command(BaseCommand):
    help = "Open a risk intervention on a connected account and email the account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("account", help="the acct_… id")
        parser.add_argument("--kind", required=True, choices=Intervention.Kind.values)
        parser.add_argument("--cause", required=True, choices=Intervention.Cause.values)
        parser.add_argument("--affects", choices=Intervention.Affects.values)
        parser.add_argument("--message", default="", help="what the account should know")
        parser.add_argument("--immediate", action="store_true", help="take effect now, not at the deadline")
        parser.add_argument("--deadline-days", type=int, default=7, help="days to answer (default 7)")
        parser.add_argument("--form", help="the questions as JSON (default: the cause's standard form)")
        parser.add_argument("--reserve-percent")
        parser.add_argument("--reserve-amount", type=int, help="in minor units")
        parser.add_argument("--reserve-currency", default="")
        parser.add_argument("--release-days", type=int, default=90, help="days until a reserve is released")
        parser.add_argument("--json", action="store_true", help="print the intervention as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        account = ConnectedAccount.objects.filter(pk=options["account"], deleted_at=None).first()
        if account is None:
            raise CommandError(f"No account {options['account']!r}.")
        try:
            form = json.loads(options["form"]) if options["form"] else None
        except json.JSONDecodeError as error:
            raise CommandError(f"--form is not valid JSON: {error}") from None
        now = timezone.now()
        reserve = options["kind"] == Intervention.Kind.RESERVE
        try:
            intervention = intervention_create(
                account=account,
                kind=options["kind"],
                cause=options["cause"],
                affects=options["affects"],
                message=options["message"],
                immediate=options["immediate"],
                deadline=now + timedelta(days=options["deadline_days"]) if options["deadline_days"] > 0 else None,
                form=form,
                reserve_amount=options["reserve_amount"],
                reserve_currency=options["reserve_currency"],
                reserve_percent=options["reserve_percent"],
                reserve_release_at=now + timedelta(days=options["release_days"]) if reserve else None,
            )
        except InvalidParameterError as refused:
            raise CommandError(f"{refused.param}: {refused.message}") from None
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "id": intervention.pk,
                        "account": account.pk,
                        "kind": intervention.kind,
                        "status": intervention.status,
                        "effective": intervention.effective,
                        "deadline": int(intervention.deadline.timestamp()) if intervention.deadline else None,
                    }
                )
            )
        else:
            self.stdout.write(f"Opened {intervention.pk} ({intervention.get_kind_display()}) on {account.pk}.")

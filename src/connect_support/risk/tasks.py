"""Background jobs of risk: sending co-branded emails, the periodic drain of their outbox,
and applying interventions whose deadline passed. Each is safe on several machines at once
(rows are claimed with a lease or re-checked under a row lock)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from connect_support.risk.emails import account_email_drain, account_email_send
from connect_support.risk.services import interventions_enforce_deadlines


def _send(email_id: str) -> str:
    return account_email_send(email_id=email_id)


def _sweep() -> None:
    account_email_drain(limit=1000)
    interventions_enforce_deadlines()


# huey's decorators are untyped; applying them as calls keeps the functions above typed.
account_email_send_task = db_task()(_send)
risk_sweep_task = db_periodic_task(crontab(minute="*"))(_sweep)

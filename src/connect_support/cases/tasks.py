"""Background jobs of cases: sending outbound mail, the periodic drain of the outbox,
reprocessing inbound mail a receiver left half done, and pruning old raw mail.

Every periodic job is safe to run on several machines at once: rows are claimed with a
lease (outbound) or re-checked inside their transaction (inbound)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from connect_support.cases.delivery import outbound_drain, outbound_send
from connect_support.cases.inbound.receive import inbound_mail_process_stale
from connect_support.cases.models import InboundEmail


def _send(outbound_id: str) -> str:
    return outbound_send(outbound_id=outbound_id)


def _sweep() -> None:
    outbound_drain(limit=1000)
    inbound_mail_process_stale()


def _prune_raw_mail() -> int:
    """Raw bytes of mail that was handled are dropped after the retention period; the row
    (sender, subject, outcome) stays. Quarantined mail keeps its bytes until released."""
    days = int(getattr(settings, "CASES_RAW_MAIL_RETENTION_DAYS", 90))
    cutoff = timezone.now() - timedelta(days=days)
    return (
        InboundEmail.objects.filter(received_at__lt=cutoff)
        .exclude(status__in=[InboundEmail.Status.QUARANTINED, InboundEmail.Status.RECEIVED])
        .filter(raw_pruned=False)
        .update(raw=b"", raw_pruned=True)
    )


# huey's decorators are untyped; applying them as calls keeps the functions above typed.
# Retries are not huey's: the outbox row keeps its own attempts and exponential backoff.
outbound_send_task = db_task()(_send)
cases_sweep_task = db_periodic_task(crontab(minute="*"))(_sweep)
cases_prune_task = db_periodic_task(crontab(minute="41", hour="3"))(_prune_raw_mail)

"""The breach job: find timers past due, mark each breach once, and escalate it.

Any number of machines may run ``sla_escalate_due`` at the same moment. Each breach is
claimed by a conditional ``UPDATE … WHERE <timer>_breached_at IS NULL AND <still due>``
inside a transaction that first locks the case row (the same order as the case services,
which lock the case and then its timers, so the two never deadlock). On PostgreSQL a case
already locked is skipped (``SKIP LOCKED``), so concurrent runs share the work instead of
queueing on each other; on SQLite the database's single writer serializes the runs. Exactly one
transaction sees its ``UPDATE`` change the row; it records the breach in the case's
history (actor "system"), raises the priority one step (never above urgent), and writes an
alert for the assignee, or for every support agent when nobody is assigned. All of that
commits together or not at all; the alert mails are sent after commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from connect_support.cases.history import CaseActor, case_change_fields
from connect_support.cases.models import Case, CaseChange, CaseMessage
from connect_support.identity.access import PERMISSIONS
from connect_support.sla.models import CaseSla, SlaAlert, Timer

logger = logging.getLogger(__name__)
PRIORITY_LADDER = [Case.Priority.LOW, Case.Priority.NORMAL, Case.Priority.HIGH, Case.Priority.URGENT]
SYSTEM_LABEL = "system"


def _still_due(timer: str, now: datetime) -> Q:
    """A timer that is running, past due and not yet marked breached."""
    running = Q(resolved_at__isnull=True)
    if timer == Timer.FIRST_RESPONSE:
        return running & Q(
            first_response_due_at__lte=now, first_response_met_at__isnull=True, first_response_breached_at__isnull=True
        )
    if timer == Timer.NEXT_RESPONSE:
        return running & Q(next_response_due_at__lte=now, next_response_breached_at__isnull=True)
    return running & Q(resolution_due_at__lte=now, resolution_breached_at__isnull=True, paused_at__isnull=True)


def _due_field(timer: str) -> str:
    return f"{timer}_due_at"


@dataclass(frozen=True)
class Breach:
    case_id: str
    timer: str


def breaches_due(*, now: datetime, limit: int = 500) -> list[Breach]:
    """Timers past due and not yet handled, oldest due first."""
    found: list[tuple[datetime, Breach]] = []
    for timer in Timer.values:
        rows = (
            CaseSla.objects.filter(_still_due(timer, now))
            .order_by(_due_field(timer))
            .values_list("case_id", _due_field(timer))[:limit]
        )
        found += [(due, Breach(case_id, timer)) for case_id, due in rows]
    return [breach for _due, breach in sorted(found, key=lambda item: item[0])[:limit]]


def priority_raised(priority: str) -> str:
    if priority not in PRIORITY_LADDER:
        return str(Case.Priority.HIGH)
    return str(PRIORITY_LADDER[min(PRIORITY_LADDER.index(Case.Priority(priority)) + 1, len(PRIORITY_LADDER) - 1)])


def alert_recipients(case: Case) -> list[User]:
    """The assignee; with nobody assigned (or an assignee who left), every active agent
    who works cases."""
    if case.assignee is not None and case.assignee.is_active:
        return [case.assignee]
    roles = PERMISSIONS["cases.work"]
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(groups__name__in=roles) | Q(is_superuser=True))
        .distinct()
        .order_by("pk")
    )


def breach_escalate(*, breach: Breach, now: datetime) -> bool:
    """Handle one breach if nobody has; returns whether this call handled it."""
    created: list[SlaAlert] = []
    with transaction.atomic():
        # A case locked by someone else (a concurrent run, or an agent replying) is left to
        # them: the other run handles the breach, or the next run finds it still due.
        case = (
            Case.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("assignee")
            .filter(pk=breach.case_id)
            .first()
        )
        if case is None:
            return False
        due_at = CaseSla.objects.filter(pk=case.pk).values_list(_due_field(breach.timer), flat=True).first()
        claimed = CaseSla.objects.filter(_still_due(breach.timer, now), pk=case.pk).update(
            **{f"{breach.timer}_breached_at": now},
            escalations=F("escalations") + 1,
            last_escalated_at=now,
            updated_at=now,
        )
        if claimed != 1 or due_at is None:
            return False
        actor = CaseActor.system(SYSTEM_LABEL)
        CaseChange.objects.create(
            case=case,
            at=now,
            actor_kind=CaseMessage.Author.SYSTEM,
            actor_label=SYSTEM_LABEL,
            field=f"sla_{breach.timer}",
            old=f"due {due_at.astimezone(UTC):%d %b %Y, %H:%M} UTC",
            new="breached",
        )
        was = case.priority
        raised = priority_raised(was)
        if case_change_fields(case=case, actor=actor, changes={"priority": raised}, at=now):
            # An UPDATE, not save(): the timers keep the targets the case started with.
            Case.objects.filter(pk=case.pk).update(priority=raised, updated_at=now)
        created = SlaAlert.objects.bulk_create(
            [
                SlaAlert(
                    case=case,
                    recipient=person,
                    timer=breach.timer,
                    due_at=due_at,
                    breached_at=now,
                    priority_from=was,
                    priority_to=raised,
                    created_at=now,
                )
                for person in alert_recipients(case)
            ]
        )
        ids = [alert.pk for alert in created]
        transaction.on_commit(lambda: _mail_later(ids))
    logger.info(
        "sla breach escalated",
        extra={"case": breach.case_id, "timer": breach.timer, "priority": raised, "alerts": len(created)},
    )
    return True


def _mail_later(alert_ids: list[int]) -> None:
    """Queue the alert mails. If the queue is unreachable the periodic job still finds the
    unsent alerts in the database, so this only logs."""
    from connect_support.sla.tasks import sla_alert_mail_task

    for alert_id in alert_ids:
        try:
            sla_alert_mail_task(alert_id)
        except Exception:  # the alert row is the source of truth; the periodic job sends it
            logger.warning("could not queue an SLA alert mail", extra={"alert": alert_id}, exc_info=True)


@dataclass(frozen=True)
class EscalationReport:
    found: int
    escalated: int


def sla_escalate_due(*, now: datetime | None = None, limit: int = 500) -> EscalationReport:
    """One run of the breach job: every breach found is handled here or by a concurrent run."""
    now = now or timezone.now()
    breaches = breaches_due(now=now, limit=limit)
    escalated = sum(1 for breach in breaches if breach_escalate(breach=breach, now=now))
    return EscalationReport(found=len(breaches), escalated=escalated)

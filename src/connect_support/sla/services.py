"""Writes of the SLA app: starting, pausing, resuming and stopping a case's timers as the
case moves, and editing the policies.

The timer functions run inside the transaction of the case service that caused them (the
signal receivers in ``signals.py`` call them), so a case change and its timers commit
together. They write with ``UPDATE`` statements and never call ``Case.save()``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from connect_support.cases.models import Case
from connect_support.sla.calendar import BusinessCalendar, business_add, business_between
from connect_support.sla.models import CaseSla, SlaPolicy
from connect_support.sla.selectors import operator_calendar, policy_for

# Statuses in which the resolution clock waits for the requester, and in which it is over.
PAUSED_STATUSES = {Case.Status.PENDING}
DONE_STATUSES = {Case.Status.SOLVED, Case.Status.CLOSED}
MAX_TARGET_MINUTES = 365 * 24 * 60


def _minutes(value: int) -> timedelta:
    return timedelta(minutes=value)


def _sync_case(sla: CaseSla) -> None:
    """Keep the case's own due dates (read by case lists) equal to the running timers."""
    Case.objects.filter(pk=sla.case_id).update(
        first_response_due_at=sla.first_response_due_at,
        resolution_due_at=None if sla.paused_at is not None else sla.resolution_due_at,
    )


def sla_start(*, case: Case, calendar: BusinessCalendar | None = None) -> CaseSla | None:
    """Start the clocks of a new case from its creation time. A priority without any policy
    gets no timers."""
    policy = policy_for(priority=case.priority, channel=case.channel)
    if policy is None:
        return None
    calendar = calendar or operator_calendar()
    start = case.created_at
    sla = CaseSla.objects.create(
        case=case,
        policy=policy,
        first_response_minutes=policy.first_response_minutes,
        next_response_minutes=policy.next_response_minutes,
        resolution_minutes=policy.resolution_minutes,
        first_response_due_at=business_add(calendar, start, _minutes(policy.first_response_minutes)),
        resolution_due_at=business_add(calendar, start, _minutes(policy.resolution_minutes)),
        first_response_met_at=case.first_responded_at,
        updated_at=timezone.now(),
    )
    if case.status in PAUSED_STATUSES | DONE_STATUSES:
        sla_status_changed(case_id=case.pk, status=case.status, at=start, calendar=calendar)
        sla.refresh_from_db()
    else:
        _sync_case(sla)
    return sla


def _locked(case_id: str) -> CaseSla | None:
    return CaseSla.objects.select_for_update(of=("self",)).select_related("case").filter(case_id=case_id).first()


def sla_agent_replied(*, case_id: str, at: datetime) -> None:
    """An agent's reply (not an internal note) meets the first response and the pending
    next response."""
    with transaction.atomic():
        sla = _locked(case_id)
        if sla is None:
            return
        if sla.first_response_met_at is None:
            sla.first_response_met_at = at
        sla.next_response_started_at = None
        sla.next_response_due_at = None
        sla.next_response_breached_at = None
        sla.updated_at = timezone.now()
        sla.save(
            update_fields=[
                "first_response_met_at",
                "next_response_started_at",
                "next_response_due_at",
                "next_response_breached_at",
                "updated_at",
            ]
        )


def sla_requester_wrote(*, case_id: str, at: datetime, calendar: BusinessCalendar | None = None) -> None:
    """The requester wrote: after a first reply, the next-response clock starts (unless one
    already runs: the oldest unanswered message counts); a paused or finished resolution
    clock runs again, since the case goes back to the agents."""
    with transaction.atomic():
        sla = _locked(case_id)
        if sla is None:
            return
        calendar = calendar or operator_calendar()
        fields = ["updated_at"]
        if sla.first_response_met_at is not None and sla.next_response_due_at is None:
            sla.next_response_started_at = at
            sla.next_response_due_at = business_add(calendar, at, _minutes(sla.next_response_minutes))
            sla.next_response_breached_at = None
            fields += ["next_response_started_at", "next_response_due_at", "next_response_breached_at"]
        fields += _resume(sla, at=at, calendar=calendar)
        sla.updated_at = timezone.now()
        sla.save(update_fields=fields)
        _sync_case(sla)


def _resolution_due(sla: CaseSla, *, started: datetime, calendar: BusinessCalendar) -> datetime:
    target = _minutes(sla.resolution_minutes) + timedelta(seconds=sla.paused_total_seconds)
    return business_add(calendar, started, target)


def _pause(sla: CaseSla, *, at: datetime, calendar: BusinessCalendar) -> list[str]:
    if sla.paused_at is not None:
        return []
    sla.paused_at = at
    sla.paused_remaining_seconds = int(business_between(calendar, at, sla.resolution_due_at).total_seconds())
    return ["paused_at", "paused_remaining_seconds"]


def _resume(sla: CaseSla, *, at: datetime, calendar: BusinessCalendar) -> list[str]:
    """Run the clocks again; the business time spent paused (waiting, or solved until
    reopened) is added to the resolution target."""
    fields: list[str] = []
    if sla.resolved_at is not None:
        sla.resolved_at = None
        fields.append("resolved_at")
    if sla.paused_at is not None:
        sla.paused_total_seconds += max(0, int(business_between(calendar, sla.paused_at, at).total_seconds()))
        if sla.resolution_breached_at is None:
            sla.resolution_due_at = _resolution_due(sla, started=sla.case.created_at, calendar=calendar)
        sla.paused_at = None
        sla.paused_remaining_seconds = None
        fields += ["resolution_due_at", "paused_at", "paused_remaining_seconds", "paused_total_seconds"]
    return fields


def sla_status_changed(*, case_id: str, status: str, at: datetime, calendar: BusinessCalendar | None = None) -> None:
    """Waiting for the requester pauses the resolution clock (keeping the business time
    left); solved or closed stops every clock (a reopened case does not count the time it
    spent solved); any other status lets them run."""
    with transaction.atomic():
        sla = _locked(case_id)
        if sla is None:
            return
        calendar = calendar or operator_calendar()
        fields: list[str] = []
        if status in DONE_STATUSES:
            if sla.resolved_at is None:
                sla.resolved_at = at
                fields.append("resolved_at")
            fields += _pause(sla, at=at, calendar=calendar)
        elif status in PAUSED_STATUSES:
            fields += _pause(sla, at=at, calendar=calendar)
            if sla.resolved_at is not None:
                sla.resolved_at = None
                fields.append("resolved_at")
        else:
            fields += _resume(sla, at=at, calendar=calendar)
        if fields:
            sla.updated_at = timezone.now()
            sla.save(update_fields=[*set(fields), "updated_at"])
            _sync_case(sla)


def sla_priority_changed(*, case: Case, calendar: BusinessCalendar | None = None) -> None:
    """An agent changed the priority: the targets of the new priority apply, counted from
    when each clock started. Breaches already recorded stay recorded."""
    policy = policy_for(priority=case.priority, channel=case.channel)
    with transaction.atomic():
        sla = _locked(case.pk)
        if sla is None:
            if policy is not None:
                sla_start(case=case, calendar=calendar)
            return
        if policy is None:
            return
        calendar = calendar or operator_calendar()
        started = case.created_at
        sla.policy = policy
        sla.first_response_minutes = policy.first_response_minutes
        sla.next_response_minutes = policy.next_response_minutes
        sla.resolution_minutes = policy.resolution_minutes
        if sla.first_response_met_at is None:
            sla.first_response_due_at = business_add(calendar, started, _minutes(policy.first_response_minutes))
        if sla.next_response_started_at is not None and sla.next_response_breached_at is None:
            sla.next_response_due_at = business_add(
                calendar, sla.next_response_started_at, _minutes(policy.next_response_minutes)
            )
        if sla.resolution_breached_at is None:
            sla.resolution_due_at = _resolution_due(sla, started=started, calendar=calendar)
            if sla.paused_at is not None:
                left = business_between(calendar, sla.paused_at, sla.resolution_due_at)
                sla.paused_remaining_seconds = int(left.total_seconds())
        sla.updated_at = timezone.now()
        sla.save()
        _sync_case(sla)


# The targets a fresh install starts with (also seeded by migration 0002), in business
# minutes: (first response, next response, resolution); chat cases answer sooner.
DEFAULT_TARGETS: dict[str, tuple[int, int, int]] = {
    Case.Priority.URGENT: (60, 4 * 60, 8 * 60),
    Case.Priority.HIGH: (4 * 60, 8 * 60, 24 * 60),
    Case.Priority.NORMAL: (8 * 60, 16 * 60, 72 * 60),
    Case.Priority.LOW: (24 * 60, 48 * 60, 5 * 24 * 60),
}
DEFAULT_CHAT_FIRST_RESPONSE: dict[str, int] = {
    Case.Priority.URGENT: 30,
    Case.Priority.HIGH: 60,
    Case.Priority.NORMAL: 2 * 60,
    Case.Priority.LOW: 8 * 60,
}


def sla_policies_seed_defaults() -> int:
    """Create the default policies that are missing (none when an admin kept them all);
    returns how many were created. Existing targets are never changed."""
    created = 0
    for priority, (first, following, resolution) in DEFAULT_TARGETS.items():
        for channel, first_response in (
            (SlaPolicy.ANY_CHANNEL, first),
            (Case.Channel.CHAT, DEFAULT_CHAT_FIRST_RESPONSE[priority]),
        ):
            _policy, made = SlaPolicy.objects.get_or_create(
                priority=priority,
                channel=channel,
                defaults={
                    "first_response_minutes": first_response,
                    "next_response_minutes": following,
                    "resolution_minutes": resolution,
                },
            )
            created += made
    return created


class PolicyError(Exception):
    """A policy edit that cannot be applied; the message says why, for the form."""


@dataclass(frozen=True)
class PolicyTargets:
    first_response_minutes: int
    next_response_minutes: int
    resolution_minutes: int

    def check(self) -> None:
        for name, value in (
            ("First response", self.first_response_minutes),
            ("Next response", self.next_response_minutes),
            ("Resolution", self.resolution_minutes),
        ):
            if not 1 <= value <= MAX_TARGET_MINUTES:
                raise PolicyError(f"{name} must be between 1 minute and 365 days of business time.")
        if self.first_response_minutes > self.resolution_minutes:
            raise PolicyError("The first response must be due no later than the resolution.")


def sla_policy_update(*, policy_id: int, version: int, targets: PolicyTargets, actor: User) -> SlaPolicy:
    """Save new targets. A form opened before someone else saved (an older ``version``) is
    refused, unless it asks for exactly what is saved now (a double submit)."""
    targets.check()
    with transaction.atomic():
        policy = SlaPolicy.objects.select_for_update().filter(pk=policy_id).first()
        if policy is None:
            raise PolicyError("This policy no longer exists.")
        same = (
            policy.first_response_minutes == targets.first_response_minutes
            and policy.next_response_minutes == targets.next_response_minutes
            and policy.resolution_minutes == targets.resolution_minutes
        )
        if same:
            return policy
        if policy.version != version:
            raise PolicyError(
                "Someone else changed this policy after you opened it. Your changes were not saved; "
                "the form now shows the current targets."
            )
        policy.first_response_minutes = targets.first_response_minutes
        policy.next_response_minutes = targets.next_response_minutes
        policy.resolution_minutes = targets.resolution_minutes
        policy.version += 1
        policy.updated_at = timezone.now()
        policy.updated_by = actor
        policy.save()
    return policy


def sla_policy_add(*, priority: str, channel: str, targets: PolicyTargets, actor: User) -> SlaPolicy:
    """A channel's own targets for a priority (the any-channel policy stays the fallback)."""
    targets.check()
    if priority not in Case.Priority.values:
        raise PolicyError("Choose a priority.")
    if channel not in Case.Channel.values:
        raise PolicyError("Choose a channel.")
    try:
        with transaction.atomic():
            return SlaPolicy.objects.create(
                priority=priority,
                channel=channel,
                first_response_minutes=targets.first_response_minutes,
                next_response_minutes=targets.next_response_minutes,
                resolution_minutes=targets.resolution_minutes,
                updated_at=timezone.now(),
                updated_by=actor,
            )
    except IntegrityError:
        existing = SlaPolicy.objects.get(priority=priority, channel=channel)
        raise PolicyError(f"There is already a policy for {existing}; edit it instead.") from None


def sla_policy_remove(*, policy_id: int) -> bool:
    """Remove a channel's own targets; the any-channel policies cannot be removed."""
    deleted, _ = SlaPolicy.objects.filter(pk=policy_id).exclude(channel=SlaPolicy.ANY_CHANNEL).delete()
    return deleted > 0

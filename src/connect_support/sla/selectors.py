"""Reads of the SLA app: the operator's calendar, the policy that applies to a case, and
the timers of a case as the console shows them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone

from connect_support.cases.models import Case
from connect_support.chat.availability import chat_settings_get, day_intervals, zone_of
from connect_support.chat.models import ChatHoliday
from connect_support.sla.calendar import BusinessCalendar, business_between
from connect_support.sla.models import CaseSla, SlaAlert, SlaPolicy, Timer


def operator_calendar() -> BusinessCalendar:
    """The operator's business hours: the time zone, weekly hours and holidays edited on the
    chat settings page (one calendar for the whole support desk)."""
    row = chat_settings_get()
    return BusinessCalendar.build(
        zone=zone_of(row),
        weekly={day: day_intervals(row, day) for day in range(7)},
        holidays=ChatHoliday.objects.values_list("date", flat=True),
    )


def policy_for(*, priority: str, channel: str) -> SlaPolicy | None:
    """The policy for this channel, else the priority's any-channel policy."""
    candidates = {
        policy.channel: policy
        for policy in SlaPolicy.objects.filter(priority=priority, channel__in=[channel, SlaPolicy.ANY_CHANNEL])
    }
    return candidates.get(channel) or candidates.get(SlaPolicy.ANY_CHANNEL)


def policies_ordered() -> list[SlaPolicy]:
    rank = {value: index for index, value in enumerate(reversed(Case.Priority.values))}
    channel_rank = {value: index for index, value in enumerate(["", *Case.Channel.values])}
    return sorted(SlaPolicy.objects.all(), key=lambda p: (rank.get(p.priority, 9), channel_rank.get(p.channel, 9)))


@dataclass(frozen=True)
class TimerState:
    """One clock as a person reads it. ``remaining`` is business time (negative once late);
    ``state`` is one of running, paused, met, breached."""

    timer: str
    label: str
    due_at: datetime | None
    remaining: timedelta | None
    state: str
    breached: bool

    @property
    def remaining_text(self) -> str:
        return duration_text(self.remaining) if self.remaining is not None else ""

    @property
    def overdue_text(self) -> str:
        """How late a running timer is (empty when it is not late)."""
        if self.remaining is None or self.remaining >= timedelta(0):
            return ""
        return duration_text(-self.remaining)

    @property
    def soon(self) -> bool:
        return self.state == "running" and self.remaining is not None and self.remaining <= timedelta(hours=1)


def target_text(minutes: int) -> str:
    """A policy target: ``30 min``, ``1 h``, ``1 h 30 min``, ``120 h`` (business hours)."""
    hours, mins = divmod(minutes, 60)
    if not hours:
        return f"{mins} min"
    return f"{hours} h {mins} min" if mins else f"{hours} h"


def duration_text(value: timedelta) -> str:
    """``2h 05m``, ``3d 4h`` (days of 24 business hours), with a minus sign when late."""
    seconds = int(value.total_seconds())
    sign = "−" if seconds < 0 else ""
    minutes = abs(seconds) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours}h"
    if hours:
        return f"{sign}{hours}h {mins:02d}m"
    return f"{sign}{mins}m"


def _state(
    *,
    timer: str,
    due: datetime | None,
    breached_at: datetime | None,
    done: bool,
    paused_left: timedelta | None,
    now: datetime,
    calendar: BusinessCalendar,
) -> TimerState | None:
    label = Timer(timer).label
    breached = breached_at is not None or (due is not None and due <= now and not done and paused_left is None)
    if done:
        return TimerState(timer, label, due, None, "met" if not breached_at else "breached", bool(breached_at))
    if paused_left is not None:
        return TimerState(timer, label, None, paused_left, "paused", breached_at is not None)
    if due is None:
        return None
    remaining = business_between(calendar, now, due)
    return TimerState(timer, label, due, remaining, "breached" if breached else "running", breached)


def case_sla(case: Case, *, now: datetime | None = None, calendar: BusinessCalendar | None = None) -> list[TimerState]:
    """The case's timers in the order they matter: first response (until met), next
    response (while the requester waits for a reply), resolution."""
    return cases_sla([case], now=now, calendar=calendar).get(case.pk, [])


def cases_sla(
    cases: Iterable[Case], *, now: datetime | None = None, calendar: BusinessCalendar | None = None
) -> dict[str, list[TimerState]]:
    """Timers of many cases in one query (for a list of cases)."""
    cases = list(cases)
    if not cases:
        return {}
    now = now or timezone.now()
    calendar = calendar or operator_calendar()
    rows = {row.case_id: row for row in CaseSla.objects.filter(case__in=[case.pk for case in cases])}
    result: dict[str, list[TimerState]] = {}
    for case in cases:
        row = rows.get(case.pk)
        if row is None:
            continue
        solved = row.resolved_at is not None
        timers = [
            _state(
                timer=Timer.FIRST_RESPONSE,
                due=row.first_response_due_at,
                breached_at=row.first_response_breached_at,
                done=row.first_response_met_at is not None or solved,
                paused_left=None,
                now=now,
                calendar=calendar,
            ),
            _state(
                timer=Timer.NEXT_RESPONSE,
                due=row.next_response_due_at,
                breached_at=row.next_response_breached_at,
                done=row.next_response_due_at is None or solved,
                paused_left=None,
                now=now,
                calendar=calendar,
            )
            if row.next_response_due_at is not None
            else None,
            _state(
                timer=Timer.RESOLUTION,
                due=row.resolution_due_at,
                breached_at=row.resolution_breached_at,
                done=solved,
                paused_left=timedelta(seconds=row.paused_remaining_seconds)
                if row.paused_at is not None and row.paused_remaining_seconds is not None
                else None,
                now=now,
                calendar=calendar,
            ),
        ]
        result[case.pk] = [timer for timer in timers if timer is not None]
    return result


def alerts_for(*, user: User, unread_only: bool = False, limit: int = 50) -> QuerySet[SlaAlert]:
    alerts = SlaAlert.objects.filter(recipient=user).select_related("case")
    if unread_only:
        alerts = alerts.filter(read_at__isnull=True)
    return alerts[:limit]


def alerts_unread_count(*, user: User) -> int:
    return SlaAlert.objects.filter(recipient=user, read_at__isnull=True).count()

"""The audit trail as one list, newest first: identity's ``AuditEvent`` rows (sign-ins,
role changes, exports, erasures, chat events) merged with cases' ``CaseChange`` rows.

Both sources are read with the same filters, each along an index (events by time, case
changes by id) and cut at the page size, then merged; pages are keyset pages (a cursor of
the last row shown from each source), so page 1,000 costs what page 1 costs and rows
written meanwhile neither repeat nor vanish.
"""

from __future__ import annotations

import contextlib
import heapq
import ipaddress
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from connect_support.cases.models import Case, CaseChange
from connect_support.identity.audit import LABELS, AuditKind, audit_label, audit_sentence
from connect_support.identity.models import AuditEvent

# Rank of each source in the order: ties on ``at`` are broken by source, then id.
EVENTS = 1
CHANGES = 0
MAX_FILTER_CHARS = 200
# A filter naming more cases or agents than this is narrowed to the most recent ones.
MAX_MATCHED = 1000


@dataclass(frozen=True)
class TrailFilters:
    kind: str = ""
    actor: str = ""
    subject: str = ""
    since: date | None = None
    until: date | None = None  # inclusive
    text: str = ""

    def as_detail(self) -> dict[str, str]:
        values = {
            "kind": self.kind,
            "actor": self.actor,
            "subject": self.subject,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            "text": self.text,
        }
        return {key: value for key, value in values.items() if value}


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts in each source: after the last audit event shown (by
    time, then id) and after the last case change shown (by id)."""

    event_at: datetime | None = None
    event_pk: int | None = None
    change_pk: int | None = None

    def encode(self) -> str:
        at = self.event_at.isoformat() if self.event_at else ""
        return f"{at}~{self.event_pk or ''}~{self.change_pk or ''}"

    @classmethod
    def decode(cls, raw: str) -> Cursor | None:
        """The cursor, or None when the text is not one (then the list starts at the top)."""
        parts = raw.split("~")
        if len(parts) != 3 or len(raw) > 90 or not any(parts):
            return None
        try:
            at = datetime.fromisoformat(parts[0]) if parts[0] else None
            event_pk = int(parts[1]) if parts[1] else None
            change_pk = int(parts[2]) if parts[2] else None
        except ValueError:
            return None
        if (at is None) != (event_pk is None) or (at is not None and at.tzinfo is None):
            return None
        return cls(event_at=at, event_pk=event_pk, change_pk=change_pk)


@dataclass(frozen=True)
class TrailEntry:
    at: datetime
    source: int
    pk: int
    kind: str
    label: str
    actor: str
    subject: str
    account_id: str
    ip: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def sort_key(self) -> tuple[datetime, int, int]:
        return (self.at, self.source, self.pk)


@dataclass(frozen=True)
class TrailPage:
    entries: list[TrailEntry]
    next_cursor: str | None


def trail_kinds() -> list[tuple[str, str]]:
    """Every kind the filter offers, with its label, sorted by label."""
    return sorted(LABELS.items(), key=lambda item: item[1])


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def _events_after(queryset: QuerySet[AuditEvent], cursor: Cursor | None) -> QuerySet[AuditEvent]:
    if cursor is None or cursor.event_at is None:
        return queryset
    return queryset.filter(Q(at__lt=cursor.event_at) | Q(at=cursor.event_at, pk__lt=cursor.event_pk))


def _changes_after(queryset: QuerySet[CaseChange], cursor: Cursor | None) -> QuerySet[CaseChange]:
    if cursor is None or cursor.change_pk is None:
        return queryset
    return queryset.filter(pk__lt=cursor.change_pk)


def _dated(queryset: QuerySet[Any], filters: TrailFilters) -> QuerySet[Any]:
    if filters.since is not None:
        queryset = queryset.filter(at__gte=_day_start(filters.since))
    if filters.until is not None:
        queryset = queryset.filter(at__lt=_day_start(filters.until + timedelta(days=1)))
    return queryset


def _agents_matching(text: str) -> list[int]:
    """Users whose address or name contains ``text``, looked up once rather than joined
    into every row of the trail."""
    found = User.objects.filter(
        Q(email__icontains=text) | Q(first_name__icontains=text) | Q(last_name__icontains=text)
    ).values_list("pk", flat=True)
    return list(found[:MAX_MATCHED])


def _events(filters: TrailFilters) -> QuerySet[AuditEvent] | None:
    if filters.kind == AuditKind.CASE_CHANGED:
        return None
    rows = AuditEvent.objects.select_related("actor", "subject")
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.actor:
        rows = rows.filter(actor_id__in=_agents_matching(filters.actor))
    if filters.subject:
        rows = rows.filter(
            Q(subject_label__icontains=filters.subject)
            | Q(account_id=filters.subject)
            | Q(subject_id__in=_agents_matching(filters.subject))
        )
    if filters.text:
        text = filters.text
        match = Q(kind__icontains=text) | Q(subject_label__icontains=text) | Q(detail_text__icontains=text)
        with contextlib.suppress(ValueError):
            match |= Q(ip=str(ipaddress.ip_address(text)))
        rows = rows.annotate(detail_text=Cast("detail", TextField())).filter(match)
    return _dated(rows, filters)


def _changes(filters: TrailFilters) -> QuerySet[CaseChange] | None:
    if filters.kind and filters.kind != AuditKind.CASE_CHANGED:
        return None
    rows = CaseChange.objects.select_related("case", "actor_user").only(
        "at",
        "field",
        "old",
        "new",
        "actor_kind",
        "actor_label",
        "actor_user__email",
        "case__number",
        "case__account_id",
    )
    if filters.actor:
        agents = _agents_matching(filters.actor)
        rows = rows.filter(Q(actor_user_id__in=agents) | Q(actor_label__icontains=filters.actor))
    if filters.subject:
        # Cases first (each lookup has its index), then their changes by the case index.
        subject = filters.subject
        match = Q(pk=subject) | Q(account_id=subject) | Q(requester_email__iexact=subject)
        if subject.lstrip("#").isdigit() and len(subject) < 18:
            match |= Q(number=int(subject.lstrip("#")))
        rows = rows.filter(case_id__in=list(Case.objects.filter(match).values_list("pk", flat=True)[:MAX_MATCHED]))
    if filters.text:
        text = filters.text
        rows = rows.filter(Q(field__icontains=text) | Q(old__icontains=text) | Q(new__icontains=text))
    return _dated(rows, filters)


class _UserNames:
    """Assignee changes store user ids; the trail shows who they are (one query per batch)."""

    def __init__(self) -> None:
        self.known: dict[str, str] = {}

    def load(self, changes: Iterable[CaseChange]) -> None:
        wanted = {value for change in changes if change.field == "assignee" for value in (change.old, change.new)}
        wanted = {value for value in wanted if value.isdigit() and value not in self.known}
        for user in User.objects.filter(pk__in=[int(value) for value in wanted]).only("email"):
            self.known[str(user.pk)] = user.email

    def name(self, value: str) -> str:
        return self.known.get(value, value)


def _event_entry(event: AuditEvent) -> TrailEntry:
    subject = event.subject_label or (event.subject.email if event.subject is not None else "")
    return TrailEntry(
        at=event.at,
        source=EVENTS,
        pk=event.pk,
        kind=event.kind,
        label=audit_label(event),
        actor=event.actor.email if event.actor is not None else "",
        subject=subject,
        account_id=event.account_id,
        ip=event.ip or "",
        detail=event.detail if isinstance(event.detail, dict) else {},
    )


def _shown(value: str) -> str:
    """Times recorded in ISO form, shortened to what a reader needs."""
    if len(value) >= 19 and value[4:5] == "-" and value[10:11] == "T":
        try:
            return datetime.fromisoformat(value).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        except ValueError:
            return value
    return value


def _change_entry(change: CaseChange, names: _UserNames) -> TrailEntry:
    old, new = _shown(change.old), _shown(change.new)
    if change.field == "assignee":
        old, new = names.name(old), names.name(new)
    detail = {"case": change.case_id, "case_number": change.case.number, "field": change.field, "old": old, "new": new}
    actor = change.actor_user.email if change.actor_user is not None else change.actor_label
    return TrailEntry(
        at=change.at,
        source=CHANGES,
        pk=change.pk,
        kind=AuditKind.CASE_CHANGED,
        label=audit_sentence(kind=AuditKind.CASE_CHANGED, detail=detail),
        actor=actor or change.actor_kind,
        subject=f"case #{change.case.number}",
        account_id=change.case.account_id or "",
        detail=detail,
    )


def audit_trail_page(*, filters: TrailFilters, cursor: Cursor | None = None, limit: int = 50) -> TrailPage:
    """One page of the trail after ``cursor``: at most ``limit + 1`` rows read per source.

    Audit events are read by time (their ``at`` index); case changes by id, which follows
    their time and is the index that table has (it has none on ``at``). The two lists are
    merged head by head, so each source's rows shown are a prefix of what was read and
    its cursor never skips a row."""
    events: list[TrailEntry] = []
    event_rows = _events(filters)
    if event_rows is not None:
        ordered = _events_after(event_rows, cursor).order_by("-at", "-pk")[: limit + 1]
        events = [_event_entry(event) for event in ordered]
    changes: list[TrailEntry] = []
    change_rows = _changes(filters)
    if change_rows is not None:
        found = list(_changes_after(change_rows, cursor).order_by("-pk")[: limit + 1])
        names = _UserNames()
        names.load(found)
        changes = [_change_entry(change, names) for change in found]
    merged = list(heapq.merge(events, changes, key=lambda entry: entry.sort_key, reverse=True))
    shown = merged[:limit]
    if len(merged) <= limit:
        return TrailPage(entries=shown, next_cursor=None)
    last_event = next((entry for entry in reversed(shown) if entry.source == EVENTS), None)
    last_change = next((entry for entry in reversed(shown) if entry.source == CHANGES), None)
    start = cursor or Cursor()
    following = Cursor(
        event_at=last_event.at if last_event else start.event_at,
        event_pk=last_event.pk if last_event else start.event_pk,
        change_pk=last_change.pk if last_change else start.change_pk,
    )
    return TrailPage(entries=shown, next_cursor=following.encode())


def _event_stream(events: QuerySet[AuditEvent]) -> Iterator[TrailEntry]:
    for event in events.order_by("-at", "-pk").iterator(chunk_size=1000):
        yield _event_entry(event)


def _change_stream(changes: QuerySet[CaseChange]) -> Iterator[TrailEntry]:
    names = _UserNames()
    batch: list[CaseChange] = []
    for change in changes.order_by("-pk").iterator(chunk_size=1000):
        batch.append(change)
        if len(batch) == 1000:
            names.load(batch)
            yield from (_change_entry(row, names) for row in batch)
            batch = []
    names.load(batch)
    yield from (_change_entry(row, names) for row in batch)


def audit_trail_stream(*, filters: TrailFilters) -> Iterator[TrailEntry]:
    """Every matching entry, newest first, read in chunks (for the CSV export)."""
    streams: list[Iterator[TrailEntry]] = []
    events = _events(filters)
    if events is not None:
        streams.append(_event_stream(events))
    changes = _changes(filters)
    if changes is not None:
        streams.append(_change_stream(changes))
    return heapq.merge(*streams, key=lambda entry: entry.sort_key, reverse=True)

"""What the inbox reads: its queues, their counts, filters, keyset pages, and search.

Case queues are paged by keyset (``updated_at``, ``id``; "breaching soon" by due time,
``id``): a page costs the same on page 1 and page 400, and a case that moves while the
agent reads does not shift the next page. Counts stop at :data:`COUNT_CAP` so that a
queue of 100,000 cases costs what a queue of 1,000 does. Every row's related objects come
in the same query (no query per row).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.db.models import Case as Conditional
from django.db.models import DateTimeField, F, Q, QuerySet, When
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from connect_support.accounts.models import Platform
from connect_support.cases.models import Case
from connect_support.chat.models import Conversation
from connect_support.console.inbox_search import MAX_QUERY_CHARS, case_search, search_snippets
from connect_support.helpcenter.models import TOPIC_SLUGS

# The same list, in the same order, as the partial indexes of migration 0001.
OPEN_STATUSES = ("new", "open", "pending", "on_hold")
SOURCE_COMPONENTS = ("account_onboarding", "account_management", "notification_banner")
PAGE_SIZE = 25
CHAT_LIMIT = 100
SEARCH_LIMIT = 25
COUNT_CAP = 1000
BREACHING_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Queue:
    key: str
    label: str
    kind: str  # "chats" or "cases"
    permission: str


QUEUES = (
    Queue("waiting", "Waiting chats", "chats", "chats.work"),
    Queue("my_chats", "My chats", "chats", "chats.work"),
    Queue("unassigned", "Unassigned cases", "cases", "cases.work"),
    Queue("mine", "My cases", "cases", "cases.work"),
    Queue("open", "All open cases", "cases", "cases.work"),
    Queue("breaching", "Breaching soon", "cases", "cases.work"),
)
QUEUES_BY_KEY = {queue.key: queue for queue in QUEUES}


@dataclass(frozen=True)
class InboxFilters:
    topic: str = ""
    status: str = ""
    priority: str = ""
    platform: str = ""
    component: str = ""
    channel: str = ""

    def active(self) -> bool:
        return any(getattr(self, name) for name in FILTER_NAMES)


FILTER_NAMES = ("topic", "status", "priority", "platform", "component", "channel")


PLATFORM_CHOICES_SECONDS = 60


def _platform_choices(wanted: str) -> list[tuple[str, str]]:
    # Platforms are added a few times a year; the inbox asks on every refresh. A platform
    # asked for and not in the list read again (it may be new).
    cached = cache.get("console:inbox:platforms")
    if cached is None or (wanted and wanted not in {pk for pk, _label in cached}):
        rows = Platform.objects.order_by("name").values_list("id", "name", "business_name")
        cached = [(pk, business_name or name) for pk, name, business_name in rows]
        cache.set("console:inbox:platforms", cached, PLATFORM_CHOICES_SECONDS)
    return [(str(pk), str(label)) for pk, label in cached]


def filter_choices(*, wanted_platform: str = "") -> dict[str, list[tuple[str, str]]]:
    return {
        "topic": [(slug, slug.capitalize()) for slug in TOPIC_SLUGS],
        "status": list(Case.Status.choices),
        "priority": list(Case.Priority.choices),
        "platform": _platform_choices(wanted_platform[:100]),
        "component": [(name, name.replace("_", " ").capitalize()) for name in SOURCE_COMPONENTS],
        "channel": list(Case.Channel.choices),
    }


def filters_parse(
    params: Mapping[str, str], choices: dict[str, list[tuple[str, str]]]
) -> tuple[InboxFilters, list[str]]:
    """Known values are kept; anything else is dropped with a message saying so."""
    values: dict[str, str] = {}
    errors = []
    for name in FILTER_NAMES:
        raw = str(params.get(name) or "")[:100]
        if not raw:
            continue
        if raw in {value for value, _label in choices[name]}:
            values[name] = raw
        else:
            errors.append(f"Unknown {name} “{raw}”: that filter was ignored.")
    return InboxFilters(**values), errors


def _case_filters(queryset: QuerySet[Case], filters: InboxFilters) -> QuerySet[Case]:
    if filters.topic:
        queryset = queryset.filter(topic=filters.topic)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.priority:
        queryset = queryset.filter(priority=filters.priority)
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.platform:
        queryset = queryset.filter(account__platform_id=filters.platform)
    if filters.component:
        queryset = queryset.filter(source_context__component=filters.component)
    return queryset


def _chat_filters(queryset: QuerySet[Conversation], filters: InboxFilters) -> QuerySet[Conversation]:
    # Status, priority and channel describe cases; chats answer to the rest.
    if filters.topic:
        queryset = queryset.filter(topic=filters.topic)
    if filters.platform:
        queryset = queryset.filter(account__platform_id=filters.platform)
    if filters.component:
        queryset = queryset.filter(source_context__component=filters.component)
    return queryset


def _due() -> Conditional:
    """The nearer of a case's two deadlines; the first-response one only until answered."""
    first = Q(first_responded_at__isnull=True, first_response_due_at__isnull=False)
    return Conditional(
        When(first & Q(resolution_due_at__isnull=False), then=Least("first_response_due_at", "resolution_due_at")),
        When(first, then=F("first_response_due_at")),
        default=F("resolution_due_at"),
        output_field=DateTimeField(),
    )


def _open_cases() -> QuerySet[Case]:
    return Case.objects.filter(status__in=OPEN_STATUSES)


def _breaching(now: datetime) -> QuerySet[Case]:
    soon = now + BREACHING_WINDOW
    near = Q(first_responded_at__isnull=True, first_response_due_at__lte=soon) | Q(resolution_due_at__lte=soon)
    return _open_cases().filter(near)


def _case_queue(key: str, *, user: User, now: datetime) -> QuerySet[Case]:
    if key == "unassigned":
        return _open_cases().filter(assignee__isnull=True)
    if key == "mine":
        return _open_cases().filter(assignee=user)
    if key == "breaching":
        return _breaching(now)
    return _open_cases()


def _chat_queue(key: str, *, user: User) -> QuerySet[Conversation]:
    if key == "waiting":
        return Conversation.objects.filter(status=Conversation.Status.WAITING).order_by("queued_at", "id")
    return Conversation.objects.filter(status=Conversation.Status.ACTIVE, agent=user).order_by(
        "-last_activity_at", "id"
    )


def queue_counts(*, queues: list[Queue], user: User, now: datetime) -> dict[str, int]:
    """How many items each queue holds (unfiltered), counted up to COUNT_CAP, all in one
    query: each count is a subquery that stops at the cap."""
    parts: list[str] = []
    params: list[Any] = []
    for queue in queues:
        if queue.kind == "chats":
            rows: QuerySet[Case] | QuerySet[Conversation] = _chat_queue(queue.key, user=user).order_by()
        else:
            rows = _case_queue(queue.key, user=user, now=now)
        sql, values = rows.values("pk")[:COUNT_CAP].query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS q{len(parts)})")  # noqa: S608 (the ORM's own SQL)
        params.extend(values)
    if not parts:
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        counts = cursor.fetchone()
    return {queue.key: int(count) for queue, count in zip(queues, counts, strict=True)}


# Keyset cursors: opaque to the browser, checked on the way back in.


def cursor_encode(moment: datetime, pk: str) -> str:
    return base64.urlsafe_b64encode(f"{moment.isoformat()}|{pk}".encode()).decode().rstrip("=")


def cursor_decode(raw: str) -> tuple[datetime, str] | None:
    if not raw or len(raw) > 200:
        return None
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    moment_text, _bar, pk = text.partition("|")
    try:
        moment = parse_datetime(moment_text)
    except ValueError:
        return None
    if moment is None or moment.tzinfo is None or not pk.startswith("case_") or len(pk) > 40:
        return None
    return moment, pk


@dataclass
class CasePage:
    cases: list[Case]
    next_cursor: str | None
    first_page: bool
    snippets: dict[str, str] = field(default_factory=dict)
    direct_ids: frozenset[str] = frozenset()


def _with_rows(queryset: QuerySet[Case]) -> QuerySet[Case]:
    # The account's display name may come from its representative: prefetched, one query.
    return queryset.select_related("account__platform", "assignee").prefetch_related("account__persons")


def case_page(*, key: str, user: User, filters: InboxFilters, after: str = "", now: datetime | None = None) -> CasePage:
    """One page of a case queue, after the cursor ``after`` (empty for the first page)."""
    now = now or timezone.now()
    queryset = _with_rows(_case_filters(_case_queue(key, user=user, now=now), filters))
    cursor = cursor_decode(after)
    rows: list[Case]
    if key == "breaching":
        by_due = queryset.annotate(due=_due())
        if cursor is not None:
            moment, pk = cursor
            by_due = by_due.filter(Q(due__gt=moment) | Q(due=moment, id__gt=pk))
        due_rows = list(by_due.order_by("due", "id")[: PAGE_SIZE + 1])
        last_due = due_rows[PAGE_SIZE - 1] if len(due_rows) > PAGE_SIZE else None
        next_cursor = cursor_encode(last_due.due, last_due.pk) if last_due is not None else None
        rows = list(due_rows)
    else:
        if cursor is not None:
            moment, pk = cursor
            # The first condition alone can walk the index; the second trims the tie.
            queryset = queryset.filter(updated_at__lte=moment).filter(Q(updated_at__lt=moment) | Q(id__lt=pk))
        rows = list(queryset.order_by("-updated_at", "-id")[: PAGE_SIZE + 1])
        last = rows[PAGE_SIZE - 1] if len(rows) > PAGE_SIZE else None
        next_cursor = cursor_encode(last.updated_at, last.pk) if last is not None else None
    return CasePage(cases=rows[:PAGE_SIZE], next_cursor=next_cursor, first_page=cursor is None)


def chat_rows(*, key: str, user: User, filters: InboxFilters) -> list[Conversation]:
    queryset = _chat_filters(_chat_queue(key, user=user), filters)
    return list(queryset.select_related("account__platform", "agent").prefetch_related("account__persons")[:CHAT_LIMIT])


def case_search_page(*, query: str, filters: InboxFilters) -> CasePage:
    """The best matches of a search over every case (open or not), filters applied."""
    found = case_search(query=query[:MAX_QUERY_CHARS], limit=SEARCH_LIMIT * 2)
    if not found.case_ids:
        return CasePage(cases=[], next_cursor=None, first_page=True)
    rows = _with_rows(_case_filters(Case.objects.filter(pk__in=found.case_ids), filters))
    by_id = {case.pk: case for case in rows}
    ordered = [by_id[pk] for pk in found.case_ids if pk in by_id][:SEARCH_LIMIT]
    snippets = search_snippets(case_ids=[case.pk for case in ordered], found=found)
    return CasePage(cases=ordered, next_cursor=None, first_page=True, snippets=snippets, direct_ids=found.direct_ids)


def case_due(case: Case) -> datetime | None:
    """The deadline shown in a row (same rule as the breaching queue)."""
    first = case.first_response_due_at if case.first_responded_at is None else None
    dues = [moment for moment in (first, case.resolution_due_at) if moment is not None]
    return min(dues) if dues else None

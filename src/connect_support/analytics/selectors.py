"""The series behind the console's analytics charts.

Every chart is a fixed number of aggregate queries (``UtcDay`` with ``Count``, ``Avg`` or
``Max`` in SQL), whatever the number of cases, chats or days; Python only fills the days
that had nothing with zeros. Days are UTC days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Avg, Count, DateField, F, FloatField, Func, Max, Q, QuerySet, Sum, Value
from django.db.models.fields.json import KT
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from connect_support.analytics.models import DailyCount
from connect_support.cases.models import Case, Deflection
from connect_support.chat.models import Conversation
from connect_support.csat.models import Rating
from connect_support.helpcenter.models import TOPIC_SLUGS, ArticleFeedback

RANGES = (7, 30, 90)
DEFAULT_RANGE = 30
CHANNELS = (("email", "Email"), ("web", "Web form"), ("chat", "Chat"))
MAX_TOPIC_SERIES = 6


@dataclass(frozen=True)
class Filters:
    """Last ``days`` days up to ``today`` (included), optionally one channel and one topic."""

    days: int = DEFAULT_RANGE
    channel: str = ""
    topic: str = ""
    today: date = field(default_factory=lambda: timezone.now().date())

    @classmethod
    def parse(cls, params: Any, *, today: date | None = None) -> Filters:
        """From query parameters; anything unknown falls back to the default."""
        raw_days = str(params.get("range", ""))
        days = int(raw_days) if raw_days.isdigit() and int(raw_days) in RANGES else DEFAULT_RANGE
        channel = str(params.get("channel", ""))
        topic = str(params.get("topic", ""))
        return cls(
            days=days,
            channel=channel if channel in dict(CHANNELS) else "",
            topic=topic if topic in TOPIC_SLUGS or topic == "none" else "",
            today=today or timezone.now().date(),
        )

    @property
    def first_day(self) -> date:
        return self.today - timedelta(days=self.days - 1)

    @property
    def days_list(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range(self.days)]

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time.min, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.today + timedelta(days=1), time.min, tzinfo=UTC)

    def query(self) -> dict[str, str]:
        """The filters as query parameters (for links that keep them)."""
        params = {"range": str(self.days)}
        if self.channel:
            params["channel"] = self.channel
        if self.topic:
            params["topic"] = self.topic
        return params

    def topic_value(self) -> str | None:
        """The topic to filter on (``""`` for contacts without one), or None for all."""
        if not self.topic:
            return None
        return "" if self.topic == "none" else self.topic


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    values: tuple[float | None, ...]

    @property
    def total(self) -> float:
        return sum(v for v in self.values if v is not None)


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    description: str
    # "bars": stacked daily bars of counts; "lines": one line per series.
    kind: str
    unit: str
    days: tuple[date, ...]
    series: tuple[Series, ...]
    # A fixed top of the value axis (CSAT is out of 5), or None to fit the data.
    y_max: float | None = None
    note: str = ""

    @property
    def is_empty(self) -> bool:
        return not any(v for s in self.series for v in s.values)

    def rows(self) -> Iterator[tuple[date, list[float | None]]]:
        for index, day in enumerate(self.days):
            yield day, [s.values[index] for s in self.series]


def _daily(rows: Iterable[dict[str, Any]], *, value: str = "n", key: str | None = None) -> dict[tuple[date, str], Any]:
    found: dict[tuple[date, str], Any] = {}
    for row in rows:
        day = row["day"]
        if isinstance(day, datetime):
            day = day.date()
        found[(day, str(row[key] or "") if key else "")] = row[value]
    return found


def _series(
    filters: Filters, found: dict[tuple[date, str], Any], key: str, label: str, *, missing: float | None = 0
) -> Series:
    return Series(key, label, tuple(found.get((day, key), missing) for day in filters.days_list))


def _hours(seconds: Any) -> float | None:
    return round(float(seconds) / 3600, 2) if seconds is not None else None


def _minutes(seconds: Any) -> float | None:
    return round(float(seconds) / 60, 1) if seconds is not None else None


class UtcDay(Func):
    """The calendar day of a timestamp, in the database's own SQL (connections run in UTC).
    ``TruncDate`` would call a Python function for every row on SQLite."""

    function = "DATE"
    output_field = DateField()


class SecondsBetween(Func):
    """``end - start`` in seconds, as a number the database averages natively (a duration
    would go through a Python function for every row on SQLite)."""

    template = "EXTRACT(EPOCH FROM (%(expressions)s))"
    arg_joiner = " - "
    output_field = FloatField()

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, list[Any]]:
        sql, params = self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra_context,
        )
        return sql, list(params)


# ---- contacts: email and web-form cases, and chats ----


def _cases(filters: Filters) -> QuerySet[Case]:
    """Cases opened by email or the web form (a chat turned into a case is counted as the chat)."""
    cases = Case.objects.filter(created_at__gte=filters.start, created_at__lt=filters.end).exclude(
        channel=Case.Channel.CHAT
    )
    if filters.channel:
        cases = cases.filter(channel=filters.channel)
    topic = filters.topic_value()
    return cases if topic is None else cases.filter(topic=topic)


def _chats(filters: Filters) -> QuerySet[Conversation]:
    chats = Conversation.objects.filter(created_at__gte=filters.start, created_at__lt=filters.end)
    topic = filters.topic_value()
    return chats if topic is None else chats.filter(topic=topic)


@dataclass(frozen=True)
class ContactCounts:
    """Contacts a day by channel, topic and component: one grouped query per source, from
    which every contact chart is cut."""

    rows: tuple[tuple[date, str, str, str, int], ...]

    def by(self, dimension: str) -> dict[tuple[date, str], int]:
        """``channel``, ``topic``, ``component`` or ``total`` (everything under the key "")."""
        column = {"channel": 1, "topic": 2, "component": 3}.get(dimension)
        counts: dict[tuple[date, str], int] = defaultdict(int)
        for row in self.rows:
            counts[(row[0], str(row[column]) if column else "")] += row[4]
        return counts


def contact_counts(filters: Filters) -> ContactCounts:
    rows: list[tuple[date, str, str, str, int]] = []
    sources: list[tuple[QuerySet[Any], Any]] = []
    if filters.channel != "chat":
        sources.append((_cases(filters), F("channel")))
    if filters.channel in {"", "chat"}:
        sources.append((_chats(filters), Value("chat")))
    for queryset, channel in sources:
        grouped = (
            queryset.order_by()
            .annotate(day=UtcDay("created_at"), kind=channel, component=KT("source_context__component"))
            .values("day", "kind", "topic", "component")
            .annotate(n=Count("pk"))
        )
        for row in grouped:
            day = row["day"].date() if isinstance(row["day"], datetime) else row["day"]
            rows.append((day, str(row["kind"]), row["topic"] or "", row["component"] or "", row["n"]))
    return ContactCounts(tuple(rows))


def _top_keys(counts: dict[tuple[date, str], int], limit: int) -> tuple[list[str], set[str]]:
    totals: dict[str, int] = defaultdict(int)
    for (_day, key), n in counts.items():
        totals[key] += n
    ordered = sorted(totals, key=lambda k: (-totals[k], k))
    return ordered[:limit], set(ordered[limit:])


def _grouped_chart(
    filters: Filters, counts: dict[tuple[date, str], int], keys: list[str], rest: set[str], label: Any
) -> tuple[Series, ...]:
    series = [_series(filters, counts, key, label(key)) for key in keys]
    if rest:
        other = {day: sum(counts.get((day, key), 0) for key in rest) for day in filters.days_list}
        series.append(Series("other", "Other", tuple(float(other[day]) for day in filters.days_list)))
    return tuple(series)


def _topic_label(slug: str) -> str:
    return slug.replace("_", " ").capitalize() if slug else "No topic"


def _component_label(component: str) -> str:
    return component.replace("_", " ").capitalize() if component else "Support site (no component)"


def contacts_by_channel(filters: Filters, contacts: ContactCounts | None = None) -> Chart:
    counts = (contacts or contact_counts(filters)).by("channel")
    return Chart(
        slug="contacts-channel",
        title="Contacts by channel",
        description="New email cases, web-form cases and chats each day.",
        kind="bars",
        unit="contacts",
        days=tuple(filters.days_list),
        series=tuple(_series(filters, counts, key, label) for key, label in CHANNELS),
    )


def contacts_by_topic(filters: Filters, contacts: ContactCounts | None = None) -> Chart:
    counts = (contacts or contact_counts(filters)).by("topic")
    keys, rest = _top_keys(counts, MAX_TOPIC_SERIES)
    return Chart(
        slug="contacts-topic",
        title="Contacts by topic",
        description=(
            f"New cases and chats each day by the topic chosen; the {MAX_TOPIC_SERIES} largest topics, "
            "the rest as Other."
        ),
        kind="bars",
        unit="contacts",
        days=tuple(filters.days_list),
        series=_grouped_chart(filters, counts, keys, rest, _topic_label),
    )


def contacts_by_component(filters: Filters, contacts: ContactCounts | None = None) -> Chart:
    counts = (contacts or contact_counts(filters)).by("component")
    keys, rest = _top_keys(counts, MAX_TOPIC_SERIES)
    return Chart(
        slug="contacts-component",
        title="Contacts by source component",
        description="New cases and chats each day by the embedded component the person came from.",
        kind="bars",
        unit="contacts",
        days=tuple(filters.days_list),
        series=_grouped_chart(filters, counts, keys, rest, _component_label),
    )


# ---- self-service ----


def self_service(filters: Filters, contacts: ContactCounts | None = None) -> Chart:
    """Searches, article views, "This solved my problem" and helpful votes, beside contacts."""
    topic = filters.topic_value()
    counters = DailyCount.objects.filter(day__gte=filters.first_day, day__lte=filters.today)
    deflections = Deflection.objects.filter(at__gte=filters.start, at__lt=filters.end)
    helpful = ArticleFeedback.objects.filter(created_at__gte=filters.start, created_at__lt=filters.end, helpful=True)
    if topic is not None:
        counters = counters.filter(Q(topic=topic) | Q(kind=DailyCount.Kind.SEARCH)) if topic else counters.none()
        deflections = deflections.filter(topic=topic)
        helpful = helpful.filter(article__topic__slug=topic) if topic else helpful.none()
    counted = _daily(counters.order_by().values("day", "kind").annotate(n=Sum("count")), key="kind")
    solved = _daily(deflections.order_by().annotate(day=UtcDay("at")).values("day").annotate(n=Count("pk")))
    votes = _daily(helpful.order_by().annotate(day=UtcDay("created_at")).values("day").annotate(n=Count("pk")))
    totals = (contacts or contact_counts(filters)).by("total")
    return Chart(
        slug="self-service",
        title="Self-service and contacts",
        description=(
            "Searches and article views on the support site, clicks on “This solved my problem” on the "
            "contact form, and “Yes, this helped” votes on articles, each day, beside the contacts that reached us."
        ),
        kind="lines",
        unit="per day",
        days=tuple(filters.days_list),
        series=(
            _series(filters, counted, DailyCount.Kind.SEARCH, "Searches"),
            _series(filters, counted, DailyCount.Kind.ARTICLE_VIEW, "Article views"),
            _series(filters, solved, "", "“This solved my problem”"),
            _series(filters, votes, "", "Helpful votes"),
            _series(filters, totals, "", "Contacts"),
        ),
        note="Searches count as all topics: a search has no topic." if topic else "",
    )


# ---- times ----


def _duration(end: str, start: str) -> SecondsBetween:
    return SecondsBetween(F(end), F(start))


def response_times(filters: Filters) -> Chart:
    """Average hours to the first agent reply and to solved, by the day it happened."""
    cases = Case.objects.all()
    if filters.channel:
        cases = cases.filter(channel=filters.channel)
    topic = filters.topic_value()
    if topic is not None:
        cases = cases.filter(topic=topic)
    first = _daily(
        cases.filter(first_responded_at__gte=filters.start, first_responded_at__lt=filters.end)
        .order_by()
        .annotate(day=UtcDay("first_responded_at"))
        .values("day")
        .annotate(n=Avg(_duration("first_responded_at", "created_at")))
    )
    solved = _daily(
        cases.filter(solved_at__gte=filters.start, solved_at__lt=filters.end)
        .order_by()
        .annotate(day=UtcDay("solved_at"))
        .values("day")
        .annotate(n=Avg(_duration("solved_at", "created_at")))
    )
    return Chart(
        slug="response-times",
        title="First response and resolution times",
        description=(
            "Average hours from a case being opened to the first agent reply, and to it being solved, "
            "by the day the reply or the solve happened."
        ),
        kind="lines",
        unit="hours",
        days=tuple(filters.days_list),
        series=(
            Series("first_response", "First response", tuple(_hours(first.get((d, ""))) for d in filters.days_list)),
            Series("resolution", "Resolution", tuple(_hours(solved.get((d, ""))) for d in filters.days_list)),
        ),
    )


def chat_wait_times(filters: Filters) -> Chart:
    """Average and longest minutes from joining the queue to an agent accepting."""
    chats = Conversation.objects.filter(
        assigned_at__gte=filters.start, assigned_at__lt=filters.end, queued_at__lte=F("assigned_at")
    )
    topic = filters.topic_value()
    if topic is not None:
        chats = chats.filter(topic=topic)
    waits: dict[tuple[date, str], Any] = {}
    if filters.channel in {"", "chat"}:
        for row in (
            chats.order_by()
            .annotate(day=UtcDay("assigned_at"), wait=_duration("assigned_at", "queued_at"))
            .values("day")
            .annotate(average=Avg("wait"), longest=Max("wait"))
        ):
            waits[(row["day"], "average")] = row["average"]
            waits[(row["day"], "longest")] = row["longest"]
    return Chart(
        slug="chat-wait",
        title="Chat wait times",
        description="Average and longest minutes a chat waited in the queue before an agent accepted it, by day.",
        kind="lines",
        unit="minutes",
        days=tuple(filters.days_list),
        series=(
            Series("average", "Average wait", tuple(_minutes(waits.get((d, "average"))) for d in filters.days_list)),
            Series("longest", "Longest wait", tuple(_minutes(waits.get((d, "longest"))) for d in filters.days_list)),
        ),
        note="Chat waits are shown for the chat channel only." if filters.channel not in {"", "chat"} else "",
    )


# ---- satisfaction ----


def _ratings(filters: Filters) -> QuerySet[Rating]:
    ratings = Rating.objects.filter(created_at__gte=filters.start, created_at__lt=filters.end)
    if filters.channel == "chat":
        ratings = ratings.filter(channel=Rating.Channel.CHAT)
    elif filters.channel:
        ratings = ratings.filter(channel=Rating.Channel.CASE, case__channel=filters.channel)
    topic = filters.topic_value()
    return ratings if topic is None else ratings.filter(topic=topic)


def csat_daily(filters: Filters) -> Chart:
    found = _daily(
        _ratings(filters).order_by().annotate(day=UtcDay("created_at")).values("day").annotate(n=Avg("score"))
    )
    return Chart(
        slug="csat",
        title="Customer satisfaction",
        description=(
            "Average rating (1 = very dissatisfied, 5 = very satisfied) given each day after solved cases "
            "and ended chats."
        ),
        kind="lines",
        unit="score",
        days=tuple(filters.days_list),
        series=(
            Series(
                "average",
                "Average rating",
                tuple(round(float(v), 2) if (v := found.get((d, ""))) is not None else None for d in filters.days_list),
            ),
        ),
        y_max=5,
    )


@dataclass(frozen=True)
class CsatSummary:
    responses: int
    average: float | None
    # Share of 4 and 5 ratings, in percent.
    satisfied_percent: float | None
    by_score: dict[int, int]


def csat_summary(filters: Filters) -> CsatSummary:
    by_score = dict.fromkeys(range(1, 6), 0)
    for row in _ratings(filters).order_by().values("score").annotate(n=Count("pk")):
        by_score[row["score"]] = row["n"]
    responses = sum(by_score.values())
    if not responses:
        return CsatSummary(0, None, None, by_score)
    average = sum(score * n for score, n in by_score.items()) / responses
    satisfied = 100 * (by_score[4] + by_score[5]) / responses
    return CsatSummary(responses, round(average, 2), round(satisfied, 1), by_score)


CHARTS: dict[str, Callable[[Filters], Chart]] = {
    "contacts-channel": contacts_by_channel,
    "contacts-topic": contacts_by_topic,
    "contacts-component": contacts_by_component,
    "self-service": self_service,
    "response-times": response_times,
    "chat-wait": chat_wait_times,
    "csat": csat_daily,
}


def analytics_charts(filters: Filters) -> list[Chart]:
    """Every chart of the analytics page, in page order; the contact charts share one count."""
    contacts = contact_counts(filters)
    return [
        contacts_by_channel(filters, contacts),
        contacts_by_topic(filters, contacts),
        contacts_by_component(filters, contacts),
        self_service(filters, contacts),
        response_times(filters),
        chat_wait_times(filters),
        csat_daily(filters),
    ]

"""Clock arithmetic in business time: pure functions over a calendar (time zone, weekly
hours, holidays), with no database access.

Business time is real elapsed time while the operator is open. Hours are read in the
calendar's time zone, so on the night the clocks change an interval that spans the change
is an hour shorter (spring) or longer (autumn) than its wall-clock length; a local time that
does not exist (inside the spring gap) is read as the same wall time after the change.

A calendar with no open hours at all, or one that stays closed for longer than
``SEARCH_DAYS`` (holidays one after another), counts wall-clock time past that point, so a
due date always exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60
# How far a single computation walks the calendar before falling back to wall-clock time.
SEARCH_DAYS = 400

Interval = tuple[int, int]


def _merged(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if not 0 <= start < end <= MINUTES_PER_DAY:
            raise ValueError(f"bad interval {start}-{end}: minutes since midnight, start before end")
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((start, end) for start, end in merged)


@dataclass(frozen=True)
class BusinessCalendar:
    """``weekly[0]`` is Monday: open intervals in minutes since local midnight (24:00 = 1440).
    ``holidays`` are local dates closed all day."""

    zone: ZoneInfo
    weekly: tuple[tuple[Interval, ...], ...]
    holidays: frozenset[date] = frozenset()

    @classmethod
    def build(
        cls, *, zone: ZoneInfo | str, weekly: Mapping[int, Iterable[Interval]], holidays: Iterable[date] = ()
    ) -> BusinessCalendar:
        return cls(
            zone=zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone),
            weekly=tuple(_merged(weekly.get(day, ())) for day in range(7)),
            holidays=frozenset(holidays),
        )

    @classmethod
    def around_the_clock(cls, zone: str = "UTC") -> BusinessCalendar:
        return cls.build(zone=zone, weekly={day: [(0, MINUTES_PER_DAY)] for day in range(7)})

    @property
    def has_hours(self) -> bool:
        return any(self.weekly)


def _local(day: date, minute: int, zone: ZoneInfo) -> datetime:
    if minute >= MINUTES_PER_DAY:
        day, minute = day + timedelta(days=1), minute - MINUTES_PER_DAY
    # Through UTC and back, so that a wall time inside the spring gap is normalised.
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone).astimezone(UTC)


def open_intervals(
    calendar: BusinessCalendar, start: datetime, *, days: int = SEARCH_DAYS
) -> Iterator[tuple[datetime, datetime]]:
    """Open intervals (UTC, in order) that end after ``start``, clipped to begin no earlier
    than ``start``, over at most ``days`` local days from the day of ``start``."""
    first_day = start.astimezone(calendar.zone).date() - timedelta(days=1)
    for offset in range(days + 1):
        day = first_day + timedelta(days=offset)
        if day in calendar.holidays:
            continue
        for begin_minute, end_minute in calendar.weekly[day.weekday()]:
            begin, end = _local(day, begin_minute, calendar.zone), _local(day, end_minute, calendar.zone)
            if end <= start or end <= begin:
                continue
            yield max(begin, start), end


def business_add(calendar: BusinessCalendar, start: datetime, duration: timedelta) -> datetime:
    """The moment ``duration`` of business time after ``start``. A start outside hours counts
    from the next opening; a result that lands exactly on a closing time stays there."""
    start = start.astimezone(UTC)
    if duration <= timedelta(0):
        return start
    remaining = duration
    reached = start
    if calendar.has_hours:
        for begin, end in open_intervals(calendar, start):
            span = end - begin
            if remaining <= span:
                return begin + remaining
            remaining -= span
            reached = end
        reached = max(reached, start + timedelta(days=SEARCH_DAYS))
    return reached + remaining


def business_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """Business time from ``start`` to ``end``; negative when ``end`` comes first."""
    if end < start:
        return -business_between(calendar, end, start)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if not calendar.has_hours:
        return end - start
    total = timedelta(0)
    for begin, close in open_intervals(calendar, start, days=(end - start).days + 2):
        if begin >= end:
            break
        total += min(close, end) - begin
    return total


def is_open(calendar: BusinessCalendar, moment: datetime) -> bool:
    moment = moment.astimezone(UTC)
    first = next(open_intervals(calendar, moment, days=2), None)
    return first is not None and first[0] <= moment

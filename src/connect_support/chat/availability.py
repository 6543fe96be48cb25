"""When chat is open: the operator's business hours and holidays, and agents with room.

Chat is available when all of these hold:
- chat is enabled in the settings;
- now is inside the business hours of today (in the settings' time zone), and today is
  not a holiday;
- agents online in the workspace have more free places (capacity minus their open chats)
  than there are conversations already waiting.

Otherwise the widget says why and, for hours and holidays, when chat opens again, and
offers email instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone

from connect_support.chat.models import ChatHoliday, ChatSettings

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SHORT_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ALWAYS_OPEN: dict[str, list[list[str]]] = {str(day): [["00:00", "24:00"]] for day in range(7)}
# How far ahead to look for the next opening.
LOOKAHEAD_DAYS = 60


def chat_settings_get() -> ChatSettings:
    """The settings row, created with chat open around the clock (the demo works any time)."""
    row, _created = ChatSettings.objects.get_or_create(
        pk=ChatSettings.SINGLETON_ID, defaults={"weekly_hours": ALWAYS_OPEN, "updated_at": timezone.now()}
    )
    return row


def zone_of(settings_row: ChatSettings) -> ZoneInfo:
    try:
        return ZoneInfo(settings_row.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _minutes(value: str) -> int:
    hours, _colon, minutes = value.partition(":")
    return int(hours) * 60 + int(minutes)


def parse_interval(value: str) -> tuple[int, int]:
    """``"09:00-17:30"`` → minutes since midnight; raises ValueError when it is not one."""
    start, separator, end = value.replace("–", "-").partition("-")
    if not separator:
        raise ValueError(f"“{value}” is not a range like 09:00-17:00.")
    try:
        first, last = _minutes(start.strip()), _minutes(end.strip())
    except ValueError:
        raise ValueError(f"“{value}” is not a range like 09:00-17:00.") from None
    if not (0 <= first < last <= 24 * 60):
        raise ValueError(f"“{value}”: the start must come before the end, within one day (00:00-24:00).")
    return first, last


def day_intervals(settings_row: ChatSettings, weekday: int) -> list[tuple[int, int]]:
    raw: Any = (settings_row.weekly_hours or {}).get(str(weekday), [])
    intervals: list[tuple[int, int]] = []
    for pair in raw if isinstance(raw, list) else []:
        try:
            intervals.append(parse_interval(f"{pair[0]}-{pair[1]}"))
        except (ValueError, IndexError, TypeError):
            continue
    return sorted(intervals)


def format_minutes(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def hours_summary(settings_row: ChatSettings) -> str:
    """e.g. "Mon-Fri 09:00-17:00; Sat 10:00-14:00 (Europe/Paris)", or "around the clock"."""
    per_day = [tuple(day_intervals(settings_row, day)) for day in range(7)]
    if all(intervals == ((0, 24 * 60),) for intervals in per_day):
        return "around the clock"
    parts: list[str] = []
    day = 0
    while day < 7:
        end = day
        while end + 1 < 7 and per_day[end + 1] == per_day[day]:
            end += 1
        if per_day[day]:
            days = SHORT_DAY_NAMES[day] if end == day else f"{SHORT_DAY_NAMES[day]}–{SHORT_DAY_NAMES[end]}"
            ranges = ", ".join(f"{format_minutes(a)}–{format_minutes(b)}" for a, b in per_day[day])
            parts.append(f"{days} {ranges}")
        day = end + 1
    if not parts:
        return "closed every day"
    return "; ".join(parts) + f" ({settings_row.time_zone})"


@dataclass(frozen=True)
class Hours:
    open_now: bool
    holiday: str
    opens_at: datetime | None


def _holidays(start: date, days: int) -> dict[date, str]:
    return dict(
        ChatHoliday.objects.filter(date__gte=start, date__lte=start + timedelta(days=days)).values_list("date", "name")
    )


def business_hours(*, settings_row: ChatSettings, now: datetime) -> Hours:
    """Whether now is inside business hours, and if not, the next opening."""
    zone = zone_of(settings_row)
    local = now.astimezone(zone)
    holidays = _holidays(local.date(), LOOKAHEAD_DAYS + 1)
    minute = local.hour * 60 + local.minute
    today = local.date()
    holiday = holidays.get(today, "")
    if not holiday and any(a <= minute < b for a, b in day_intervals(settings_row, local.weekday())):
        return Hours(open_now=True, holiday="", opens_at=None)
    for offset in range(LOOKAHEAD_DAYS + 1):
        day = today + timedelta(days=offset)
        if day in holidays:
            continue
        for start, _end in day_intervals(settings_row, day.weekday()):
            if offset == 0 and start <= minute:
                continue
            if start == 24 * 60:
                continue
            opening = datetime.combine(day, time(start // 60, start % 60), tzinfo=zone)
            if opening > now:
                return Hours(open_now=False, holiday=holiday, opens_at=opening)
    return Hours(open_now=False, holiday=holiday, opens_at=None)


@dataclass(frozen=True)
class Availability:
    available: bool
    # open | disabled | closed | holiday | no_agents | busy
    reason: str
    message: str
    opens_at: datetime | None
    hours: str
    time_zone: str

    def as_json(self) -> dict[str, Any]:
        return {
            "available": self.available,
            "reason": self.reason,
            "message": self.message,
            "opens_at": self.opens_at.isoformat() if self.opens_at else None,
            "hours": self.hours,
            "time_zone": self.time_zone,
        }


def _opening_phrase(opens_at: datetime, now: datetime) -> str:
    local_now = now.astimezone(opens_at.tzinfo)
    if opens_at.date() == local_now.date():
        day = "today"
    elif opens_at.date() == local_now.date() + timedelta(days=1):
        day = "tomorrow"
    else:
        day = f"on {DAY_NAMES[opens_at.weekday()]} {opens_at.day} {opens_at:%B}"
    return f"Chat opens again {day} at {opens_at:%H:%M} ({opens_at.tzinfo})."


def chat_availability(*, now: datetime | None = None) -> Availability:
    from connect_support.chat.routing import free_places

    now = now or timezone.now()
    settings_row = chat_settings_get()
    summary = hours_summary(settings_row)
    zone = settings_row.time_zone

    def closed(reason: str, message: str, opens_at: datetime | None = None) -> Availability:
        return Availability(False, reason, message, opens_at, summary, zone)

    if not settings_row.enabled:
        return closed("disabled", "Chat is not available at the moment. Send us an email and we'll reply.")
    hours = business_hours(settings_row=settings_row, now=now)
    if not hours.open_now:
        opening = f" {_opening_phrase(hours.opens_at, now)}" if hours.opens_at else ""
        if hours.holiday:
            return closed("holiday", f"Chat is closed today ({hours.holiday}).{opening}", hours.opens_at)
        return closed("closed", f"Chat is closed now. Our hours: {summary}.{opening}", hours.opens_at)
    places = free_places(now=now)
    if places.online_agents == 0:
        return closed("no_agents", "No agent is available to chat right now. Send us an email and we'll reply.")
    if places.free <= places.waiting:
        return closed(
            "busy", "All our agents are busy right now. Send us an email, or try chat again in a little while."
        )
    return Availability(True, "open", "Our team is online and ready to chat.", None, summary, zone)

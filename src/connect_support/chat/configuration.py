"""Writes of the operator's chat settings (edited in the console): hours, holidays,
routing and the timers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.utils import timezone

from connect_support.chat.availability import chat_settings_get, format_minutes, parse_interval
from connect_support.chat.models import ChatHoliday, ChatSettings


class SettingsError(ValueError):
    """A value people typed that cannot be used; the message says why."""


def hours_parse(text: str) -> list[list[str]]:
    """``"09:00-12:00, 13:00-17:00"`` → ``[["09:00", "12:00"], ["13:00", "17:00"]]``; empty is closed."""
    intervals = []
    for part in [chunk.strip() for chunk in text.replace(";", ",").split(",") if chunk.strip()]:
        try:
            start, end = parse_interval(part)
        except ValueError as error:
            raise SettingsError(str(error)) from None
        intervals.append((start, end))
    intervals.sort()
    for (_a, b), (c, _d) in pairwise(intervals):
        if c < b:
            raise SettingsError("The ranges of a day overlap.")
    return [[format_minutes(a), format_minutes(b)] for a, b in intervals]


def hours_format(intervals: list[list[str]]) -> str:
    return ", ".join(f"{start}-{end}" for start, end in intervals)


@dataclass(frozen=True)
class SettingsInput:
    enabled: bool
    time_zone: str
    weekly_hours: dict[str, list[list[str]]]
    routing: str
    idle_minutes: int
    no_answer_seconds: int
    max_wait_minutes: int


def chat_settings_update(*, values: SettingsInput) -> ChatSettings:
    try:
        ZoneInfo(values.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"“{values.time_zone}” is not a time zone name like Europe/Paris.") from None
    if values.routing not in ChatSettings.Routing.values:
        raise SettingsError("Choose automatic or manual routing.")
    with transaction.atomic():
        row = chat_settings_get()
        row.enabled = values.enabled
        row.time_zone = values.time_zone
        row.weekly_hours = values.weekly_hours
        row.routing = values.routing
        row.idle_minutes = values.idle_minutes
        row.no_answer_seconds = values.no_answer_seconds
        row.max_wait_minutes = values.max_wait_minutes
        row.updated_at = timezone.now()
        row.save()
    return row


def chat_holiday_add(*, day: date, name: str) -> ChatHoliday:
    holiday, _created = ChatHoliday.objects.update_or_create(
        date=day, defaults={"name": name.strip()[:100] or "Holiday"}
    )
    return holiday


def chat_holiday_remove(*, holiday_id: int) -> bool:
    deleted, _ = ChatHoliday.objects.filter(pk=holiday_id).delete()
    return bool(deleted)

"""When chat is offered: business hours in the operator's time zone, holidays, the next
opening, and agents online with room."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from connect_support.chat.availability import business_hours, chat_availability, chat_settings_get, hours_summary
from connect_support.chat.configuration import SettingsError, hours_parse
from connect_support.chat.models import AgentStatus, ChatHoliday
from tests.chat.support import ChatWorld

pytestmark = pytest.mark.django_db

PARIS_OFFICE = {"0": [["09:00", "12:00"], ["13:00", "17:30"]], "1": [["09:00", "17:30"]], "2": [["09:00", "17:30"]],
                "3": [["09:00", "17:30"]], "4": [["09:00", "16:00"]], "5": [], "6": []}  # fmt: skip


def paris_office() -> None:
    row = chat_settings_get()
    row.time_zone = "Europe/Paris"
    row.weekly_hours = PARIS_OFFICE
    row.save()


def test_the_default_is_open_around_the_clock_so_the_demo_works_any_time() -> None:
    assert hours_summary(chat_settings_get()) == "around the clock"
    assert business_hours(settings_row=chat_settings_get(), now=datetime(2026, 1, 4, 3, 0, tzinfo=UTC)).open_now


def test_hours_are_read_in_the_operators_time_zone() -> None:
    paris_office()
    row = chat_settings_get()
    # Monday 2 March 2026, 08:30 UTC is 09:30 in Paris (UTC+1).
    assert business_hours(settings_row=row, now=datetime(2026, 3, 2, 8, 30, tzinfo=UTC)).open_now
    # 11:30 UTC = 12:30 in Paris: the lunch break.
    lunch = business_hours(settings_row=row, now=datetime(2026, 3, 2, 11, 30, tzinfo=UTC))
    assert not lunch.open_now
    assert lunch.opens_at == datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    assert hours_summary(row) == "Mon 09:00–12:00, 13:00–17:30; Tue–Thu 09:00–17:30; Fri 09:00–16:00 (Europe/Paris)"


def test_after_friday_closing_chat_opens_on_monday_morning() -> None:
    paris_office()
    friday_evening = datetime(2026, 3, 6, 17, 0, tzinfo=UTC)
    hours = business_hours(settings_row=chat_settings_get(), now=friday_evening)
    assert not hours.open_now
    assert hours.opens_at is not None
    assert hours.opens_at.astimezone(UTC) == datetime(2026, 3, 9, 8, 0, tzinfo=UTC)


def test_a_holiday_closes_the_whole_day_and_is_named(world: ChatWorld) -> None:
    paris_office()
    ChatHoliday.objects.create(date=date(2026, 5, 1), name="Labour Day")
    friday = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)  # 11:00 in Paris, normally open
    hours = business_hours(settings_row=chat_settings_get(), now=friday)
    assert (hours.open_now, hours.holiday) == (False, "Labour Day")
    assert hours.opens_at is not None
    assert hours.opens_at.date() == date(2026, 5, 4)
    world.agent().go_online()
    availability = chat_availability(now=friday)
    assert availability.reason == "holiday"
    assert availability.message.startswith(
        "Chat is closed today (Labour Day). Chat opens again on Monday 4 May at 09:00"
    )


def test_within_hours_chat_needs_an_agent_online_with_room(world: ChatWorld) -> None:
    assert chat_availability().reason == "no_agents"
    agent = world.agent()
    agent.go_online(capacity=1)
    assert chat_availability().available
    AgentStatus.objects.filter(user=agent.user).update(status="away")
    assert chat_availability().reason == "no_agents"
    AgentStatus.objects.filter(user=agent.user).update(
        status="online", connected_until=datetime.now(UTC) - timedelta(seconds=1)
    )
    assert chat_availability().reason == "no_agents"  # the workspace is closed


def test_chat_can_be_switched_off() -> None:
    row = chat_settings_get()
    row.enabled = False
    row.save()
    assert chat_availability().reason == "disabled"


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        ("09:00-17:00", [["09:00", "17:00"]]),
        ("13:00-17:00, 09:00 - 12:00", [["09:00", "12:00"], ["13:00", "17:00"]]),
        ("00:00-24:00", [["00:00", "24:00"]]),
        ("", []),
    ],
)
def test_hours_are_typed_as_ranges(typed: str, parsed: list[list[str]]) -> None:
    assert hours_parse(typed) == parsed


@pytest.mark.parametrize("typed", ["9 to 5", "17:00-09:00", "09:00-25:00", "09:00-12:00, 11:00-13:00"])
def test_impossible_hours_are_explained(typed: str) -> None:
    with pytest.raises(SettingsError):
        hours_parse(typed)

"""Clocks in business time: nights, weekends, holidays, lunch breaks and clock changes."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from connect_support.sla.calendar import BusinessCalendar, business_add, business_between, is_open

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
H = timedelta(hours=1)
M = timedelta(minutes=1)
OFFICE = {day: [(9 * 60, 17 * 60)] for day in range(5)}  # Monday to Friday, 09:00-17:00


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def office() -> BusinessCalendar:
    return BusinessCalendar.build(zone="UTC", weekly=OFFICE)


# 2026-11-23 is a Monday.
def test_within_one_day(office: BusinessCalendar) -> None:
    assert business_add(office, utc(2026, 11, 23, 10), H) == utc(2026, 11, 23, 11)
    assert business_add(office, utc(2026, 11, 23, 10, 30), 90 * M) == utc(2026, 11, 23, 12)


def test_overnight_carries_the_rest_to_the_next_opening(office: BusinessCalendar) -> None:
    assert business_add(office, utc(2026, 11, 23, 16), 2 * H) == utc(2026, 11, 24, 10)
    assert business_between(office, utc(2026, 11, 23, 16), utc(2026, 11, 24, 10)) == 2 * H


def test_a_due_time_on_the_closing_minute_stays_there(office: BusinessCalendar) -> None:
    assert business_add(office, utc(2026, 11, 23, 9), 8 * H) == utc(2026, 11, 23, 17)


def test_weekend_is_skipped(office: BusinessCalendar) -> None:
    friday_4pm = utc(2026, 11, 27, 16)
    assert business_add(office, friday_4pm, 2 * H) == utc(2026, 11, 30, 10)
    assert business_between(office, friday_4pm, utc(2026, 11, 30, 10)) == 2 * H
    # A case written on Saturday starts counting on Monday morning.
    assert business_add(office, utc(2026, 11, 28, 11), 30 * M) == utc(2026, 11, 30, 9, 30)


def test_start_before_opening_counts_from_opening(office: BusinessCalendar) -> None:
    assert business_add(office, utc(2026, 11, 24, 6), H) == utc(2026, 11, 24, 10)
    assert business_between(office, utc(2026, 11, 24, 6), utc(2026, 11, 24, 8)) == timedelta(0)


def test_multi_day_durations(office: BusinessCalendar) -> None:
    # 5 business days of 8 hours from Monday 09:00 ends Friday 17:00.
    assert business_add(office, utc(2026, 11, 23, 9), 40 * H) == utc(2026, 11, 27, 17)
    assert business_add(office, utc(2026, 11, 23, 9), 41 * H) == utc(2026, 11, 30, 10)


def test_holidays_are_closed_all_day() -> None:
    calendar = BusinessCalendar.build(zone="UTC", weekly=OFFICE, holidays=[date(2026, 11, 26)])
    # Wednesday 16:00 + 2h: Thursday is a holiday, so Friday 10:00.
    assert business_add(calendar, utc(2026, 11, 25, 16), 2 * H) == utc(2026, 11, 27, 10)
    assert business_between(calendar, utc(2026, 11, 25, 9), utc(2026, 11, 28)) == 16 * H


def test_lunch_break_and_overlapping_ranges_are_merged() -> None:
    calendar = BusinessCalendar.build(
        zone="UTC", weekly={0: [(13 * 60, 17 * 60), (9 * 60, 12 * 60), (10 * 60, 11 * 60)]}
    )
    assert calendar.weekly[0] == ((9 * 60, 12 * 60), (13 * 60, 17 * 60))
    assert business_add(calendar, utc(2026, 11, 23, 11), 2 * H) == utc(2026, 11, 23, 14)
    assert business_between(calendar, utc(2026, 11, 23, 0), utc(2026, 11, 24, 0)) == 7 * H


def test_negative_when_the_end_comes_first(office: BusinessCalendar) -> None:
    assert business_between(office, utc(2026, 11, 24, 10), utc(2026, 11, 23, 16)) == -2 * H


def test_zero_and_negative_durations_return_the_start(office: BusinessCalendar) -> None:
    saturday = utc(2026, 11, 28, 11)
    assert business_add(office, saturday, timedelta(0)) == saturday
    assert business_add(office, saturday, -H) == saturday


def test_local_hours_in_the_calendars_time_zone() -> None:
    calendar = BusinessCalendar.build(zone=NEW_YORK, weekly=OFFICE)
    # Monday 09:00 in New York (EST, UTC-5) is 14:00 UTC.
    assert business_add(calendar, utc(2026, 11, 23, 12), H) == utc(2026, 11, 23, 15)
    assert is_open(calendar, utc(2026, 11, 23, 21, 59))
    assert not is_open(calendar, utc(2026, 11, 23, 22))


def test_spring_forward_weekend_in_paris() -> None:
    calendar = BusinessCalendar.build(zone=PARIS, weekly=OFFICE)
    # Friday 27 March 2026 16:00 CET (+1); clocks go forward on Sunday 29th; Monday 09:00 is CEST (+2).
    due = business_add(calendar, paris(2026, 3, 27, 16), 2 * H)
    assert due == paris(2026, 3, 30, 10)
    assert due == utc(2026, 3, 30, 8)
    assert business_between(calendar, paris(2026, 3, 27, 16), due) == 2 * H


def test_the_spring_day_around_the_clock_has_23_hours() -> None:
    calendar = BusinessCalendar.around_the_clock("Europe/Paris")
    assert business_between(calendar, paris(2026, 3, 29), paris(2026, 3, 30)) == 23 * H
    assert business_add(calendar, paris(2026, 3, 28, 12), 24 * H) == paris(2026, 3, 29, 13)


def test_the_autumn_day_around_the_clock_has_25_hours() -> None:
    calendar = BusinessCalendar.around_the_clock("Europe/Paris")
    assert business_between(calendar, paris(2026, 10, 25), paris(2026, 10, 26)) == 25 * H


def test_hours_inside_the_spring_gap() -> None:
    # Open 02:00-04:00 on Sundays: on 29 March 02:00-03:00 does not exist, one real hour is left.
    calendar = BusinessCalendar.build(zone=PARIS, weekly={6: [(2 * 60, 4 * 60)]})
    assert business_between(calendar, paris(2026, 3, 29), paris(2026, 3, 30)) == H
    assert business_between(calendar, paris(2026, 3, 22), paris(2026, 3, 23)) == 2 * H


def test_hours_across_the_repeated_autumn_hour() -> None:
    # Open 02:00-04:00 on Sundays: on 25 October 02:00-03:00 happens twice, three real hours.
    calendar = BusinessCalendar.build(zone=PARIS, weekly={6: [(2 * 60, 4 * 60)]})
    assert business_between(calendar, paris(2026, 10, 25), paris(2026, 10, 26)) == 3 * H


def test_a_calendar_without_hours_counts_wall_clock_time() -> None:
    calendar = BusinessCalendar.build(zone="UTC", weekly={})
    assert not calendar.has_hours
    assert business_add(calendar, utc(2026, 11, 28, 11), 5 * H) == utc(2026, 11, 28, 16)
    assert business_between(calendar, utc(2026, 11, 28, 11), utc(2026, 11, 28, 16)) == 5 * H


def test_a_calendar_closed_for_more_than_a_year_falls_back_to_wall_clock() -> None:
    start = date(2026, 11, 23)
    holidays = [start + timedelta(days=n) for n in range(500)]
    calendar = BusinessCalendar.build(zone="UTC", weekly=OFFICE, holidays=holidays)
    due = business_add(calendar, utc(2026, 11, 23, 10), H)
    assert due == utc(2026, 11, 23, 10) + timedelta(days=400) + H


def test_bad_ranges_are_refused() -> None:
    with pytest.raises(ValueError, match="bad interval"):
        BusinessCalendar.build(zone="UTC", weekly={0: [(17 * 60, 9 * 60)]})
    with pytest.raises(ValueError, match="bad interval"):
        BusinessCalendar.build(zone="UTC", weekly={0: [(0, 25 * 60)]})


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe"])
def test_adding_then_measuring_gives_back_the_duration(zone: str) -> None:
    calendar = BusinessCalendar.build(
        zone=zone,
        weekly={**OFFICE, 5: [(10 * 60, 14 * 60)], 0: [(0, 3 * 60), (8 * 60, 24 * 60)]},
        holidays=[date(2026, 12, 25), date(2027, 1, 1), date(2026, 10, 26)],
    )
    rng = random.Random(zone)
    for _ in range(300):
        start = utc(2026, 1, 1) + timedelta(minutes=rng.randrange(0, 730 * 24 * 60))
        duration = timedelta(minutes=rng.randrange(1, 60 * 60))
        due = business_add(calendar, start, duration)
        assert due > start
        assert business_between(calendar, start, due) == duration
        assert is_open(calendar, due - M)

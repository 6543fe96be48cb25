"""Helpers for the SLA tests: cases opened through the cases services, a business calendar
set on the operator's settings, and the clock moved by rewriting a case's start."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from connect_support.cases.models import Case
from connect_support.cases.services import MessageInput, case_create
from connect_support.chat.availability import chat_settings_get
from connect_support.chat.models import ChatHoliday
from connect_support.sla.models import CaseSla
from connect_support.sla.services import sla_policies_seed_defaults, sla_start
from tests.identity.fixtures import fresh_rate_limits

__all__ = ["fresh_rate_limits"]


@pytest.fixture(autouse=True)
def default_policies(db: None) -> None:
    """The policies migration 0002 seeds; a test on a flushed database gets them too."""
    sla_policies_seed_defaults()


OFFICE_HOURS = {str(day): [["09:00", "17:00"]] for day in range(5)} | {"5": [], "6": []}


def open_case(
    *, subject: str = "My payout is late", channel: str = Case.Channel.EMAIL, email: str = "robin@example.com"
) -> Case:
    return case_create(
        requester_email=email,
        requester_name="Robin",
        subject=subject,
        message=MessageInput(body_text="Hello, where is my payout?"),
        channel=channel,
        acknowledge=False,
    ).case


def set_calendar(
    *, zone: str = "UTC", hours: dict[str, list[list[str]]] | None = None, holidays: tuple[tuple[date, str], ...] = ()
) -> None:
    row = chat_settings_get()
    row.time_zone = zone
    row.weekly_hours = OFFICE_HOURS if hours is None else hours
    row.save()
    for day, name in holidays:
        ChatHoliday.objects.create(date=day, name=name)


def restart_at(case: Case, start: datetime) -> CaseSla:
    """The case as if it had been opened at ``start``: its clocks start again from there."""
    Case.objects.filter(pk=case.pk).update(created_at=start)
    CaseSla.objects.filter(case=case).delete()
    case.refresh_from_db()
    started = sla_start(case=case)
    assert started is not None
    return started

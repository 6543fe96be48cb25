"""Every case carries timers from the policies; replies, waiting and solving move them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from connect_support.cases.history import CaseActor
from connect_support.cases.models import Case
from connect_support.cases.services import (
    MessageInput,
    case_add_requester_message,
    case_reply_as_agent,
    case_set_status,
    case_update_fields,
)
from connect_support.sla.models import CaseSla, SlaPolicy
from connect_support.sla.selectors import case_sla, duration_text
from connect_support.sla.services import sla_requester_wrote, sla_status_changed
from tests.identity.fixtures import make_agent
from tests.sla.conftest import open_case, restart_at, set_calendar

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


def test_a_new_case_gets_the_default_targets_of_its_priority() -> None:
    case = open_case()
    sla = CaseSla.objects.get(case=case)
    # The operator's calendar is open around the clock until hours are set.
    assert sla.first_response_due_at == case.created_at + 8 * H
    assert sla.resolution_due_at == case.created_at + 72 * H
    assert sla.next_response_due_at is None
    case.refresh_from_db()
    assert case.first_response_due_at == sla.first_response_due_at
    assert case.resolution_due_at == sla.resolution_due_at


def test_chat_cases_use_the_chat_targets() -> None:
    case = open_case(channel=Case.Channel.CHAT)
    sla = CaseSla.objects.get(case=case)
    assert sla.first_response_due_at == case.created_at + 2 * H
    assert sla.policy is not None
    assert sla.policy.channel == "chat"


def test_due_dates_skip_nights_weekends_and_holidays() -> None:
    set_calendar(zone="Europe/Paris", holidays=((date(2026, 11, 30), "Closing day"),))
    case = open_case()
    # Friday 27 November 2026, 16:00 in Paris (15:00 UTC).
    sla = restart_at(case, datetime(2026, 11, 27, 15, tzinfo=UTC))
    # 8 business hours: 1 on Friday, Monday is a holiday, 7 on Tuesday → Tuesday 16:00 Paris.
    assert sla.first_response_due_at == datetime(2026, 12, 1, 15, tzinfo=UTC)
    # 72 business hours = 9 working days of 8 hours.
    assert sla.resolution_due_at == datetime(2026, 12, 11, 15, tzinfo=UTC)


def test_an_agent_reply_meets_the_first_response_and_waiting_pauses_resolution() -> None:
    agent, _ = make_agent()
    case = open_case()
    case_reply_as_agent(case=case, agent=agent, body_text="We are looking into it.")
    sla = CaseSla.objects.get(case=case)
    assert sla.first_response_met_at is not None
    assert sla.paused_at is not None  # the reply left the case waiting for the requester
    case.refresh_from_db()
    assert case.status == Case.Status.PENDING
    assert case.resolution_due_at is None  # not "breaching soon" while the requester has the ball
    timers = {timer.timer: timer for timer in case_sla(case)}
    assert timers["first_response"].state == "met"
    assert timers["resolution"].state == "paused"
    assert timers["resolution"].remaining is not None
    assert timers["resolution"].remaining > 71 * H


def test_an_internal_note_is_not_a_response() -> None:
    agent, _ = make_agent()
    case = open_case()
    case_reply_as_agent(case=case, agent=agent, body_text="Checking with payouts", internal=True)
    sla = CaseSla.objects.get(case=case)
    assert sla.first_response_met_at is None
    assert sla.paused_at is None


def test_the_requester_writing_back_starts_the_next_response_clock() -> None:
    agent, _ = make_agent()
    case = open_case()
    case_reply_as_agent(case=case, agent=agent, body_text="Can you send the payout id?")
    message = case_add_requester_message(
        case=case, author_email="robin@example.com", author_name="Robin", via="email",
        message=MessageInput(body_text="It is po_123"),
    )  # fmt: skip
    sla = CaseSla.objects.get(case=case)
    assert sla.next_response_due_at == message.created_at + 16 * H
    assert sla.paused_at is None
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    assert case.resolution_due_at == sla.resolution_due_at
    # A second message before the reply keeps the clock of the first one.
    case_add_requester_message(
        case=case, author_email="robin@example.com", author_name="Robin", via="email",
        message=MessageInput(body_text="Any news?"),
    )  # fmt: skip
    assert CaseSla.objects.get(case=case).next_response_due_at == sla.next_response_due_at
    case_reply_as_agent(case=case, agent=agent, body_text="Found it.", status=Case.Status.OPEN)
    assert CaseSla.objects.get(case=case).next_response_due_at is None


def test_paused_business_time_moves_the_resolution_due_date() -> None:
    set_calendar(zone="UTC")
    case = open_case()
    monday_9 = datetime(2026, 11, 23, 9, tzinfo=UTC)
    sla = restart_at(case, monday_9)
    assert sla.resolution_due_at == datetime(2026, 12, 3, 17, tzinfo=UTC)  # nine working days of 8 hours
    # Waiting for the requester from Monday 11:00 to Tuesday 10:00: 7 business hours.
    sla_status_changed(case_id=case.pk, status=Case.Status.PENDING, at=monday_9 + 2 * H)
    paused = CaseSla.objects.get(case=case)
    assert paused.paused_remaining_seconds == int((72 - 2) * H.total_seconds())
    sla_requester_wrote(case_id=case.pk, at=datetime(2026, 11, 24, 10, tzinfo=UTC))
    resumed = CaseSla.objects.get(case=case)
    assert resumed.paused_total_seconds == int(7 * H.total_seconds())
    assert resumed.resolution_due_at == datetime(2026, 12, 4, 16, tzinfo=UTC)


def test_solving_stops_every_clock_and_reopening_resumes() -> None:
    agent, _ = make_agent()
    case = open_case()
    case_set_status(case=case, status=Case.Status.SOLVED, actor=CaseActor.agent(agent))
    sla = CaseSla.objects.get(case=case)
    assert sla.resolved_at is not None
    assert {timer.state for timer in case_sla(case)} == {"met"}
    case_set_status(case=case, status=Case.Status.OPEN, actor=CaseActor.agent(agent))
    assert CaseSla.objects.get(case=case).resolved_at is None


def test_raising_the_priority_applies_the_new_targets_from_the_start() -> None:
    agent, _ = make_agent()
    case = open_case()
    case_update_fields(case=case, actor=CaseActor.agent(agent), priority=Case.Priority.URGENT)
    sla = CaseSla.objects.get(case=case)
    assert sla.first_response_due_at == case.created_at + 1 * H
    assert sla.resolution_due_at == case.created_at + 8 * H
    case.refresh_from_db()
    assert case.first_response_due_at == sla.first_response_due_at


def test_a_priority_without_any_policy_has_no_timers() -> None:
    SlaPolicy.objects.filter(priority=Case.Priority.NORMAL).delete()
    case = open_case()
    assert not CaseSla.objects.filter(case=case).exists()
    assert case_sla(case) == []


def test_timers_read_in_business_time() -> None:
    set_calendar(zone="UTC")
    case = open_case()
    restart_at(case, datetime(2026, 11, 27, 15, tzinfo=UTC))  # Friday 15:00, due Monday 15:00
    saturday = datetime(2026, 11, 28, 12, tzinfo=UTC)
    first = case_sla(case, now=saturday)[0]
    assert first.timer == "first_response"
    assert first.state == "running"
    assert first.remaining == 6 * H  # Monday 09:00-15:00, the weekend does not count
    assert first.remaining_text == "6h 00m"
    assert not first.soon
    assert case_sla(case, now=datetime(2026, 11, 30, 14, 30, tzinfo=UTC))[0].soon
    late = case_sla(case, now=datetime(2026, 11, 30, 15, 30, tzinfo=UTC))[0]
    assert late.state == "breached"
    assert late.breached
    assert late.remaining_text == "−30m"
    assert late.overdue_text == "30m"
    assert first.overdue_text == ""


def test_duration_text() -> None:
    assert duration_text(timedelta(minutes=45)) == "45m"
    assert duration_text(timedelta(hours=2, minutes=5)) == "2h 05m"
    assert duration_text(timedelta(days=3, hours=4)) == "3d 4h"
    assert duration_text(-timedelta(hours=1)) == "−1h 00m"


def test_the_case_list_reads_timers_with_few_queries(django_assert_max_num_queries: object) -> None:
    from connect_support.sla.selectors import cases_sla, operator_calendar

    cases = [open_case(subject=f"Case {n}") for n in range(20)]
    calendar = operator_calendar()
    with django_assert_max_num_queries(1):  # type: ignore[operator]
        timers = cases_sla(cases, calendar=calendar, now=timezone.now())
    assert len(timers) == 20


def test_the_seeded_defaults_match_the_documented_targets() -> None:
    import importlib

    from connect_support.sla.services import DEFAULT_CHAT_FIRST_RESPONSE, DEFAULT_TARGETS

    migration = importlib.import_module("connect_support.sla.migrations.0002_default_policies")
    assert migration.DEFAULTS == DEFAULT_TARGETS
    assert migration.CHAT_FIRST_RESPONSE == DEFAULT_CHAT_FIRST_RESPONSE
    assert SlaPolicy.objects.count() == 8
    low = SlaPolicy.objects.get(priority="low", channel="")
    assert (low.first_response_minutes, low.next_response_minutes, low.resolution_minutes) == (1440, 2880, 7200)
    assert SlaPolicy.objects.get(priority="urgent", channel="chat").first_response_minutes == 30


def test_time_spent_solved_does_not_count_after_reopening() -> None:
    case = open_case()
    start = datetime(2026, 11, 23, 9, tzinfo=UTC)
    sla = restart_at(case, start)  # around the clock: resolution due 72 h later
    assert sla.resolution_due_at == start + 72 * H
    sla_status_changed(case_id=case.pk, status=Case.Status.SOLVED, at=start + 10 * H)
    assert case_sla(case, now=start + 100 * H)[-1].state == "met"
    sla_status_changed(case_id=case.pk, status=Case.Status.OPEN, at=start + 30 * H)
    reopened = CaseSla.objects.get(case=case)
    assert reopened.resolved_at is None
    assert reopened.resolution_due_at == start + (72 + 20) * H


def test_a_new_priority_counts_the_next_response_from_the_requesters_message() -> None:
    agent, _ = make_agent()
    case = open_case()
    case_reply_as_agent(case=case, agent=agent, body_text="Which payout?")
    message = case_add_requester_message(
        case=case, author_email="robin@example.com", author_name="Robin", via="email",
        message=MessageInput(body_text="po_123"),
    )  # fmt: skip
    case_update_fields(case=case, actor=CaseActor.agent(agent), priority=Case.Priority.URGENT)
    assert CaseSla.objects.get(case=case).next_response_due_at == message.created_at + 4 * H

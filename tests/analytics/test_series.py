"""The series behind the charts, computed in SQL from known data: counts by channel, topic
and component, self-service, response and resolution times, chat waits and ratings."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from connect_support.analytics.selectors import (
    Filters,
    analytics_charts,
    chat_wait_times,
    contacts_by_channel,
    contacts_by_component,
    contacts_by_topic,
    csat_daily,
    csat_summary,
    response_times,
    self_service,
)
from connect_support.cases.models import Deflection
from tests.analytics.seed import (
    add_case,
    add_chat,
    add_counts,
    add_helpful_vote,
    add_rating,
    at,
    published_article,
    seed_month,
    some_account,
)

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 10)
D1, D2, D3 = date(2026, 3, 4), date(2026, 3, 5), date(2026, 3, 6)
WEEK = Filters(days=7, today=TODAY)


@pytest.fixture
def known() -> dict[str, Any]:
    account = some_account()
    first = add_case(
        created=at(D1, 9),
        channel="email",
        topic="payouts",
        component="account_onboarding",
        responded_after=timedelta(hours=2),
        solved_after=timedelta(hours=24),
    )
    second = add_case(
        created=at(D1, 9),
        channel="email",
        topic="payouts",
        component="account_onboarding",
        responded_after=timedelta(hours=4),
    )
    web = add_case(created=at(D3, 8), channel="web", topic="verification", component="notification_banner")
    add_case(created=at(D3, 9), channel="chat", topic="payouts")  # a chat turned into a case
    add_case(created=at(D1 - timedelta(days=5), 9), channel="email")  # before the week
    chat = add_chat(account=account, created=at(D3, 10), topic="payouts", wait=timedelta(minutes=3))
    add_chat(account=account, created=at(D3, 11), topic="payouts", wait=timedelta(minutes=1))
    add_chat(account=account, created=at(D3, 12), topic="disputes", wait=None)  # nobody answered
    add_rating(case=first, score=5, on=at(D2, 10))
    add_rating(case=web, score=3, on=at(D2, 12))
    add_rating(chat=chat, score=2, on=at(D3, 13))
    add_counts(day=D1, searches=40, views=70)
    add_counts(day=D2, searches=10, views=5, topic="verification")
    Deflection.objects.create(at=at(D2, 9), topic="payouts")
    Deflection.objects.create(at=at(D2, 10), topic="verification")
    add_helpful_vote(article=published_article(), on=at(D1, 15))
    return {"first": first, "second": second, "web": web}


def values(chart: Any, key: str) -> dict[date, Any]:
    series = next(s for s in chart.series if s.key == key)
    return {day: value for day, value in zip(chart.days, series.values, strict=True) if value}


def test_contacts_count_cases_and_chats_once_each_by_channel(known: dict[str, Any]) -> None:
    chart = contacts_by_channel(WEEK)
    assert len(chart.days) == 7
    assert chart.days[-1] == TODAY
    assert values(chart, "email") == {D1: 2}
    assert values(chart, "web") == {D3: 1}
    # Three chats; the case made from a chat is not counted a second time.
    assert values(chart, "chat") == {D3: 3}


def test_contacts_by_topic_and_by_component(known: dict[str, Any]) -> None:
    topics = contacts_by_topic(WEEK)
    assert values(topics, "payouts") == {D1: 2, D3: 2}
    assert values(topics, "verification") == {D3: 1}
    assert values(topics, "disputes") == {D3: 1}
    labels = {s.key: s.label for s in topics.series}
    assert labels["payouts"] == "Payouts"
    components = contacts_by_component(WEEK)
    assert values(components, "account_onboarding") == {D1: 2}
    assert values(components, "notification_banner") == {D3: 1}
    assert values(components, "") == {D3: 3}
    assert {s.key: s.label for s in components.series}[""] == "Support site (no component)"


def test_filters_narrow_every_contact_chart(known: dict[str, Any]) -> None:
    web_only = Filters(days=7, today=TODAY, channel="web")
    assert [s.total for s in contacts_by_channel(web_only).series] == [0, 1, 0]
    chats_only = Filters(days=7, today=TODAY, channel="chat")
    assert [s.total for s in contacts_by_channel(chats_only).series] == [0, 0, 3]
    payouts = Filters(days=7, today=TODAY, topic="payouts")
    assert [s.total for s in contacts_by_channel(payouts).series] == [2, 0, 2]
    assert csat_summary(payouts).responses == 2


def test_self_service_counts_beside_contacts(known: dict[str, Any]) -> None:
    chart = self_service(WEEK)
    assert values(chart, "search") == {D1: 40, D2: 10}
    assert values(chart, "article_view") == {D1: 70, D2: 5}
    series = {s.label: s for s in chart.series}
    assert series["“This solved my problem”"].total == 2
    assert series["Helpful votes"].total == 1
    assert series["Contacts"].total == 6
    verification = self_service(Filters(days=7, today=TODAY, topic="verification"))
    assert values(verification, "article_view") == {D2: 5}
    assert {s.label: s.total for s in verification.series}["“This solved my problem”"] == 1


def test_first_response_and_resolution_times_are_averaged_by_day(known: dict[str, Any]) -> None:
    chart = response_times(WEEK)
    assert values(chart, "first_response") == {D1: 3.0}  # 2 h and 4 h
    assert values(chart, "resolution") == {D2: 24.0}
    assert chart.series[0].values[1] is None  # a day without replies has no average, not zero


def test_chat_waits_average_and_longest(known: dict[str, Any]) -> None:
    chart = chat_wait_times(WEEK)
    assert values(chart, "average") == {D3: 2.0}
    assert values(chart, "longest") == {D3: 3.0}
    assert chat_wait_times(Filters(days=7, today=TODAY, channel="email")).is_empty


def test_satisfaction_by_day_and_in_total(known: dict[str, Any]) -> None:
    chart = csat_daily(WEEK)
    assert values(chart, "average") == {D2: 4.0, D3: 2.0}
    summary = csat_summary(WEEK)
    assert summary.responses == 3
    assert summary.by_score == {1: 0, 2: 1, 3: 1, 4: 0, 5: 1}
    assert summary.average == pytest.approx(3.33)
    assert summary.satisfied_percent == pytest.approx(33.3)
    assert csat_summary(Filters(days=7, today=TODAY, channel="chat")).by_score[2] == 1


def test_the_filters_come_from_query_parameters_and_refuse_the_unknown() -> None:
    parsed = Filters.parse({"range": "90", "channel": "web", "topic": "refunds"}, today=TODAY)
    assert (parsed.days, parsed.channel, parsed.topic) == (90, "web", "refunds")
    assert parsed.first_day == TODAY - timedelta(days=89)
    odd = Filters.parse({"range": "100000", "channel": "fax", "topic": "<script>"}, today=TODAY)
    assert (odd.days, odd.channel, odd.topic) == (30, "", "")
    assert Filters.parse({"range": "-7"}).days == 30


def test_the_number_of_queries_does_not_grow_with_the_data() -> None:
    with CaptureQueriesContext(connection) as empty:
        analytics_charts(Filters(days=30))
        csat_summary(Filters(days=30))
    seeded = seed_month(days=30)
    assert seeded.cases > 60
    assert seeded.chats > 20
    with CaptureQueriesContext(connection) as full:
        charts = analytics_charts(Filters(days=30))
        csat_summary(Filters(days=30))
    assert len(full.captured_queries) == len(empty.captured_queries) <= 10
    assert sum(s.total for s in charts[0].series) == seeded.cases + seeded.chats

"""The analytics page in the console: who may see it, its charts and data tables, each
chart's CSV, a bounded number of queries, and the page in Chromium (axe-core, keyboard)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.analytics.seed import add_case, add_rating, at, seed_month
from tests.chat.support import agent_session
from tests.conftest import axe_violations, screenshot
from tests.identity.fixtures import AGENT_PASSWORD, make_agent


def signed_in(client: Client, roles: tuple[str, ...]) -> Client:
    user, secret = make_agent(email=f"{roles[0].replace(' ', '-')}@operator.test", roles=roles)
    client.post("/console/login/", {"email": user.email, "password": AGENT_PASSWORD})
    client.post("/console/login/verify/", {"code": pyotp.TOTP(secret).at(timezone.now() - timedelta(seconds=30))})
    return client


@pytest.mark.django_db
def test_support_agents_see_analytics_and_others_are_told_what_is_missing(client: Client) -> None:
    assert client.get("/console/analytics/").status_code == 302  # to the sign-in page
    editor = signed_in(Client(), ("content editor",))
    refused = editor.get("/console/analytics/")
    assert refused.status_code == 403
    assert "analytics.view" in refused.content.decode()
    assert editor.get("/console/analytics/contacts-channel.csv").status_code == 403
    agent = signed_in(client, ("support agent",))
    page = agent.get("/console/analytics/")
    assert page.status_code == 200
    assert 'aria-current="page">Analytics</a>' in page.content.decode()


@pytest.mark.django_db
def test_the_page_shows_every_chart_with_a_table_and_a_csv_link(client: Client) -> None:
    seed_month(days=30)
    agent = signed_in(client, ("support agent",))
    body = agent.get("/console/analytics/?range=30").content.decode()
    for title in (
        "Contacts by channel",
        "Contacts by topic",
        "Contacts by source component",
        "Self-service and contacts",
        "First response and resolution times",
        "Chat wait times",
        "Customer satisfaction",
    ):
        assert f">{title}</h2>" in body
    assert body.count('role="img"') == 7
    assert body.count("<summary>Data table") == 7
    assert body.count("Download CSV") == 7
    assert "/console/analytics/csat.csv?range=30" in body
    assert "No data in this period." not in body


@pytest.mark.django_db
def test_the_page_costs_the_same_queries_with_or_without_data(client: Client) -> None:
    agent = signed_in(client, ("support agent",))
    agent.get("/console/analytics/")  # the session and the agent's roles warmed up
    with CaptureQueriesContext(connection) as empty:
        assert agent.get("/console/analytics/?range=90").status_code == 200
    seed_month(days=90)
    with CaptureQueriesContext(connection) as full:
        assert agent.get("/console/analytics/?range=90").status_code == 200
    assert len(full.captured_queries) == len(empty.captured_queries) <= 20


@pytest.mark.django_db
def test_each_chart_downloads_its_data_as_csv(client: Client) -> None:
    today = timezone.now().date()
    case = add_case(created=at(today, 0, 5), channel="web", topic="refunds")
    add_case(created=at(today - timedelta(days=1), 0, 5), channel="email", topic="refunds")
    add_rating(case=case, score=4, on=at(today, 0, 30))
    agent = signed_in(client, ("support agent",))
    response = agent.get("/console/analytics/contacts-channel.csv?range=7")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert (
        f'filename="contacts-channel-{(today - timedelta(days=6)).isoformat()}-{today.isoformat()}.csv"'
        in response["Content-Disposition"]
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["date", "Email (contacts)", "Web form (contacts)", "Chat (contacts)"]
    assert len(rows) == 8
    assert rows[-1] == [today.isoformat(), "0", "1", "0"]
    assert rows[-2] == [(today - timedelta(days=1)).isoformat(), "1", "0", "0"]
    csat_rows = list(csv.reader(io.StringIO(agent.get("/console/analytics/csat.csv?range=7").content.decode())))
    assert csat_rows[0] == ["date", "Average rating (score)"]
    assert csat_rows[-1] == [today.isoformat(), "4"]
    assert csat_rows[1][1] == ""  # no rating that day: empty, not zero
    filtered = agent.get("/console/analytics/contacts-channel.csv?range=7&channel=email")
    assert list(csv.reader(io.StringIO(filtered.content.decode())))[-1][2] == "0"
    assert agent.get("/console/analytics/no-such-chart.csv").status_code == 404


@pytest.mark.browser
def test_the_analytics_page_in_chromium(live_url: str, page: Any) -> None:
    seed_month(days=30)
    user, _secret = make_agent(roles=("support agent",))
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": agent_session(user), "url": live_url}])
    page.goto(f"{live_url}/console/analytics/")
    page.get_by_role("heading", name="Analytics", level=1).wait_for()
    chart = page.get_by_role("img", name="Contacts by channel")
    assert chart.is_visible()
    # The filters work from the keyboard.
    page.get_by_label("Period", exact=True).select_option("7")
    page.get_by_label("Channel", exact=True).select_option("chat")
    page.get_by_label("Channel", exact=True).focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/analytics/?range=7&channel=chat&topic=")
    assert page.get_by_label("Period", exact=True).input_value() == "7"
    page.goto(f"{live_url}/console/analytics/?range=30")
    page.get_by_text("Data table", exact=False).first.click()
    table = page.locator("details.chart__data").first.locator("table")
    assert table.is_visible()
    assert table.locator("tbody tr").count() == 30
    violations = axe_violations(page)
    assert not violations, [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations]
    shots = screenshot(page, "console-analytics").parent
    page.locator("section.chart").nth(0).screenshot(path=str(shots / "console-analytics-contacts.png"))
    page.locator("section.chart").nth(3).screenshot(path=str(shots / "console-analytics-self-service.png"))
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV of contacts by channel").click()
    assert download.value.suggested_filename.startswith("contacts-channel-")

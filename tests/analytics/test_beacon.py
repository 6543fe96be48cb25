"""The support site's counting beacon: one aggregated row a day and kind, bad events
refused without counting, and the page script that sends it from Chromium."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from connect_support.analytics.models import DailyCount
from tests.conftest import axe_violations

BEACON = "/embedded-connect/analytics/beacon"


def send(client: Client, body: Any, raw: bytes | None = None) -> Any:
    return client.post(BEACON, data=raw if raw is not None else json.dumps(body), content_type="application/json")


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()


@pytest.mark.django_db
def test_views_and_searches_add_up_in_one_row_a_day(client: Client) -> None:
    for _ in range(3):
        assert send(client, {"kind": "article_view", "topic": "payouts"}).status_code == 204
    send(client, {"kind": "article_view", "topic": "refunds"})
    send(client, {"kind": "search", "topic": "payouts"})  # a search is counted without a topic
    send(client, {"kind": "search"})
    today = timezone.now().date()
    counts = {(row.kind, row.topic): row.count for row in DailyCount.objects.filter(day=today)}
    assert counts == {("article_view", "payouts"): 3, ("article_view", "refunds"): 1, ("search", ""): 2}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "raw", "status"),
    [
        ({"kind": "page_view"}, None, 400),
        ({"kind": "article_view", "topic": "not-a-topic"}, None, 400),
        ({"kind": "article_view", "topic": 7}, None, 400),
        ({"kind": ["search"]}, None, 400),
        (None, b"{oops", 400),
        (None, b'"search"', 400),
        (None, b"x" * 5000, 413),
    ],
)
def test_bad_events_are_refused_and_not_counted(client: Client, body: Any, raw: bytes | None, status: int) -> None:
    response = send(client, body, raw)
    assert response.status_code == status
    assert response.json()["error"]["message"]
    assert not DailyCount.objects.exists()


@pytest.mark.django_db
def test_a_flood_from_one_address_is_cut_off(client: Client) -> None:
    statuses = [send(client, {"kind": "search"}).status_code for _ in range(125)]
    assert statuses.count(204) == 120
    assert statuses[-1] == 429
    assert DailyCount.objects.get().count == 120


def test_only_post_is_accepted(client: Client) -> None:
    assert client.get(BEACON).status_code == 405


@pytest.mark.browser
def test_article_pages_and_searches_send_one_beacon_each(live_url: str, page: Any) -> None:
    from tests.analytics.seed import published_article

    article = published_article(topic="payouts", slug="payout-timing")
    article.body_markdown = "Payouts arrive in two business days."
    article.save()
    beacons: list[str] = []
    page.on("request", lambda request: beacons.append(request.method) if request.url.endswith(BEACON) else None)
    with page.expect_response(lambda r: r.url.endswith(BEACON)):
        page.goto(f"{live_url}/embedded-connect/search/?q=payout")
    with page.expect_response(lambda r: r.url.endswith(BEACON)):
        page.goto(f"{live_url}/embedded-connect/payouts/payout-timing/")
    page.reload()  # the same page again in the same tab counts once
    page.goto(f"{live_url}/embedded-connect/")
    page.wait_for_load_state("networkidle")
    assert beacons == ["POST", "POST"]
    counts = {(row.kind, row.topic): row.count for row in DailyCount.objects.all()}
    assert counts == {("search", ""): 1, ("article_view", "payouts"): 1}
    assert not axe_violations(page)

"""The demo walked in Chromium: the start page, the demo platform, a new account through the API."""

from __future__ import annotations

import re
from typing import Any

import pytest

from connect_support.accounts.models import ConnectedAccount
from connect_support.platform_demo.seed import seed_demo
from tests.conftest import axe_violations, screenshot

pytestmark = pytest.mark.browser


def test_start_page_leads_to_the_demo_and_the_demo_creates_accounts(page: Any, live_url: str) -> None:
    seeded = seed_demo(base_url=live_url)
    page.goto(live_url + "/")
    assert axe_violations(page) == []
    screenshot(page, "landing")
    page.get_by_role("link", name="Demo platform").click()
    page.wait_for_url(re.compile(r"/demo/$"))

    juniper = seeded["platforms"][0]
    rows = page.locator("tbody tr")
    assert rows.count() == len(juniper["accounts"])
    first = juniper["accounts"][0]
    row = page.locator(f'tr[data-account="{first["id"]}"]')
    assert "Active" in row.inner_text()
    assert "Connect Support" in row.inner_text()  # the operator supports this platform's accounts
    restricted = page.locator(f'tr[data-account="{juniper["accounts"][1]["id"]}"]')
    assert "item" in restricted.inner_text()  # requirements are due
    assert axe_violations(page) == []
    screenshot(page, "demo-juniper")

    page.get_by_label("Business name").fill("Lumen Candles")
    page.get_by_label("Owner's name").fill("Iris Vale")
    page.get_by_label("Email").fill("iris@lumen.example")
    page.get_by_label("Mobile phone").fill("+1 415 555 0142")
    page.get_by_role("button", name="Create account").click()
    status = page.get_by_role("status")
    assert "Created connected account" in status.inner_text()
    created = ConnectedAccount.objects.get(email="iris@lumen.example")
    assert created.platform.name == juniper["name"]
    assert created.representative is not None
    assert created.representative.phone == "+14155550142"
    assert page.locator(f'tr[data-account="{created.id}"]').count() == 1

    page.get_by_role("link", name="Ledgerly").click()
    ledgerly_row = page.locator(f'tr[data-account="{seeded["platforms"][1]["accounts"][0]["id"]}"]')
    assert "liable for negative balances" in ledgerly_row.inner_text()


def test_demo_shows_api_errors_clearly(page: Any, live_url: str) -> None:
    seed_demo(base_url=live_url)
    page.goto(live_url + "/demo/")
    page.get_by_label("Business name").fill("Bad Phone Co")
    page.get_by_label("Owner's name").fill("Kim Lee")
    page.get_by_label("Email").fill("kim@bad.example")
    page.get_by_label("Mobile phone").fill("12")
    page.get_by_role("button", name="Create account").click()
    alert = page.get_by_role("alert")
    assert "Invalid phone number" in alert.inner_text()
    assert not ConnectedAccount.objects.filter(email="kim@bad.example").exists()

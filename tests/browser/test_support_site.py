"""The support site in Chromium: accessibility, looks at two widths, type-ahead by
keyboard, the helpful vote and the contact panel."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from connect_support.helpcenter.content_version import content_version_bump
from connect_support.helpcenter.loader import load_content
from tests.conftest import axe_violations, screenshot

pytestmark = pytest.mark.browser

PAGES = {
    "home": "/embedded-connect/",
    "topic": "/embedded-connect/payouts/",
    "article": "/embedded-connect/payouts/change-bank-account/",
    "search": "/embedded-connect/search/?q=when+will+I+get+paid",
    "empty-search": "/embedded-connect/search/?q=qqxxzz",
    "contact": "/embedded-connect/contact/",
}


@pytest.fixture
def site(live_url: str) -> str:
    load_content()
    content_version_bump()
    return live_url


def test_pages_are_accessible_and_fit_a_phone(site: str, page: Any) -> None:
    for name, path in PAGES.items():
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(site + path)
        assert page.locator("h1").count() == 1, name
        assert page.locator("aside.hc-contact").is_visible(), name
        violations = axe_violations(page)
        assert not violations, (name, [(v["id"], v["nodes"][0]["target"]) for v in violations])
        screenshot(page, f"support-{name}-desktop")
        page.set_viewport_size({"width": 320, "height": 800})
        page.goto(site + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 320px"
        assert not axe_violations(page), name
        screenshot(page, f"support-{name}-phone")


def test_type_ahead_by_keyboard_then_vote(site: str, page: Any) -> None:
    page.goto(site + "/embedded-connect/")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")
    search = page.get_by_role("combobox", name="Search the help center")
    search.focus()
    page.keyboard.type("chargeb")
    listbox = page.get_by_role("listbox", name="Suggested articles")
    listbox.wait_for()
    assert search.get_attribute("aria-expanded") == "true"
    first = listbox.get_by_role("option").first
    # The list first shows answers for what was typed so far; wait for the whole word's.
    expect(first.locator("a")).to_have_attribute("href", re.compile(r"/embedded-connect/disputes/"))
    assert first.locator("mark").count() >= 1
    screenshot(page, "support-typeahead")
    page.keyboard.press("ArrowDown")
    assert first.get_attribute("aria-selected") == "true"
    assert search.get_attribute("aria-activedescendant") == first.get_attribute("id")
    page.keyboard.press("Enter")
    page.wait_for_url("**/embedded-connect/disputes/**")

    feedback = page.locator("#feedback")
    feedback.wait_for()  # shown once the page has the visitor's CSRF token from api/me
    feedback.get_by_role("button", name="Yes").click()
    thanks = page.get_by_text("Thanks for telling us.")
    thanks.wait_for()
    page.get_by_label("Anything we should add or fix? (optional)").fill("The deadlines table helped.")
    feedback.get_by_role("button", name="Send").click()
    page.get_by_text("Thank you. Your comment helps us improve this article.").wait_for()
    assert page.locator("[data-hc-contact-panel]").get_attribute("data-hc-signed-in") == "false"


def test_enter_without_a_suggestion_searches_and_the_panel_leads_to_contact(site: str, page: Any) -> None:
    page.goto(site + "/embedded-connect/payouts/change-bank-account/")
    search = page.get_by_role("combobox", name="Search the help center")
    search.fill("my customer wants their money back")
    page.get_by_role("listbox", name="Suggested articles").wait_for()
    page.keyboard.press("Escape")  # closes the suggestions, keeps the text
    assert search.get_attribute("aria-expanded") == "false"
    assert search.input_value() == "my customer wants their money back"
    page.keyboard.press("Enter")
    page.wait_for_url("**/embedded-connect/search/**")
    assert "/embedded-connect/refunds/" in page.locator(".hc-result a").first.get_attribute("href")
    page.locator("aside.hc-contact").get_by_role("link", name="Contact support").click()
    page.wait_for_url("**/embedded-connect/contact/")
    assert page.get_by_role("link", name="Email support@localhost").get_attribute("href") == "mailto:support@localhost"

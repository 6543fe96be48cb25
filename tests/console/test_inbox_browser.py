"""The inbox in Chromium: new work appears without a reload (and what the agent typed
stays), keyboard shortcuts, accessibility, and screenshots of the empty and full inbox."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from connect_support.cases.models import Case
from connect_support.chat.models import Conversation
from tests.chat.support import agent_session
from tests.conftest import axe_violations, screenshot
from tests.console.test_inbox import open_case
from tests.factories import PlatformFactory, make_account
from tests.identity.fixtures import make_agent

pytestmark = pytest.mark.browser


def signed_in(page: Any, live_url: str, roles: tuple[str, ...] = ("support agent",)) -> Any:
    user, _secret = make_agent(roles=roles)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": agent_session(user), "url": live_url}])
    return user


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations]


def test_new_work_appears_live_and_typing_is_kept(live_url: str, page: Any) -> None:
    signed_in(page, live_url)
    page.goto(f"{live_url}/console/")
    page.locator("#inbox[data-live='on']").wait_for()
    assert page.get_by_text("All clear.").is_visible()
    assert_accessible(page)
    screenshot(page, "console-inbox-empty")

    search = page.get_by_label("Search cases")
    search.fill("half-typed que")
    open_case("<script>window.pwned=1</script>Payout never arrived", name="Priya Natarajan")
    row = page.locator(".inbox-row", has_text="Payout never arrived")
    row.wait_for(timeout=8000)
    assert search.input_value() == "half-typed que"
    assert search.evaluate("element => element === document.activeElement")
    assert page.locator("#count-unassigned").inner_text() == "1"
    assert page.evaluate("window.pwned") is None
    assert "<script>window.pwned=1</script>" in row.inner_text()  # shown as text
    assert "1 new in this list" in page.locator("#inbox-live").inner_text()


def test_keyboard_shortcuts_move_open_search_and_help(live_url: str, page: Any) -> None:
    signed_in(page, live_url)
    first = open_case("Oldest question")
    second = open_case("Newest question")
    Case.objects.filter(pk=first.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    page.goto(f"{live_url}/console/?queue=open")
    page.locator("#inbox[data-live='on']").wait_for()
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.textContent").strip().endswith("Newest question")
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.textContent").strip().endswith("Oldest question")
    page.keyboard.press("k")
    assert page.locator(".inbox-row.is-selected").get_attribute("data-key") == second.pk

    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    dialog.wait_for()
    assert "Next / previous row" in dialog.inner_text()
    assert_accessible(page)
    screenshot(page, "console-inbox-help")
    page.keyboard.press("Escape")
    assert not dialog.is_visible()

    page.keyboard.press("/")
    search = page.get_by_label("Search cases")
    assert search.evaluate("element => element === document.activeElement")
    page.keyboard.type("j k o ?")  # shortcuts never fire while typing
    assert search.input_value() == "j k o ?"
    assert not dialog.is_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("o")
    page.wait_for_url(f"**/console/cases/{second.number}/")

    page.goto(f"{live_url}/console/me/")
    page.keyboard.press("g")
    page.keyboard.press("i")
    page.wait_for_url(f"{live_url}/console/")


def test_a_full_inbox_reads_at_a_glance(live_url: str, page: Any) -> None:
    user = signed_in(page, live_url)
    platform = PlatformFactory(name="Rocket Rides", business_name="Rocket Rides")
    now = timezone.now()
    subjects = [
        ("Payout to my bank never arrived", "payouts", Case.Priority.URGENT, now - timedelta(minutes=20)),
        ("Why is part of my balance held in reserve?", "reserves", Case.Priority.HIGH, now + timedelta(minutes=35)),
        ("Customer disputes a charge from March", "disputes", Case.Priority.NORMAL, now + timedelta(hours=5)),
        ("Verification document was rejected", "verification", Case.Priority.HIGH, None),
        ("Refund did not reach the customer", "refunds", Case.Priority.LOW, None),
        ("Card declined for a regular customer", "declines", Case.Priority.NORMAL, now + timedelta(days=1)),
    ]
    for index, (subject, topic, priority, due) in enumerate(subjects):
        account = make_account(platform, email=f"owner{index}@business.example")
        open_case(
            subject,
            topic=topic,
            priority=priority,
            account=account if index % 2 == 0 else None,
            claimed_account_id="" if index % 2 == 0 else "acct_1Claimed",
            name=["Priya Natarajan", "Jonas Weber", "Amara Okafor", "Li Wei", "Sofia Rossi", "Tom Baker"][index],
            email=f"person{index}@business.example",
            resolution_due_at=due,
            assignee=user if index == 1 else None,
            source_context={"component": "account_onboarding"} if index == 3 else None,
        )
    Conversation.objects.create(
        account=make_account(platform, email="chat@business.example"),
        requester_key="chat:-",
        requester_name="Noor Haddad",
        first_message="Hi, can you help me update my payout schedule?",
        created_at=now,
        queued_at=now - timedelta(minutes=3),
        last_activity_at=now,
    )
    page.goto(f"{live_url}/console/?queue=open")
    page.locator("#inbox[data-live='on']").wait_for()
    assert page.locator(".inbox-row").count() == 6
    assert page.locator(".badge--late").count() == 1
    assert_accessible(page)
    screenshot(page, "console-inbox-full")
    page.goto(f"{live_url}/console/?queue=breaching")
    assert page.locator(".inbox-row").count() == 2
    page.goto(f"{live_url}/console/?queue=waiting")
    assert page.get_by_text("update my payout schedule").is_visible()
    assert_accessible(page)
    screenshot(page, "console-inbox-chats")
    page.goto(f"{live_url}/console/?q=payout")
    assert page.locator(".inbox-row mark").count() >= 1
    assert_accessible(page)
    screenshot(page, "console-inbox-search")

"""In Chromium: an agent answers a case with a macro (keyboard only), keeps a draft across
a live refresh, and merges two cases; every page passes axe."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from connect_support.cases.models import Case, CaseMessage, Macro, OutboundEmail
from connect_support.cases.services import IncomingFile, MessageInput, case_create, case_reply_as_agent
from tests.cases.conftest import tiny_png
from tests.chat.support import agent_session
from tests.conftest import axe_violations, screenshot
from tests.factories import make_account, platform_with_keys
from tests.identity.fixtures import make_agent

pytestmark = pytest.mark.browser


def _case(subject: str, body: str, **kwargs: Any) -> Case:
    return case_create(
        requester_email="robin@shop.example",
        requester_name="Robin Owner",
        subject=subject,
        message=MessageInput(body_text=body, files=kwargs.pop("files", ())),
        channel=Case.Channel.WEB,
        acknowledge=False,
        **kwargs,
    ).case


def test_an_agent_answers_with_a_macro_and_merges_two_cases(live_url: str, page: Any) -> None:
    platform = platform_with_keys(name="Northwind Market").platform
    account = make_account(platform, business_profile={"name": "Robin's Bakery"})
    user, _ = make_agent()
    case = _case(
        "Payout missing",
        "Hello, my payout of <b>$120</b> did not arrive. <script>alert(1)</script>",
        account=account,
        files=(IncomingFile("receipt.png", tiny_png()),),
        source_context={
            "source": "account_management.payouts",
            "component": "account_management",
            "dialog": "payouts",
            "viewed_articles": [
                {"url": "/embedded-connect/payouts/when-payouts-arrive/", "title": "When payouts arrive"}
            ],
        },
    )
    case_reply_as_agent(case=case, agent=user, body_text="Asked the bank for a trace.", internal=True)
    duplicate = _case("Payout still missing", "Any news on my payout?", account=account)
    Macro.objects.create(
        title="Payout on its way",
        body="\n\n".join(
            [
                "Hi {{ requester.first_name }},",
                "the payout for case {{ case.number }} is on its way.",
                "{{ agent.name }}",
            ]
        ),
        shared=True,
    )
    page.context.add_cookies([{"name": "sessionid", "value": agent_session(user), "url": live_url}])

    page.goto(f"{live_url}/console/cases/{case.number}/")
    assert page.get_by_role("heading", name=f"#{case.number} Payout missing").is_visible()
    assert page.get_by_text("<script>alert(1)</script>", exact=False).is_visible()
    assert page.locator(".msg--note").get_by_text("Internal note").is_visible()
    assert page.get_by_role("img", name="receipt.png").is_visible()
    assert axe_violations(page) == []
    screenshot(page, "console-case")

    # A draft survives a reload (what "Load the changes" does).
    body = page.get_by_role("textbox", name="Message")
    body.fill("Draft: ")
    case_reply_as_agent(case=duplicate, agent=user, body_text="unrelated")  # another case: no notice
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    assert page.locator("#case-live").is_hidden()
    case_reply_as_agent(case=case, agent=user, body_text="A colleague's note", internal=True)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.get_by_role("link", name="Load the changes").wait_for()
    page.get_by_role("link", name="Load the changes").click()
    page.get_by_text("A colleague's note").wait_for()
    assert page.get_by_role("textbox", name="Message").input_value() == "Draft: "

    # Keyboard only: the macro goes in at the cursor, then the reply is sent.
    page.get_by_role("textbox", name="Message").focus()
    page.keyboard.press("End")
    page.get_by_label("Macro").focus()
    page.keyboard.press("Tab")  # to "Insert macro"
    page.keyboard.press("Enter")
    page.get_by_text("Macro inserted.").wait_for()
    expected = f"Draft: Hi Robin,\n\nthe payout for case {case.number} is on its way.\n\nAvery Agent"
    assert page.get_by_role("textbox", name="Message").input_value() == expected
    page.get_by_role("button", name="Send reply").click()
    page.get_by_text("Reply sent to the requester.").wait_for()
    assert CaseMessage.objects.filter(case=case, author_kind="agent", internal=False).count() == 1
    assert OutboundEmail.objects.filter(case=case, kind="agent_reply").count() == 1
    assert Macro.objects.get().usage_count == 1
    assert page.get_by_role("textbox", name="Message").input_value() == ""  # the sent draft is not restored
    assert axe_violations(page) == []

    # Merge the duplicate into this case.
    page.goto(f"{live_url}/console/cases/{duplicate.number}/")
    page.get_by_label("Merge this case into case number").fill(str(case.number))
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Merge", exact=True).click()
    page.get_by_text(f"Case #{duplicate.number} was merged into this case.").wait_for()
    assert page.url.endswith(f"/console/cases/{case.number}/")
    assert page.get_by_text("Any news on my payout?").is_visible()
    assert Case.objects.get(pk=duplicate.pk).merged_into_id == case.pk
    assert axe_violations(page) == []
    screenshot(page, "console-case-merged")

    page.set_viewport_size({"width": 420, "height": 900})
    assert page.get_by_role("button", name="Send reply").is_visible()
    screenshot(page, "console-case-narrow")
    wide = page.evaluate(
        """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .map(e => e.tagName + '.' + e.className).slice(0, 8)"""
    )
    assert wide == []
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{live_url}/console/macros/")
    assert page.get_by_role("heading", name="Macros", exact=True).is_visible()
    assert axe_violations(page) == []
    screenshot(page, "console-macros")


def test_a_stale_edit_shows_the_conflict_page(live_url: str, page: Any) -> None:
    user, _ = make_agent()
    case = _case("Card declined", "My card was declined.")
    page.context.add_cookies([{"name": "sessionid", "value": agent_session(user), "url": live_url}])
    page.goto(f"{live_url}/console/cases/{case.number}/")
    page.get_by_label("Priority").select_option("urgent")
    case_reply_as_agent(case=case, agent=user, body_text="Someone else answered first.")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("heading", name=f"Case #{case.number} changed while you were working on it").wait_for()
    assert page.get_by_text("New agent message").is_visible()
    assert page.get_by_label("Priority").input_value() == "urgent"
    assert axe_violations(page) == []
    screenshot(page, "console-case-conflict")
    page.get_by_role("button", name="Apply my changes anyway").click()
    page.get_by_text("Case updated.").wait_for()
    assert Case.objects.get(pk=case.pk).priority == "urgent"
    assert Path(os.environ["CONNECT_SUPPORT_DATA_DIR"], "screenshots", "console-case-conflict.png").exists()

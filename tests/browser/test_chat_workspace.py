"""The chat workspace in Chromium: the Chats link, the account beside the chat, a macro
inserted by keyboard, the customer leaving and coming back, and the chat turned into an
email case (with axe-core on each state)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from connect_support.cases.macros import macro_create
from connect_support.cases.models import Case
from connect_support.chat.models import ChatMessage, Conversation
from connect_support.risk.services import intervention_create
from tests.browser.test_chat import agent_signs_in, assert_accessible, customer_signs_in, new_page
from tests.conftest import screenshot
from tests.factories import make_account, platform_with_keys
from tests.identity.fixtures import fresh_rate_limits, make_agent

__all__ = ["fresh_rate_limits"]
pytestmark = pytest.mark.browser


def test_an_agent_works_a_chat_from_the_workspace(live_url: str, browser: Any) -> None:
    account = make_account(platform_with_keys().platform, email="owner@business.example")
    intervention_create(
        account=account,
        kind="pause_payouts",
        cause="compliance",
        message="Tell us about your business.",
        deadline=timezone.now() + timedelta(days=7),
    )
    user, secret = make_agent(email="avery@operator.test")
    macro_create(
        user=user,
        title="Payout timing",
        body="Hi {{ requester.first_name }}, payouts reach your bank 2 business days after they are sent.",
        shared=True,
    )
    macro_create(user=user, title="Sign-off", body="Anything else I can help with?", shared=False)
    agent_context, agent, agent_errors = new_page(browser)
    customer_context, customer, customer_errors = new_page(browser)
    try:
        agent_signs_in(agent, live_url, secret)
        nav = agent.get_by_role("navigation", name="Console")
        assert nav.get_by_role("link", name="Chats").get_attribute("aria-current") == "page"
        agent.get_by_text("Connected").wait_for()
        agent.get_by_label("Status", exact=True).select_option("online")
        agent.get_by_role("button", name="Apply").click()
        agent.get_by_text("You are online with 0 of 3 chats.").wait_for()

        customer_signs_in(customer, live_url, "/embedded-connect/")
        panel = customer.locator("aside.hc-contact")
        panel.get_by_role("button", name="Chat with us").click()
        panel.get_by_label("Your question").fill("Why are my payouts paused?")
        panel.get_by_role("button", name="Start chat").click()
        panel.get_by_text("You're chatting with Avery.").wait_for()

        # The chat opens with the customer present and the account beside it.
        agent.get_by_role("heading", name="Chat with Robin Owner").wait_for()
        agent.get_by_text("Robin Owner is in the chat.").wait_for()
        account_panel = agent.get_by_role("region", name="Account")
        account_panel.get_by_text("Payouts paused").wait_for()
        assert "Action required" in account_panel.inner_text()
        assert "Currently due" in account_panel.inner_text()

        # A macro, by keyboard only: "/" in the empty reply, filter, Enter. It is not sent.
        reply = agent.get_by_label("Reply")
        reply.focus()
        agent.keyboard.press("/")
        picker = agent.get_by_role("combobox", name="Insert a macro")
        picker.wait_for()
        assert picker.evaluate("node => node === document.activeElement")
        agent.get_by_role("option", name="Sign-off (personal) Anything else I can help with?").wait_for()
        agent.keyboard.type("payout")
        assert agent.get_by_role("listbox", name="Macros").get_by_role("option").count() == 1
        assert_accessible(agent)
        screenshot(agent, "chat-workspace-macro-picker")
        agent.keyboard.press("Enter")
        expected = "Hi Robin, payouts reach your bank 2 business days after they are sent."
        agent.wait_for_function("text => document.querySelector('#ws-message').value === text", arg=expected)
        assert reply.evaluate("node => node === document.activeElement")
        assert not picker.is_visible()
        assert ChatMessage.objects.filter(author_kind="agent").count() == 0
        agent.keyboard.press("Enter")
        panel.get_by_text(expected).wait_for()

        # The customer leaves (closes the tab), then comes back in a new one.
        customer.close()
        # The server hears of the closed socket when the browser closes it: give a loaded machine time.
        agent.get_by_text("Robin Owner left the chat at ").wait_for(timeout=30_000)
        assert agent.locator("[data-ws-log]").get_by_text("Robin Owner left the chat.").count() == 1
        assert "customer left" in agent.locator("[data-ws-mine]").inner_text()
        assert_accessible(agent)
        screenshot(agent, "chat-workspace-customer-left")
        customer = customer_context.new_page()
        customer.on("pageerror", lambda exc: customer_errors.append(str(exc)))
        customer.goto(f"{live_url}/embedded-connect/")
        panel = customer.locator("aside.hc-contact")
        panel.get_by_text(expected).wait_for()
        agent.get_by_text("Robin Owner is back.").wait_for(timeout=30_000)
        agent.get_by_text("Robin Owner is in the chat.").wait_for()

        # Turn into an email case: a double click makes one case; both sides see its number.
        agent.get_by_role("button", name="Turn into email case").dblclick()
        notice = agent.get_by_text("This chat is now email case #")
        notice.wait_for()
        case = Case.objects.get()
        panel.get_by_text(f"This chat is now email case #{case.number}.").wait_for()
        context = agent.locator("[data-ws-context]")
        context.get_by_role("link", name=f"Email case #{case.number}").wait_for()
        assert context.get_by_role("link", name=f"Email case #{case.number}").get_attribute("href") == (
            f"/console/cases/{case.number}/"
        )
        link = context.get_by_role("link", name="Transcript of this chat")
        assert ChatMessage.objects.filter(code="case_created").count() == 1
        assert case.source_context["conversation_id"] == Conversation.objects.get().pk
        assert not agent.get_by_role("button", name="Turn into email case").is_visible()
        assert_accessible(agent)
        screenshot(agent, "chat-workspace-case")

        # The chat's transcript page, with its case and the account beside it.
        link.click()
        agent.get_by_role("heading", name="Chat with Robin Owner").wait_for()
        assert (
            agent.get_by_role("link", name=f"#{case.number}").get_attribute("href") == f"/console/cases/{case.number}/"
        )
        agent.get_by_text(expected).wait_for()
        assert_accessible(agent)
        screenshot(agent, "chat-transcript")
        assert not agent_errors, agent_errors
        assert not customer_errors, customer_errors
    finally:
        agent_context.close()
        customer_context.close()


def test_an_ended_chat_can_still_become_an_email_case(live_url: str, browser: Any) -> None:
    make_account(platform_with_keys().platform, email="owner@business.example")
    _user, secret = make_agent(email="avery@operator.test")
    agent_context, agent, agent_errors = new_page(browser)
    customer_context, customer, customer_errors = new_page(browser)
    try:
        agent_signs_in(agent, live_url, secret)
        agent.get_by_text("Connected").wait_for()
        agent.get_by_label("Status", exact=True).select_option("online")
        agent.get_by_role("button", name="Apply").click()
        agent.get_by_text("You are online with 0 of 3 chats.").wait_for()
        customer_signs_in(customer, live_url, "/embedded-connect/")
        panel = customer.locator("aside.hc-contact")
        panel.get_by_role("button", name="Chat with us").click()
        panel.get_by_label("Your question").fill("I need a statement for my accountant.")
        panel.get_by_role("button", name="Start chat").click()
        agent.get_by_role("heading", name="Chat with Robin Owner").wait_for()

        agent.get_by_role("button", name="End chat").click()
        agent.get_by_text("Avery ended the chat.").wait_for()
        # Ended: no reply box, no transfer, but the chat can still go on by email.
        assert not agent.get_by_label("Reply").is_visible()
        assert not agent.get_by_role("button", name="Transfer").is_visible()
        assert "ended" in agent.locator("[data-ws-mine]").inner_text()
        agent.get_by_role("button", name="Turn into email case").click()
        agent.get_by_text("This chat is now email case #").wait_for()
        case = Case.objects.get()
        panel.get_by_text(f"This chat is now email case #{case.number}.").wait_for()
        assert not agent.get_by_role("button", name="Turn into email case").is_visible()
        assert f"ended · case #{case.number}" in agent.locator("[data-ws-mine]").inner_text()
        assert "I need a statement for my accountant." in case.messages.get().body_text
        assert_accessible(agent)
        screenshot(agent, "chat-workspace-ended-case")
        assert not agent_errors, agent_errors
        assert not customer_errors, customer_errors
    finally:
        agent_context.close()
        customer_context.close()

"""Live chat in Chromium: a customer on the support site and an agent in the console,
in two browser contexts, chatting in real time (with axe-core on both pages)."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest

from connect_support.chat.models import ChatMessage, Conversation
from tests.conftest import axe_violations, screenshot
from tests.factories import make_account, platform_with_keys
from tests.identity.fixtures import AGENT_PASSWORD, fresh_rate_limits, last_code, make_agent

__all__ = ["fresh_rate_limits"]
pytestmark = pytest.mark.browser
PHONE = "+14155550199"


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations]


def new_page(browser: Any) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


def agent_signs_in(page: Any, live_url: str, secret: str) -> None:
    page.goto(f"{live_url}/console/chats/")
    page.get_by_label("Work email").fill("avery@operator.test")
    page.get_by_label("Password").fill(AGENT_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/console/login/verify/**")
    page.get_by_label("Code", exact=True).fill(pyotp.TOTP(secret).now())
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_url}/console/chats/")


def customer_signs_in(page: Any, live_url: str, article: str) -> None:
    page.goto(f"{live_url}/embedded-connect/auth/?next={article}")
    page.get_by_label("Email or mobile number").fill("owner@business.example")
    page.keyboard.press("Enter")
    page.wait_for_url("**/embedded-connect/auth/code")
    page.get_by_label("6-digit code").fill(last_code(PHONE))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{article}")


def test_a_customer_and_an_agent_chat_live_in_two_browsers(live_url: str, browser: Any) -> None:
    make_account(platform_with_keys().platform, email="owner@business.example")
    _user, secret = make_agent(email="avery@operator.test")
    agent_context, agent, agent_errors = new_page(browser)
    customer_context, customer, customer_errors = new_page(browser)
    try:
        agent_signs_in(agent, live_url, secret)
        agent.get_by_text("Connected").wait_for()
        agent.get_by_label("Status", exact=True).select_option("online")
        agent.get_by_label("Chats at once").fill("2")
        agent.get_by_role("button", name="Apply").click()
        agent.get_by_text("You are online with 0 of 2 chats.").wait_for()
        assert_accessible(agent)
        screenshot(agent, "chat-console-waiting")

        # The customer, signed out: the panel offers sign-in to chat, and email.
        customer.goto(f"{live_url}/embedded-connect/?source=account_management.edit_payout_details")
        panel = customer.locator("aside.hc-contact")
        panel.get_by_role("link", name="Sign in to chat").wait_for()
        assert panel.get_by_role("link", name="Send us an email").is_visible()
        assert_accessible(customer)
        customer_signs_in(customer, live_url, "/embedded-connect/")
        panel.get_by_role("button", name="Chat with us").click()
        panel.get_by_label("Your question").fill("My payout of 1 June has not arrived.")
        panel.get_by_role("button", name="Start chat").click()
        panel.get_by_text("You're chatting with Avery.").wait_for()
        assert_accessible(customer)
        screenshot(customer, "chat-widget-started")

        # The agent got the chat, with where the customer came from.
        agent.get_by_role("heading", name="Chat with Robin Owner").wait_for()
        agent.get_by_text("My payout of 1 June has not arrived.").wait_for()
        assert "editing payout details" in agent.locator("[data-ws-context]").inner_text()
        customer.get_by_label("Message").fill("It was 120 dollars")
        agent.get_by_text("Robin is typing…").wait_for()
        customer.keyboard.press("Enter")
        agent.get_by_text("It was 120 dollars").wait_for()
        agent.get_by_label("Reply").fill("Thanks Robin, I can see it: it arrives tomorrow.")
        agent.get_by_role("button", name="Send").click()
        panel.get_by_text("Thanks Robin, I can see it: it arrives tomorrow.").wait_for()
        assert_accessible(agent)
        screenshot(agent, "chat-console-chatting")

        # A page change on the support site: the widget resumes the same chat with its history.
        customer.goto(f"{live_url}/embedded-connect/search/?q=payout")
        panel.get_by_text("Thanks Robin, I can see it: it arrives tomorrow.").wait_for()
        assert panel.get_by_text("It was 120 dollars").count() == 1
        panel.get_by_role("button", name="End chat").click()
        panel.get_by_text("Robin ended the chat.").wait_for()
        agent.get_by_text("Robin ended the chat.").wait_for()
        screenshot(customer, "chat-widget-ended")

        conversation = Conversation.objects.get()
        assert (conversation.status, conversation.end_reason) == ("ended", "customer")
        texts = list(ChatMessage.objects.filter(kind="message").order_by("seq").values_list("text", flat=True))
        assert texts == [
            "My payout of 1 June has not arrived.",
            "It was 120 dollars",
            "Thanks Robin, I can see it: it arrives tomorrow.",
        ]
        assert conversation.source_context["source"] == "account_management.edit_payout_details"
        assert not agent_errors, agent_errors
        assert not customer_errors, customer_errors
    finally:
        agent_context.close()
        customer_context.close()

"""Rating a chat once it has ended: the widget's prompt in Chromium, and the endpoint's
rules (only the customer who chatted, only after the end, one rating, clear refusals)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from connect_support.chat.models import Conversation
from connect_support.chat.services import conversation_end
from connect_support.csat.models import Rating
from connect_support.csat.selectors import csat_for_conversation
from tests.chat.support import ChatWorld, Customer
from tests.chat.test_views import identity, open_chat
from tests.conftest import axe_violations, screenshot


@pytest.fixture
def world(transactional_db: None) -> ChatWorld:
    cache.clear()
    return ChatWorld()


def client_for(customer: Customer) -> Client:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = customer.cookie
    return client


def rate(client: Client, conversation_id: str, body: Any, *, raw: bytes | None = None) -> Any:
    return client.post(
        f"/embedded-connect/rate/chat/{conversation_id}",
        data=raw if raw is not None else json.dumps(body),
        content_type="application/json",
    )


def ended_chat(world: ChatWorld, customer: Customer) -> Conversation:
    world.agent().go_online()
    conversation = open_chat(customer)
    return conversation_end(conversation_id=conversation.pk, reason="customer", customer=identity(customer))


def test_the_customer_rates_an_ended_chat_once_and_may_change_it(world: ChatWorld) -> None:
    customer = world.customer()
    conversation = ended_chat(world, customer)
    client = client_for(customer)
    first = rate(client, conversation.pk, {"score": 4, "comment": "Helpful"})
    assert first.status_code == 201
    assert first.json() == {"score": 4, "comment": "Helpful", "created": True}
    assert "no-store" in first["Cache-Control"]
    repeat = rate(client, conversation.pk, {"score": 4, "comment": "Helpful"})
    assert repeat.status_code == 200
    assert repeat.json()["created"] is False
    rate(client, conversation.pk, {"score": 5})
    rating = csat_for_conversation(conversation)
    assert rating is not None
    assert (rating.score, rating.comment, rating.channel, rating.topic) == (5, "", "chat", "payouts")
    assert Rating.objects.count() == 1


def test_only_an_ended_chat_of_ones_own_can_be_rated(world: ChatWorld) -> None:
    customer, stranger = world.customer(), world.customer()
    world.agent().go_online()
    conversation = open_chat(customer)
    not_ended = rate(client_for(customer), conversation.pk, {"score": 5})
    assert not_ended.status_code == 409
    assert not_ended.json()["error"]["code"] == "not_ended"
    conversation_end(conversation_id=conversation.pk, reason="customer", customer=identity(customer))
    assert rate(client_for(stranger), conversation.pk, {"score": 1}).status_code == 404
    assert rate(Client(), conversation.pk, {"score": 1}).status_code == 401
    assert rate(client_for(customer), "chat_doesnotexist", {"score": 1}).status_code == 404
    assert not Rating.objects.exists()


@pytest.mark.parametrize(
    ("body", "raw", "status", "code"),
    [
        ({"score": 0}, None, 400, "invalid"),
        ({"score": 6}, None, 400, "invalid"),
        ({"score": True}, None, 400, "invalid"),
        ({"score": 4.0}, None, 400, "invalid"),
        ({"score": None}, None, 400, "invalid"),
        ({"score": 3, "comment": ["list"]}, None, 400, "invalid"),
        ({"score": 3, "comment": "x" * 2001}, None, 400, "invalid"),
        (None, b"{not json", 400, "bad_json"),
        (None, b"[1, 2]", 400, "bad_json"),
        (None, b'{"score": 3, "comment": "' + b"y" * 20_000 + b'"}', 413, "too_large"),
    ],
)
def test_bad_ratings_are_refused_clearly(
    world: ChatWorld, body: Any, raw: bytes | None, status: int, code: str
) -> None:
    customer = world.customer()
    conversation = ended_chat(world, customer)
    response = rate(client_for(customer), conversation.pk, body, raw=raw)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert not Rating.objects.exists()


def test_the_endpoint_needs_the_csrf_token(world: ChatWorld) -> None:
    customer = world.customer()
    conversation = ended_chat(world, customer)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies[settings.SESSION_COOKIE_NAME] = customer.cookie
    assert rate(strict, conversation.pk, {"score": 5}).status_code == 403
    assert not Rating.objects.exists()


@pytest.mark.browser
def test_the_widget_asks_for_a_rating_when_the_chat_ends(live_url: str, browser: Any) -> None:
    cache.clear()
    world = ChatWorld()
    customer = world.customer()
    world.agent().go_online()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": customer.cookie, "url": live_url}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{live_url}/embedded-connect/")
        panel = page.locator("aside.hc-contact")
        panel.get_by_role("button", name="Chat with us").click()
        panel.get_by_label("Your question").fill("My payout has not arrived.")
        panel.get_by_role("button", name="Start chat").click()
        panel.get_by_text("You're chatting with Avery.").wait_for()
        assert not panel.get_by_role("group", name="How satisfied are you with this chat?").is_visible()
        panel.get_by_role("button", name="End chat").click()
        rating = panel.get_by_role("group", name="How satisfied are you with this chat?")
        rating.wait_for()
        panel.get_by_role("button", name="Send rating").click()
        panel.get_by_text("Choose a rating from 1 to 5.").wait_for()
        # Keyboard only: focus the first choice, move to 4 with the arrow keys.
        panel.get_by_role("radio", name="1 – very dissatisfied").focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        assert panel.get_by_role("radio", name="4 – satisfied").is_checked()
        panel.get_by_label("Anything to add? (optional)").fill("Quick answer, thanks")
        panel.get_by_role("button", name="Send rating").click()
        panel.get_by_text("Thank you: you rated this chat 4 out of 5.").wait_for()
        violations = axe_violations(page)
        assert not violations, [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations]
        screenshot(page, "csat-chat-widget-rated")
        conversation = Conversation.objects.get()
        saved = csat_for_conversation(conversation)
        assert saved is not None
        assert (saved.score, saved.comment) == (4, "Quick answer, thanks")
        assert not errors, errors
    finally:
        context.close()

"""The inbox's WebSocket: who may listen, and "changed" events after each committed write
(never for a rolled-back one), many changes coalesced into one event."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.db import transaction
from django.utils import timezone

from connect_support.chat.models import Conversation
from tests.chat.support import ChatWorld as People
from tests.chat.support import Client, run
from tests.console.test_inbox import open_case
from tests.factories import PlatformFactory, make_account

pytestmark = pytest.mark.django_db(transaction=True)
PATH = "/console/inbox/ws"


@pytest.fixture
def people() -> People:
    return People()


async def listen(cookie: str | None) -> Client:
    return await Client.connect(PATH, cookie, expect_hello=False)


def test_only_signed_in_agents_may_listen(people: People) -> None:
    agent = people.agent()
    risk = people.agent(roles=("risk agent",))
    customer = people.customer()

    async def scenario() -> None:
        for cookie in (None, "not-a-session", customer.cookie):
            refused = await listen(cookie)
            assert refused.closed_with == -1 or await refused.expect_closed() == 4401
        for who in (agent, risk):
            client = await listen(who.cookie)
            hello = await client.expect("hello")
            assert hello["coalesce"] == 0.5
            await client.communicator.disconnect()

    run(scenario)


def test_a_new_case_and_a_new_chat_are_announced(people: People) -> None:
    agent = people.agent()
    account = make_account(PlatformFactory(name="Rocket Rides"))

    def new_chat() -> None:
        now = timezone.now()
        Conversation.objects.create(
            account=account, requester_key=f"{account.pk}:-", created_at=now, queued_at=now, last_activity_at=now
        )

    async def scenario() -> None:
        client = await listen(agent.cookie)
        await client.expect("hello")
        await database_sync_to_async(open_case)("Payout missing")
        changed = await client.expect("changed", wait=5)
        assert changed["kinds"] == ["case"]
        assert "Payout" not in str(changed)  # events carry no customer data
        await database_sync_to_async(new_chat)()
        assert (await client.expect("changed", wait=5))["kinds"] == ["chat"]
        await client.communicator.disconnect()

    run(scenario)


def test_a_burst_of_changes_is_one_event_and_a_rollback_is_none(people: People) -> None:
    agent = people.agent()

    def burst() -> None:
        for index in range(8):
            open_case(f"Case {index}")

    def rolled_back() -> None:
        try:
            with transaction.atomic():
                open_case("Never committed")
                raise RuntimeError("abort")
        except RuntimeError:
            pass

    async def scenario() -> None:
        client = await listen(agent.cookie)
        await client.expect("hello")
        await database_sync_to_async(burst)()
        await client.expect("changed", wait=5)
        # Eight commits are coalesced: at most one event per half second, so a burst that
        # is slow on a busy machine may take a few events, never one per case.
        more = 0
        while True:
            try:
                await client.next(wait=1.5)
            except TimeoutError:
                break
            more += 1
        assert 1 + more < 8
        await database_sync_to_async(rolled_back)()
        with pytest.raises(TimeoutError):
            await client.next(wait=1.5)
        await client.communicator.disconnect()

    run(scenario)


def test_frames_from_the_browser_are_read_carefully(people: People) -> None:
    agent = people.agent()

    async def scenario() -> None:
        client = await listen(agent.cookie)
        await client.expect("hello")
        await client.send({"type": "ping"})
        await client.expect("pong")
        for text in ("{not json", "[]", '{"type": "subscribe", "queue": "all"}', "x" * 10000):
            await client.send_text(text)
            error: dict[str, Any] = await client.expect("error")
            assert error["code"] == "bad_frame"
        await client.send({"type": "ping"})
        await client.expect("pong")  # still open
        await client.communicator.disconnect()

    run(scenario)

"""Scale-out: a customer on one web process and agents on another chat normally, through
the shared PostgreSQL database and the Redis channel layer."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.chat.remote import ChatSocket, Server, manage, server_env
from tests.chat.test_fault import _postgres_database

pytestmark = pytest.mark.skipif(
    not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")),
    reason="needs DATABASE_URL (PostgreSQL) and REDIS_URL: CI's second run sets them",
)


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[dict[str, str]]:
    database = _postgres_database()
    url = next(database)
    try:
        yield server_env(tmp_path, DATABASE_URL=url, REDIS_URL=os.environ["REDIS_URL"])
    finally:
        next(database, None)


def test_a_customer_and_agents_on_different_processes_chat(shared: dict[str, str]) -> None:
    manage(shared, "connect_support", "migrate")
    people = json.loads(manage(shared, "tests.chat.remote", "setup"))
    first, second = Server(shared), Server(shared)
    first.start()
    second.start()
    try:
        asyncio.run(_chat_across(first, second, people))
    finally:
        first.stop()
        second.stop()


async def _chat_across(first: Server, second: Server, people: dict[str, str]) -> None:
    agent = ChatSocket(second.ws, people["agent"], agent=True)
    hello = await agent.connect()
    await agent.send({"type": "status", "status": "online", "capacity": 1})
    await agent.expect("status", status="online")

    customer = ChatSocket(first.ws, people["customer"], agent=False)
    await customer.connect()
    await customer.send({"type": "start", "client_id": "hello-1", "text": "Payout question", "topic": "payouts"})
    await customer.expect("started")
    assigned = await agent.expect("assigned")  # routed on the first process, pushed on the second
    agent.conversation = assigned["conversation"]["id"]
    await agent.send({"type": "subscribe", "conversation": agent.conversation, "last_seq": 0})
    await agent.expect("subscribed")

    await customer.send({"type": "typing", "active": True})
    typing = await agent.expect("typing")
    assert typing["by"] == "customer"
    for n in range(5):
        await agent.say(f"agent {n}")
        await customer.say(f"customer {n}")
    await customer.wait_until(lambda: not customer.unacked and not agent.unacked)
    await customer.wait_until(lambda: customer.last_seq == agent.last_seq >= 12)
    assert (
        [i["seq"] for i in customer.items] == [i["seq"] for i in agent.items] == list(range(1, customer.last_seq + 1))
    )

    # A second agent on the first process takes over by transfer.
    other = ChatSocket(first.ws, people["second_agent"], agent=True)
    await other.connect()
    await other.send({"type": "status", "status": "online", "capacity": 1})
    await other.expect("status", status="online")
    await agent.send({"type": "agents"})
    listed = await agent.expect("agents")
    await agent.send({"type": "transfer", "conversation": agent.conversation, "to": listed["agents"][0]["id"]})
    await agent.expect("unassigned")
    moved = await other.expect("assigned")
    other.conversation = moved["conversation"]["id"]
    await other.send({"type": "subscribe", "conversation": other.conversation, "last_seq": customer.last_seq})
    await other.expect("subscribed")
    await other.say("Blake here, on the other process")
    await customer.wait_until(lambda: any(i["text"] == "Blake here, on the other process" for i in customer.items))
    await other.send({"type": "end", "conversation": other.conversation})
    ended = await customer.expect("item", code="ended")
    assert ended["data"]["by"] == "agent"
    assert hello["role"] == "agent"
    for side in (customer, agent, other):
        await side.close()

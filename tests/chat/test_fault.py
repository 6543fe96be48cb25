"""Kill the web process in the middle of a conversation (SIGKILL), start it again: both
sides reconnect and resume, and nothing that was sent is lost or arrives twice.

Runs in the embedded mode always (a subprocess server on a SQLite file, in-memory
channel layer), and on PostgreSQL + Redis too when DATABASE_URL and REDIS_URL are set.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.chat.remote import ChatSocket, Server, manage, server_env

MESSAGES = 24
KILL_AFTER = 10


def _postgres_database() -> Iterator[str]:
    import psycopg

    base = os.environ["DATABASE_URL"]
    name = f"cs_chat_fault_{uuid.uuid4().hex[:10]}"
    admin = base.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["embedded", "scale-out"])
def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    if request.param == "embedded":
        yield server_env(tmp_path)
        return
    if not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        pytest.skip("the scale-out variant needs DATABASE_URL and REDIS_URL (CI's second run sets them)")
    database = _postgres_database()
    url = next(database)
    try:
        yield server_env(tmp_path, DATABASE_URL=url, REDIS_URL=os.environ["REDIS_URL"])
    finally:
        next(database, None)


def _stored_texts(env: dict[str, str], conversation: str) -> list[tuple[int, str, str]]:
    if "DATABASE_URL" in env:
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as connection:
            rows = connection.execute(
                "SELECT seq, client_id, text FROM chat_chatmessage WHERE conversation_id = %s ORDER BY seq",
                [conversation],
            ).fetchall()
        return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]
    with sqlite3.connect(Path(env["CONNECT_SUPPORT_DATA_DIR"]) / "db.sqlite3") as connection:
        rows = connection.execute(
            "SELECT seq, client_id, text FROM chat_chatmessage WHERE conversation_id = ? ORDER BY seq", [conversation]
        ).fetchall()
    return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]


def test_a_killed_server_loses_nothing_and_repeats_nothing(deployment: dict[str, str]) -> None:
    manage(deployment, "connect_support", "migrate")
    people = json.loads(manage(deployment, "tests.chat.remote", "setup"))
    server = Server(deployment)
    server.start()
    try:
        asyncio.run(_conversation_across_a_kill(server, people, deployment))
    finally:
        server.stop()


async def _conversation_across_a_kill(server: Server, people: dict[str, str], env: dict[str, str]) -> None:
    agent = ChatSocket(server.ws, people["agent"], agent=True)
    await agent.connect()
    await agent.send({"type": "status", "status": "online", "capacity": 2})
    await agent.expect("status", status="online")
    customer = ChatSocket(server.ws, people["customer"], agent=False)
    await customer.connect()
    await customer.send({"type": "start", "client_id": "first", "text": "My payout is missing", "topic": "payouts"})
    started = await customer.expect("started")
    customer.conversation = agent.conversation = started["conversation"]["id"]
    await agent.expect("assigned")
    await agent.send({"type": "subscribe", "conversation": agent.conversation, "last_seq": 0})
    await agent.expect("subscribed")

    sent_by_customer: list[str] = []
    sent_by_agent: list[str] = []
    for n in range(MESSAGES):
        if n == KILL_AFTER:
            # Messages in flight: sent, maybe stored, not yet acknowledged.
            sent_by_customer.append(await customer.say(f"customer {n}"))
            sent_by_agent.append(await agent.say(f"agent {n}"))
            server.kill()
            await asyncio.sleep(0.3)
            server.start()
            for side in (customer, agent):
                await side.close()
                await side.connect()
                await side.resume()
            continue
        sent_by_customer.append(await customer.say(f"customer {n}"))
        sent_by_agent.append(await agent.say(f"agent {n}"))
        await asyncio.sleep(0.1)

    await customer.wait_until(lambda: not customer.unacked and not agent.unacked)
    stored = _stored_texts(env, customer.conversation or "")
    last = stored[-1][0]
    await customer.wait_until(lambda: customer.last_seq == last and agent.last_seq == last)

    # Stored: every message once, numbered 1..N without gaps.
    assert [row[0] for row in stored] == list(range(1, last + 1))
    client_ids = [row[1] for row in stored if row[1]]
    assert len(client_ids) == len(set(client_ids))
    assert set(sent_by_customer) | set(sent_by_agent) <= set(client_ids)
    # Received: both sides saw every item exactly once, in order (ChatSocket asserts the order as items arrive).
    assert [item["seq"] for item in customer.items] == list(range(1, last + 1))
    assert [item["seq"] for item in agent.items] == list(range(1, last + 1))
    texts = [item["text"] for item in customer.items if item["kind"] == "message"]
    assert texts.count(f"customer {KILL_AFTER}") == 1
    assert texts.count(f"agent {KILL_AFTER}") == 1
    assert {f"customer {n}" for n in range(MESSAGES)} <= set(texts)
    await customer.close()
    await agent.close()

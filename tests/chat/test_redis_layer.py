"""The scale-out mode's channel layer (chat/redis_layer.py): many waiting messages are
taken per round trip, each reaches its own connection once and in order, and what an
interrupted receive left in the backup queue is delivered, not lost."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest

from connect_support.chat.redis_layer import RECEIVE_BATCH, BatchingRedisChannelLayer
from tests.chat.support import run

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL: CI's second run sets it")


def layer() -> BatchingRedisChannelLayer:
    return BatchingRedisChannelLayer(
        hosts=[os.environ["REDIS_URL"]], prefix=f"cs:test-layer:{uuid.uuid4().hex[:8]}", capacity=1000
    )


def test_hundreds_of_waiting_messages_arrive_once_and_in_order_per_channel() -> None:
    async def scenario() -> tuple[list[int], list[int]]:
        chat = layer()
        first, second = await chat.new_channel(), await chat.new_channel()
        for n in range(3 * RECEIVE_BATCH):
            await chat.send(first if n % 3 else second, {"type": "chat.item", "n": n})
        got_first = [(await chat.receive(first))["n"] for _ in range(2 * RECEIVE_BATCH)]
        got_second = [(await chat.receive(second))["n"] for _ in range(RECEIVE_BATCH)]
        assert not await _more(chat, first)
        await chat.flush()
        return got_first, got_second

    got_first, got_second = run(scenario)
    assert got_first == [n for n in range(3 * RECEIVE_BATCH) if n % 3]
    assert got_second == [n for n in range(3 * RECEIVE_BATCH) if not n % 3]


def test_a_group_message_reaches_every_member_in_this_process() -> None:
    async def scenario() -> list[dict[str, object]]:
        chat = layer()
        members = [await chat.new_channel() for _ in range(3)]
        for member in members:
            await chat.group_add("chat.c.test", member)
        await chat.group_send("chat.c.test", {"type": "chat.signal", "frame": {"type": "typing"}})
        received = [await chat.receive(member) for member in members]
        await chat.flush()
        return received

    assert run(scenario) == [{"type": "chat.signal", "frame": {"type": "typing"}}] * 3


def test_messages_left_in_the_backup_by_an_interrupted_receive_are_delivered_first() -> None:
    async def scenario() -> list[int]:
        chat = layer()
        channel = await chat.new_channel()
        await chat.send(channel, {"type": "chat.item", "n": 1})
        await chat.send(channel, {"type": "chat.item", "n": 2})
        # As if a receive had moved both to the backup queue and then been cancelled.
        key = chat.prefix + chat.non_local_name(channel)
        connection = chat.connection(chat.consistent_hash(chat.non_local_name(channel)))
        taken = await connection.zpopmin(key, 2)
        await connection.zadd(chat._backup_channel_name(key), dict(taken))
        await chat.send(channel, {"type": "chat.item", "n": 3})
        got = [(await chat.receive(channel))["n"] for _ in range(3)]
        await asyncio.sleep(0.05)  # the clean-up of the backup queue
        assert not await connection.exists(chat._backup_channel_name(key))
        await chat.flush()
        return got

    assert run(scenario) == [1, 2, 3]


async def _more(chat: BatchingRedisChannelLayer, channel: str) -> bool:
    try:
        await asyncio.wait_for(chat.receive(channel), 0.3)
    except TimeoutError:
        return False
    return True

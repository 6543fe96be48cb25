"""Chat's database threads: calls made by many connections are taken together, and a
thread keeps its database connection open between calls (and lets a broken one go)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection

from connect_support.chat.presence import customers_present, presence_arrive
from connect_support.chat.threads import Batched, connections_tidy
from tests.chat.support import run


def test_calls_waiting_while_a_batch_runs_go_together_in_the_next() -> None:
    calls: list[list[int]] = []
    first_started = threading.Event()
    release = threading.Event()

    def double(items: list[int]) -> list[int]:
        calls.append(list(items))
        if len(calls) == 1:
            first_started.set()
            release.wait(5)
        return [item * 2 for item in items]

    batched: Batched[int, int] = Batched(double)

    async def scenario() -> list[int]:
        first = asyncio.ensure_future(batched(1))
        await asyncio.to_thread(first_started.wait, 5)
        rest = [asyncio.ensure_future(batched(n)) for n in range(2, 12)]
        await asyncio.sleep(0.05)
        release.set()
        return [await first, *[await task for task in rest]]

    results = run(scenario)
    assert results == [n * 2 for n in range(1, 12)]
    assert calls == [[1], list(range(2, 12))]


def test_a_failed_batch_fails_its_callers_and_the_next_batch_runs() -> None:
    failing = {"on": True}

    def check(items: list[str]) -> list[str]:
        if failing["on"]:
            raise RuntimeError("database hiccup")
        return [item.upper() for item in items]

    batched: Batched[str, str] = Batched(check)

    async def scenario() -> tuple[list[Any], str]:
        failed = await asyncio.gather(batched("a"), batched("b"), return_exceptions=True)
        failing["on"] = False
        return failed, await batched("c")

    failed, later = run(scenario)
    assert [type(error) for error in failed] == [RuntimeError, RuntimeError]
    assert later == "C"


def test_a_caller_that_goes_away_does_not_stop_the_others() -> None:
    started = threading.Event()
    release = threading.Event()

    def slow(items: list[int]) -> list[int]:
        started.set()
        release.wait(5)
        return items

    batched: Batched[int, int] = Batched(slow)

    async def scenario() -> int:
        leaving = asyncio.ensure_future(batched(1))
        staying = asyncio.ensure_future(batched(1))
        await asyncio.to_thread(started.wait, 5)
        leaving.cancel()
        release.set()
        return await staying

    assert run(scenario) == 1


@pytest.mark.django_db(transaction=True)
def test_a_thread_keeps_its_connection_then_replaces_it(settings: Any) -> None:
    settings.CHAT_DB_KEEP_SECONDS = 300
    connection.ensure_connection()
    opened = connection.connection
    connections_tidy()
    connections_tidy()
    assert connection.connection is opened
    # Kept for DB_KEEP_SECONDS from when it opened, then replaced.
    connection.close_at = 0
    connections_tidy()
    assert connection.connection is None


@pytest.mark.django_db(transaction=True)
def test_a_broken_connection_is_let_go_at_once(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.CHAT_DB_KEEP_SECONDS = 300
    connection.ensure_connection()
    connections_tidy()
    assert connection.connection is not None
    connection.errors_occurred = True
    monkeypatch.setattr(connection, "is_usable", lambda: False)
    connections_tidy()
    assert connection.connection is None


@pytest.mark.django_db(transaction=True)
def test_without_keeping_a_connection_closes_after_each_call(settings: Any) -> None:
    settings.CHAT_DB_KEEP_SECONDS = 0
    connection.ensure_connection()
    connections_tidy()
    assert connection.connection is None


@pytest.mark.django_db(transaction=True)
def test_presence_of_thousands_of_chats_is_kept() -> None:
    """The embedded cache once evicted entries past 300 keys: presence, rate limits and
    double-submit guards of a busy support site vanished."""
    ids = [f"chat_presence{n:05d}" for n in range(1200)]
    try:
        for conversation_id in ids:
            presence_arrive(conversation_id=conversation_id, connection=f"conn-{conversation_id}")
        assert all(customers_present(conversation_ids=ids).values())
    finally:
        cache.delete_many([f"chat:presence:{conversation_id}" for conversation_id in ids])

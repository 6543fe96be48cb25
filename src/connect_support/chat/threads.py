"""Where chat's database work runs: a few threads of its own, each keeping its database
connection open between calls.

Not Channels' single shared thread (connections would wait on each other's reads), and
not many threads either: each runs Python that competes with the event loop for the GIL,
and SQLite takes one writer at a time anyway (docs/chat.md).

Django opens and closes a connection around every call when ``CONN_MAX_AGE`` is 0, which
the web requests need (under ASGI each request runs on a thread of its own). On these
long-lived threads that would be a connect (SQLite: open the file, run the pragmas,
register functions; PostgreSQL: take from the pool and check) for every frame that reads
or writes, more work than the query. So a connection opened here is kept for
``DB_KEEP_SECONDS``, then replaced; one that saw an error and is no longer usable is
closed at once and the next call opens a fresh one.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import time
import weakref
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from asgiref.sync import SyncToAsync
from django.db import connections

from connect_support.chat import policy

In = TypeVar("In")
Out = TypeVar("Out")

# Per thread: the connection (per database alias) whose closing time was pushed back.
_thread = threading.local()
_executor = ThreadPoolExecutor(max_workers=int(policy.tunable("DB_THREADS")), thread_name_prefix="chat-db")


def connections_tidy() -> None:
    """After a call: keep a new connection for a while, close an obsolete or broken one."""
    keep = policy.tunable("DB_KEEP_SECONDS")
    kept = _thread.__dict__.setdefault("kept", {})
    for conn in connections.all(initialized_only=True):
        raw = conn.connection
        if raw is not None and keep > 0 and kept.get(conn.alias) is not raw:
            kept[conn.alias] = raw
            conn.close_at = time.monotonic() + keep
        conn.close_if_unusable_or_obsolete()


def _tidied(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        finally:
            connections_tidy()

    return run


def db(function: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    """Run sync ORM code on chat's database threads."""
    return SyncToAsync(_tidied(function), thread_sensitive=False, executor=_executor)


class Batched(Generic[In, Out]):
    """A database call that many connections make, taken together: while one batch runs
    on a database thread the next ones wait, then go in one call (as the message writer
    does for messages). ``run`` takes the list of inputs and returns one output each, in
    order. One queue per event loop."""

    def __init__(self, run: Callable[[list[In]], list[Out]]) -> None:
        self._run = db(run)
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue[In, Out]] = (
            weakref.WeakKeyDictionary()
        )

    async def __call__(self, item: In) -> Out:
        loop = asyncio.get_running_loop()
        queue = self._queues.get(loop)
        if queue is None:
            queue = self._queues[loop] = _Queue()
        future: asyncio.Future[Out] = loop.create_future()
        queue.waiting.append((item, future))
        if queue.task is None or queue.task.done():
            queue.task = loop.create_task(self._drain(queue))
        return await future

    async def _drain(self, queue: _Queue[In, Out]) -> None:
        while queue.waiting:
            batch, queue.waiting = queue.waiting, []
            try:
                results = await self._run([item for item, _future in batch])
            except Exception as error:
                for _item, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_item, future), result in zip(batch, results, strict=True):
                if not future.done():  # its connection went away meanwhile
                    future.set_result(result)


@dataclass
class _Queue(Generic[In, Out]):
    waiting: list[tuple[In, asyncio.Future[Out]]] = field(default_factory=list)
    task: asyncio.Task[None] | None = None

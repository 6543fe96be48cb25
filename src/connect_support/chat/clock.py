"""The periodic sweep, run inside every web process.

Why not a huey periodic job: in the embedded mode the job worker is another process and
the channel layer lives in the web process's memory, so notices sent from the worker
would reach nobody. Each web process runs the sweep on its own event loop instead; the
sweep's conditional updates make concurrent runs in several processes safe. The clock
starts with the first chat connection of the process (and of each event loop, in tests),
and also watches connections that stopped sending heartbeats.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from typing import Protocol

from connect_support.chat import policy
from connect_support.chat.sweep import conversations_sweep, sweep_interval

logger = logging.getLogger(__name__)


class Watched(Protocol):
    last_frame_at: float

    async def close_silent(self) -> None: ...


_clocks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task[None]] = weakref.WeakKeyDictionary()
_connections: weakref.WeakSet[Watched] = weakref.WeakSet()


def clock_ensure(connection: Watched) -> None:
    """Watch this connection, and start the clock of the running loop if needed."""
    _connections.add(connection)
    loop = asyncio.get_running_loop()
    task = _clocks.get(loop)
    if task is None or task.done():
        _clocks[loop] = loop.create_task(_tick_forever(), name="chat-clock")


def clock_forget(connection: Watched) -> None:
    _connections.discard(connection)


async def _close_silent_connections() -> None:
    limit = policy.tunable("SILENT_CLOSE_SECONDS")
    now = time.monotonic()
    for connection in list(_connections):
        if now - connection.last_frame_at > limit:
            await connection.close_silent()


async def _tick_forever() -> None:
    from connect_support.chat.threads import db

    sweep = db(conversations_sweep)
    while True:
        await asyncio.sleep(sweep_interval())
        try:
            await _close_silent_connections()
            await sweep()
        except Exception:
            logger.exception("chat sweep failed; it runs again at the next tick")

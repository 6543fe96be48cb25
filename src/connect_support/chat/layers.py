"""The channel layer of the embedded mode: one process, in memory.

Channels' own ``InMemoryChannelLayer`` is meant for tests: every send and receive walks
every channel and every group membership to expire old messages, and every message is
deep-copied for each recipient. With 2,000 connections that is most of the CPU of a
message's trip (docs/chat.md). This layer keeps the same contract (``send``, ``receive``,
``new_channel``, groups, ``flush``) with constant work per message:

- messages are not copied: receivers must treat them as read-only (ours do);
- an expired message is dropped when it reaches the head of its queue;
- a channel nobody has received from for longer than the expiry (its consumer is gone)
  is dropped by a sweep at most once a minute, and removed from its groups;
- a full channel drops the new message (as Channels' layers do) and says so in the log;
  chat connections catch up from the database on their next heartbeat.

The scale-out mode uses ``channels_redis`` instead (``REDIS_URL``).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import string
import time
from collections import deque
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import BaseChannelLayer

logger = logging.getLogger(__name__)

_ALPHABET = string.ascii_letters + string.digits
SWEEP_SECONDS = 60.0


class _Channel:
    __slots__ = ("last_receive", "messages", "waiter")

    def __init__(self) -> None:
        self.messages: deque[tuple[float, dict[str, Any]]] = deque()
        self.waiter: asyncio.Future[None] | None = None
        self.last_receive = time.monotonic()


class LocalChannelLayer(BaseChannelLayer):  # type: ignore[misc]
    extensions = ["groups", "flush"]

    def __init__(
        self,
        expiry: int = 60,
        group_expiry: int = 86400,
        capacity: int = 1000,
        channel_capacity: dict[str, int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(expiry=expiry, capacity=capacity, channel_capacity=channel_capacity, **kwargs)
        self.channel_capacity = self.compile_capacities(channel_capacity or {})
        self.channels: dict[str, _Channel] = {}
        self.groups: dict[str, set[str]] = {}
        self.last_sweep = time.monotonic()

    async def new_channel(self, prefix: str = "specific.") -> str:
        return f"{prefix}local!{''.join(secrets.choice(_ALPHABET) for _ in range(16))}"

    def _put(self, channel: str, message: dict[str, Any]) -> None:
        box = self.channels.get(channel)
        if box is None:
            box = self.channels[channel] = _Channel()
        if len(box.messages) >= self.get_capacity(channel):
            raise ChannelFull(channel)
        box.messages.append((time.monotonic() + self.expiry, message))
        if box.waiter is not None and not box.waiter.done():
            box.waiter.set_result(None)

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "message is not a dict"  # noqa: S101 (the layer contract)
        self.require_valid_channel_name(channel)
        self._maybe_sweep()
        self._put(channel, message)

    async def receive(self, channel: str) -> dict[str, Any]:
        self.require_valid_channel_name(channel)
        box = self.channels.get(channel)
        if box is None:
            box = self.channels[channel] = _Channel()
        while True:
            box.last_receive = time.monotonic()
            while box.messages:
                expires, message = box.messages.popleft()
                if expires >= time.monotonic():
                    return message
            box.waiter = asyncio.get_running_loop().create_future()
            try:
                await box.waiter
            finally:
                box.waiter = None

    async def group_add(self, group: str, channel: str) -> None:
        self.require_valid_group_name(group)
        self.require_valid_channel_name(channel)
        self.groups.setdefault(group, set()).add(channel)

    async def group_discard(self, group: str, channel: str) -> None:
        self.require_valid_group_name(group)
        self.require_valid_channel_name(channel)
        members = self.groups.get(group)
        if members is not None:
            members.discard(channel)
            if not members:
                del self.groups[group]

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        self.group_send_nowait(group, message)

    def group_send_nowait(self, group: str, message: dict[str, Any]) -> None:
        """``group_send`` without a coroutine: nothing here waits (chat's hot path)."""
        assert isinstance(message, dict), "message is not a dict"  # noqa: S101 (the layer contract)
        self.require_valid_group_name(group)
        self._maybe_sweep()
        for channel in tuple(self.groups.get(group, ())):
            try:
                self._put(channel, message)
            except ChannelFull:
                logger.warning("channel full, message to group %s dropped for one receiver", group)

    async def flush(self) -> None:
        self.channels = {}
        self.groups = {}

    async def close(self) -> None:
        pass

    def _maybe_sweep(self) -> None:
        """Remove channels whose receiver has been gone longer than the expiry."""
        now = time.monotonic()
        if now - self.last_sweep < SWEEP_SECONDS:
            return
        self.last_sweep = now
        dead = [
            name for name, box in self.channels.items() if box.waiter is None and now - box.last_receive > self.expiry
        ]
        for name in dead:
            del self.channels[name]
            for group, members in list(self.groups.items()):
                members.discard(name)
                if not members:
                    del self.groups[group]

"""Real-time events: their shapes, their recipients, and the one helper that sends them.

Services decide who receives what (a security boundary): each ``Delivery`` names its
groups explicitly, one group per customer conversation and one per agent, never a
broadcast that a connection could have joined by asking. Nothing is sent before the
transaction that wrote it has committed: sync services use
:func:`deliveries_send_on_commit`, the message writer awaits :func:`deliveries_send`
after its commit.

Channel-layer messages (between processes, never seen by browsers):

- ``{"type": "chat.item", "conversation", "seq", "frame", "agent_id"}``: a numbered item;
  ``frame`` is what clients get, ``agent_id`` the agent assigned after it (or None).
- ``{"type": "chat.signal", "conversation", "frame"}``: typing, read receipts, queue
  positions, assignments; not numbered, not stored, may be lost without harm.

Frames sent to clients are documented in ``docs/chat-protocol.md``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from connect_support.chat.layers import LocalChannelLayer
from connect_support.chat.models import ChatMessage

logger = logging.getLogger(__name__)

QUEUE_GROUP = "chat.queue"
# Channel-layer sends in flight at once per batch of deliveries (each holds a connection).
SENDERS = 16


def customer_group(conversation_id: str) -> str:
    """Every connection of the customer of this conversation."""
    return f"chat.c.{conversation_id}"


def agent_group(user_id: int) -> str:
    """Every workspace connection of this agent."""
    return f"chat.a.{user_id}"


@dataclass(frozen=True)
class Delivery:
    groups: tuple[str, ...]
    message: dict[str, Any]


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


def frame_of(
    *,
    conversation_id: str,
    seq: int,
    item_id: str,
    kind: str,
    code: str,
    author_kind: str,
    author_name: str,
    text: str,
    data: dict[str, Any],
    client_id: str,
    at: datetime,
) -> dict[str, Any]:
    """The client's view of a stored item (the ``item`` frame)."""
    return {
        "type": "item",
        "conversation": conversation_id,
        "seq": seq,
        "id": item_id,
        "kind": kind,
        "code": code,
        "author": {"kind": author_kind, "name": author_name},
        "text": text,
        "data": data,
        "client_id": client_id,
        "at": iso(at),
    }


def item_frame(item: ChatMessage) -> dict[str, Any]:
    return frame_of(
        conversation_id=item.conversation_id,
        seq=item.seq,
        item_id=item.pk,
        kind=item.kind,
        code=item.code,
        author_kind=item.author_kind,
        author_name=item.author_name,
        text=item.text,
        data=item.data,
        client_id=item.client_id,
        at=item.created_at,
    )


def frame_delivery(*, frame: dict[str, Any], groups: Sequence[str], agent_id: int | None) -> Delivery:
    return Delivery(
        groups=tuple(groups),
        message={
            "type": "chat.item",
            "conversation": frame["conversation"],
            "seq": frame["seq"],
            "frame": frame,
            "agent_id": agent_id,
        },
    )


def item_delivery(*, item: ChatMessage, groups: Sequence[str], agent_id: int | None) -> Delivery:
    return frame_delivery(frame=item_frame(item), groups=groups, agent_id=agent_id)


def signal_delivery(*, groups: Sequence[str], frame: dict[str, Any], conversation_id: str | None = None) -> Delivery:
    return Delivery(
        groups=tuple(groups), message={"type": "chat.signal", "conversation": conversation_id, "frame": frame}
    )


def conversation_groups(*, conversation_id: str, agent_ids: Sequence[int | None]) -> tuple[str, ...]:
    """The customer of the conversation and the given agents (the assigned one, and during
    a transfer the one who leaves)."""
    groups = [customer_group(conversation_id)]
    groups.extend(agent_group(agent_id) for agent_id in dict.fromkeys(agent_ids) if agent_id is not None)
    return tuple(groups)


async def deliveries_send(deliveries: Sequence[Delivery]) -> None:
    """Send, keeping the order of the deliveries within each group. Groups are sent to
    concurrently. A failure is logged, not raised: what was stored stays stored, and
    clients catch up from the database on their next heartbeat."""
    layer = get_channel_layer()
    if layer is None or not deliveries:
        return
    if isinstance(layer, LocalChannelLayer):
        # In memory nothing waits: send in order, without a task per group.
        for delivery in deliveries:
            for group in delivery.groups:
                layer.group_send_nowait(group, delivery.message)
        return
    by_group: dict[str, list[dict[str, Any]]] = {}
    for delivery in deliveries:
        for group in delivery.groups:
            by_group.setdefault(group, []).append(delivery.message)

    pending = iter(by_group.items())

    async def sender() -> None:
        # Each group is sent by one sender, in order; a few senders at once, so that a
        # batch of hundreds of groups does not take hundreds of Redis connections.
        for group, messages in pending:
            try:
                for message in messages:
                    await layer.group_send(group, message)
            except Exception as error:
                logger.warning("chat event not sent: %s", error.__class__.__name__, exc_info=error)

    await asyncio.gather(*(sender() for _ in range(min(SENDERS, len(by_group)))))


def deliveries_send_on_commit(deliveries: Sequence[Delivery]) -> None:
    """From sync code: send once the current transaction commits (at once outside one)."""
    if not deliveries:
        return
    pending = list(deliveries)
    transaction.on_commit(lambda: async_to_sync(deliveries_send)(pending))

"""Whether the customer of a conversation is connected, for the agent who answers it.

Each customer connection that follows a conversation is recorded in the cache (Redis in
the scale-out mode, so every web process sees the others' connections) with a lease that
its heartbeats renew. The customer is "here" while at least one lease is alive. The agent
is told when the first connection arrives and when the last one leaves; because two
processes may update the record at the same moment, and a killed process never says
goodbye, the agent's own heartbeat also compares what it last showed with the record and
corrects it (a lost change shows within one heartbeat; an expired lease within two).

Presence is a signal, not an item: it is not stored in the conversation or its transcript.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache

from connect_support.chat import policy
from connect_support.chat.events import Delivery, agent_group, signal_delivery
from connect_support.chat.models import Conversation

_KEY = "chat:presence:{}"


def _key(conversation_id: str) -> str:
    return _KEY.format(conversation_id)


def _lease_seconds() -> float:
    # Two missed heartbeats and a little slack: a background tab pings late.
    return 2 * policy.tunable("HEARTBEAT_SECONDS") + 10


def _alive(record: Any, now: float) -> dict[str, float]:
    if not isinstance(record, dict):
        return {}
    return {str(name): float(until) for name, until in record.items() if isinstance(until, int | float) and until > now}


def _store(conversation_id: str, leases: dict[str, float]) -> None:
    if leases:
        cache.set(_key(conversation_id), leases, timeout=int(_lease_seconds()) + 60)
    else:
        cache.delete(_key(conversation_id))


def presence_frame(*, conversation_id: str, present: bool) -> dict[str, Any]:
    return {
        "type": "presence",
        "conversation": conversation_id,
        "customer": "here" if present else "left",
        "at": int(time.time()),
    }


def _to_agent(conversation_id: str, present: bool) -> list[Delivery]:
    agent_id = (
        Conversation.objects.filter(pk=conversation_id, status=Conversation.Status.ACTIVE)
        .values_list("agent_id", flat=True)
        .first()
    )
    if agent_id is None:
        return []
    frame = presence_frame(conversation_id=conversation_id, present=present)
    return [signal_delivery(groups=[agent_group(agent_id)], conversation_id=conversation_id, frame=frame)]


def presence_arrive(*, conversation_id: str, connection: str) -> list[Delivery]:
    """A customer connection follows the conversation (or renews its lease). Returns what
    to send to the agent: something only when the customer was away."""
    now = time.time()
    leases = _alive(cache.get(_key(conversation_id)), now)
    was_here = bool(leases)
    leases[connection] = now + _lease_seconds()
    _store(conversation_id, leases)
    return [] if was_here else _to_agent(conversation_id, True)


def presence_depart(*, conversation_id: str, connection: str) -> list[Delivery]:
    """A customer connection closed or moved to another conversation. Returns what to send
    to the agent: something only when it was the last one."""
    now = time.time()
    leases = _alive(cache.get(_key(conversation_id)), now)
    if connection not in leases:
        return []
    del leases[connection]
    _store(conversation_id, leases)
    return [] if leases else _to_agent(conversation_id, False)


def customers_present(*, conversation_ids: Iterable[str]) -> dict[str, bool]:
    """For each conversation, whether its customer has a connection with a live lease."""
    ids = list(dict.fromkeys(conversation_ids))
    if not ids:
        return {}
    now = time.time()
    found = cache.get_many([_key(conversation_id) for conversation_id in ids])
    return {conversation_id: bool(_alive(found.get(_key(conversation_id)), now)) for conversation_id in ids}

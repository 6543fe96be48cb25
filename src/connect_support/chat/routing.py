"""The queue and who gets which chat.

- An agent is *available* when their status is online, a workspace of theirs is
  connected (heartbeats), they have the ``chats.work`` permission, and their open chats
  are fewer than their capacity.
- Automatic routing (the default) gives the oldest waiting chat to the available agent
  with the fewest open chats; ties go to whoever got a chat least recently. In manual
  routing agents pick chats from the queue themselves. Either way an agent can accept a
  waiting chat while they have room.
- An assignment locks the agent's status row and recounts their chats, and only moves a
  chat that is still waiting: two processes routing at once can neither give one chat
  to two agents nor give an agent more than their capacity.
- Customers in the queue see their place and an estimate: their place times the recent
  time per place (30 minutes over the number of chats assigned in the last 30 minutes,
  kept between 15 seconds and 10 minutes; 2 minutes when there is no history).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q

from connect_support.chat.availability import chat_settings_get
from connect_support.chat.events import (
    QUEUE_GROUP,
    Delivery,
    agent_group,
    conversation_groups,
    customer_group,
    deliveries_send_on_commit,
    item_delivery,
    signal_delivery,
)
from connect_support.chat.items import notice_append
from connect_support.chat.models import AgentParticipation, AgentStatus, ChatSettings, Conversation
from connect_support.chat.selectors import agent_display_name, conversation_for_agent
from connect_support.identity.access import PERMISSIONS

ESTIMATE_WINDOW = timedelta(minutes=30)
DEFAULT_SECONDS_PER_PLACE = 120
QUEUE_SNAPSHOT_SIZE = 50
QUEUE_POSITIONS_SENT = 200
_SNAPSHOT_CACHE_KEY = "chat:queue-snapshot"


@dataclass
class AgentLoad:
    user_id: int
    capacity: int
    load: int
    last_assigned_at: datetime | None

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.load)


def _may_chat() -> Q:
    roles = sorted(PERMISSIONS["chats.work"])
    return Q(user__is_active=True) & (Q(user__is_superuser=True) | Q(user__groups__name__in=roles))


def agent_loads(*, user_ids: list[int]) -> dict[int, int]:
    rows = (
        Conversation.objects.filter(agent_id__in=user_ids, status=Conversation.Status.ACTIVE)
        .values("agent_id")
        .annotate(open_chats=Count("id"))
    )
    return {row["agent_id"]: row["open_chats"] for row in rows}


def agents_online(*, now: datetime) -> list[AgentLoad]:
    """Agents online with a connected workspace and the permission to chat."""
    statuses = list(
        AgentStatus.objects.filter(status=AgentStatus.Status.ONLINE, connected_until__gt=now)
        .filter(_may_chat())
        .values("user_id", "capacity", "last_assigned_at")
        .distinct()
    )
    loads = agent_loads(user_ids=[row["user_id"] for row in statuses])
    return [
        AgentLoad(row["user_id"], row["capacity"], loads.get(row["user_id"], 0), row["last_assigned_at"])
        for row in statuses
    ]


@dataclass(frozen=True)
class Places:
    online_agents: int
    free: int
    waiting: int


def free_places(*, now: datetime) -> Places:
    agents = agents_online(now=now)
    waiting = Conversation.objects.filter(status=Conversation.Status.WAITING).count()
    return Places(len(agents), sum(agent.free for agent in agents), waiting)


def _routing_order(agent: AgentLoad) -> tuple[int, float, int]:
    last = agent.last_assigned_at.timestamp() if agent.last_assigned_at else 0.0
    return (agent.load, last, agent.user_id)


def agent_pick(*, agents: list[AgentLoad], exclude: frozenset[int] = frozenset()) -> AgentLoad | None:
    """The available agent with the fewest open chats (ties: least recently assigned)."""
    candidates = [agent for agent in agents if agent.free > 0 and agent.user_id not in exclude]
    return min(candidates, key=_routing_order) if candidates else None


class AssignmentRefusedError(Exception):
    """The chat is no longer waiting (or no longer the agent's), or the agent has no room."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def agent_has_room(*, user_id: int, now: datetime) -> bool:
    """Lock the agent's status row and count their chats again (inside a transaction)."""
    status = AgentStatus.objects.select_for_update().filter(user_id=user_id).first()
    if status is None or status.status != AgentStatus.Status.ONLINE:
        return False
    if status.connected_until is None or status.connected_until <= now:
        return False
    load = Conversation.objects.filter(agent_id=user_id, status=Conversation.Status.ACTIVE).count()
    return load < status.capacity


def agent_joined(
    *, conversation_id: str, agent: User, now: datetime, code: str, text: str, also_to: tuple[int, ...] = ()
) -> tuple[Conversation, list[Delivery]]:
    """Record that ``agent`` now answers the conversation (inside the transaction that
    assigned it): the notice everyone sees, and the deliveries that say so. ``also_to``
    names agents who see the notice too (the one who transferred the chat)."""
    name = agent_display_name(agent)
    AgentParticipation.objects.create(
        conversation_id=conversation_id, agent=agent, agent_name=agent.get_full_name() or agent.email, joined_at=now
    )
    AgentStatus.objects.filter(user=agent).update(last_assigned_at=now)
    notice = notice_append(
        conversation_id=conversation_id, code=code, text=text.format(name=name), now=now, data={"agent": name}
    )
    conversation = Conversation.objects.select_related("account__platform", "agent", "case").get(pk=conversation_id)
    groups = conversation_groups(conversation_id=conversation_id, agent_ids=[agent.pk, *also_to])
    return conversation, [
        item_delivery(item=notice, groups=groups, agent_id=agent.pk),
        signal_delivery(
            groups=[agent_group(agent.pk)],
            conversation_id=conversation_id,
            frame={"type": "assigned", "conversation": conversation_for_agent(conversation)},
        ),
    ]


def conversation_assign(*, conversation_id: str, agent: User, now: datetime) -> Conversation:
    """Give a waiting conversation to ``agent`` (routing, or the agent accepting it)."""
    with transaction.atomic():
        if not agent_has_room(user_id=agent.pk, now=now):
            raise AssignmentRefusedError(
                "no_room", "You already have as many chats as your capacity, or you are not online."
            )
        moved = Conversation.objects.filter(pk=conversation_id, status=Conversation.Status.WAITING).update(
            status=Conversation.Status.ACTIVE, agent=agent, assigned_at=now, last_activity_at=now, idle_warned_at=None
        )
        if not moved:
            raise AssignmentRefusedError("not_waiting", "Someone else took this chat, or it ended.")
        conversation, deliveries = agent_joined(
            conversation_id=conversation_id, agent=agent, now=now, code="agent_joined", text="{name} joined the chat."
        )
        deliveries_send_on_commit(deliveries)
    queue_publish(now=now)
    return conversation


def queue_drain(*, now: datetime) -> int:
    """Give waiting chats to available agents, oldest first (automatic routing only)."""
    if chat_settings_get().routing != ChatSettings.Routing.AUTO:
        return 0
    assigned = 0
    refused: set[int] = set()
    while True:
        waiting = list(
            Conversation.objects.filter(status=Conversation.Status.WAITING)
            .order_by("queued_at", "id")
            .values_list("id", flat=True)[:50]
        )
        if not waiting:
            return assigned
        agents = agents_online(now=now)
        progress = False
        for conversation_id in waiting:
            choice = agent_pick(agents=agents, exclude=frozenset(refused))
            if choice is None:
                return assigned
            user = User.objects.get(pk=choice.user_id)
            try:
                conversation_assign(conversation_id=conversation_id, agent=user, now=now)
            except AssignmentRefusedError as refusal:
                if refusal.code == "no_room":
                    refused.add(choice.user_id)
                continue
            choice.load += 1
            choice.last_assigned_at = now
            assigned += 1
            progress = True
        if not progress:
            return assigned


def seconds_per_place(*, now: datetime) -> int:
    recent = Conversation.objects.filter(assigned_at__gte=now - ESTIMATE_WINDOW).count()
    if recent == 0:
        return DEFAULT_SECONDS_PER_PLACE
    return int(min(600, max(15, ESTIMATE_WINDOW.total_seconds() / recent)))


def queue_place(*, conversation: Conversation, now: datetime) -> dict[str, Any] | None:
    """``{"position", "estimated_wait"}`` (seconds) for a waiting conversation."""
    if conversation.status != Conversation.Status.WAITING:
        return None
    ahead = Conversation.objects.filter(status=Conversation.Status.WAITING).filter(
        Q(queued_at__lt=conversation.queued_at) | Q(queued_at=conversation.queued_at, id__lt=conversation.pk)
    )
    position = ahead.count() + 1
    return {"position": position, "estimated_wait": position * seconds_per_place(now=now)}


def queue_snapshot(*, limit: int = QUEUE_SNAPSHOT_SIZE) -> dict[str, Any]:
    """The queue as the agents' workspace lists it."""
    waiting = Conversation.objects.filter(status=Conversation.Status.WAITING)
    rows = waiting.select_related("account__platform", "agent", "case").order_by("queued_at", "id")[:limit]
    return {"type": "queue", "total": waiting.count(), "waiting": [conversation_for_agent(row) for row in rows]}


def queue_publish(*, now: datetime, force: bool = False) -> None:
    """After commit: each waiting customer gets their place; agents get the queue when it
    changed (``force`` sends it anyway: the periodic sweep does, in case a change was
    missed)."""
    per_place = seconds_per_place(now=now)
    deliveries: list[Delivery] = []
    waiting = list(
        Conversation.objects.filter(status=Conversation.Status.WAITING)
        .order_by("queued_at", "id")
        .values_list("id", flat=True)[:QUEUE_POSITIONS_SENT]
    )
    for position, conversation_id in enumerate(waiting, start=1):
        deliveries.append(
            signal_delivery(
                groups=[customer_group(conversation_id)],
                conversation_id=conversation_id,
                frame={
                    "type": "queue_position",
                    "conversation": conversation_id,
                    "position": position,
                    "estimated_wait": position * per_place,
                },
            )
        )
    snapshot = queue_snapshot()
    digest = hashlib.sha256(json.dumps(snapshot, sort_keys=True, default=str).encode()).hexdigest()
    if force or cache.get(_SNAPSHOT_CACHE_KEY) != digest:
        cache.set(_SNAPSHOT_CACHE_KEY, digest, timeout=300)
        deliveries.append(signal_delivery(groups=[QUEUE_GROUP], frame=snapshot))
    deliveries_send_on_commit(deliveries)

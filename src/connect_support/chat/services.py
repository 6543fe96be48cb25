"""Writes of live chat, except storing messages (``writer``) and the sweep (``sweep``).

Each service checks who may do it, writes in one transaction, and hands the events it
computed to ``events.deliveries_send_on_commit``. Routing work that follows (giving
waiting chats to agents who now have room) runs after that transaction, in its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from connect_support.chat import policy
from connect_support.chat.auth import AgentIdentity, CustomerIdentity
from connect_support.chat.availability import chat_availability
from connect_support.chat.errors import ChatRefusedError
from connect_support.chat.events import (
    Delivery,
    agent_group,
    conversation_groups,
    customer_group,
    deliveries_send_on_commit,
    item_delivery,
    signal_delivery,
)
from connect_support.chat.items import item_append, notice_append
from connect_support.chat.models import OPEN_STATUSES, AgentParticipation, AgentStatus, ChatMessage, Conversation
from connect_support.chat.routing import (
    AssignmentRefusedError,
    agent_has_room,
    agent_joined,
    agent_loads,
    conversation_assign,
    queue_drain,
    queue_publish,
)
from connect_support.chat.selectors import agent_display_name, conversation_open_for

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_CODE = re.compile(r"^[a-z0-9_.:\-]{1,80}$")
_SOURCE = re.compile(r"^[a-z_]{1,40}\.[a-z_]{1,60}$")
MAX_VIEWED_ARTICLES = 10


def clean_text(text: Any) -> str:
    """Plain text without control or direction-override characters, or a refusal."""
    if not isinstance(text, str):
        raise ChatRefusedError("bad_frame", "The message text must be a string.")
    cleaned = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if len(cleaned) > policy.MAX_TEXT_CHARS:
        raise ChatRefusedError(
            "too_long", f"Messages can be at most {policy.MAX_TEXT_CHARS} characters.", limit=policy.MAX_TEXT_CHARS
        )
    return cleaned


def clean_client_id(value: Any) -> str:
    if not isinstance(value, str) or not _CLIENT_ID.match(value):
        raise ChatRefusedError("bad_frame", "client_id must be 1 to 64 letters, digits, '-' or '_'.")
    return value


def source_context_from(raw: Any) -> dict[str, Any]:
    """What the widget says about where the customer was, kept only when it is well formed."""
    from connect_support.cases.selectors import article_titles
    from connect_support.helpcenter.contexts import visitor_context

    raw = raw if isinstance(raw, dict) else {}
    context: dict[str, Any] = {}
    source = str(raw.get("source") or "").strip().lower()
    if _SOURCE.match(source):
        component, _dot, dialog = source.partition(".")
        context.update({"source": source, "component": component, "dialog": dialog})
    for name in ("requirement", "intervention"):
        value = str(raw.get(name) or "").strip().lower()
        if _CODE.match(value):
            context[name] = value
    found = visitor_context(
        source=context.get("source"), requirement=context.get("requirement"), intervention=context.get("intervention")
    )
    if found is not None:
        context["task"] = str(found.task)
    viewed = raw.get("viewed")
    if isinstance(viewed, list):
        paths = [str(path)[:300] for path in viewed[:MAX_VIEWED_ARTICLES] if isinstance(path, str)]
        titles = article_titles(paths=[path for path in paths if path.startswith("/embedded-connect/")])
        if titles:
            context["viewed_articles"] = titles
    page = raw.get("page")
    if isinstance(page, str) and page.startswith("/embedded-connect/") and len(page) <= 300:
        context["page"] = page
    return context


def _topic(value: Any) -> str:
    from connect_support.helpcenter.models import TOPIC_SLUGS

    return value if isinstance(value, str) and value in TOPIC_SLUGS else ""


@dataclass(frozen=True)
class StartResult:
    conversation: Conversation
    created: bool


def conversation_start(
    *, customer: CustomerIdentity, client_id: str, topic: Any, text: Any, context: Any, now: datetime | None = None
) -> StartResult:
    """Open a conversation with the customer's first message and route it. A customer has
    at most one open conversation: starting again (a second tab, a retried start) finds it."""
    now = now or timezone.now()
    if not customer.eligible:
        raise ChatRefusedError("not_eligible", f"{customer.platform_name} supports your account directly.")
    client_id = clean_client_id(client_id)
    existing = conversation_open_for(requester_key=customer.requester_key)
    if existing is None:
        existing = Conversation.objects.filter(requester_key=customer.requester_key, start_client_id=client_id).first()
    if existing is not None:
        return StartResult(existing, created=False)
    body = clean_text(text)
    if not body:
        raise ChatRefusedError("empty", "Write a first message so that we know how to help.")
    availability = chat_availability(now=now)
    if not availability.available:
        raise ChatRefusedError("unavailable", availability.message, availability=availability.as_json())
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                account_id=customer.account_id,
                person_id=customer.person_id,
                requester_key=customer.requester_key,
                requester_name=customer.name[:200],
                requester_email=customer.email[:254],
                topic=_topic(topic),
                first_message=body[:500],
                source_context=source_context_from(context),
                start_client_id=client_id,
                created_at=now,
                queued_at=now,
                last_activity_at=now,
            )
            first = item_append(
                conversation_id=conversation.pk,
                kind=ChatMessage.Kind.MESSAGE,
                author_kind=ChatMessage.Author.CUSTOMER,
                author_name=customer.first_name,
                text=body,
                client_id=client_id,
                now=now,
            )
            deliveries_send_on_commit(
                [item_delivery(item=first, groups=[customer_group(conversation.pk)], agent_id=None)]
            )
    except IntegrityError:
        # Two starts raced (two tabs): the one open conversation is the answer to both.
        raced = conversation_open_for(requester_key=customer.requester_key)
        if raced is None:
            raise
        return StartResult(raced, created=False)
    queue_drain(now=now)
    queue_publish(now=now)
    conversation.refresh_from_db()
    return StartResult(conversation, created=True)


def _agent_user(agent: AgentIdentity) -> User:
    return User.objects.get(pk=agent.user_id)


def conversation_accept(*, conversation_id: str, agent: AgentIdentity, now: datetime | None = None) -> Conversation:
    """An agent takes a waiting conversation from the queue (while they have room)."""
    now = now or timezone.now()
    try:
        return conversation_assign(conversation_id=conversation_id, agent=_agent_user(agent), now=now)
    except AssignmentRefusedError as refusal:
        raise ChatRefusedError(refusal.code, str(refusal)) from None


def _leave(*, conversation_id: str, agent_id: int | None, now: datetime, reason: str) -> None:
    if agent_id is not None:
        AgentParticipation.objects.filter(
            conversation_id=conversation_id, agent_id=agent_id, left_at__isnull=True
        ).update(left_at=now, left_reason=reason)


def unassigned_deliveries(*, conversation_id: str, agent_id: int | None, reason: str) -> list[Delivery]:
    if agent_id is None:
        return []
    frame = {"type": "unassigned", "conversation": conversation_id, "reason": reason}
    return [signal_delivery(groups=[agent_group(agent_id)], conversation_id=conversation_id, frame=frame)]


def conversation_transfer(
    *, conversation_id: str, agent: AgentIdentity, to_agent_id: int | None, now: datetime | None = None
) -> Conversation:
    """The assigned agent hands the conversation to another available agent, or back to
    the queue (where it keeps its place)."""
    now = now or timezone.now()
    if to_agent_id == agent.user_id:
        raise ChatRefusedError("bad_frame", "Choose another agent, or the queue.")
    with transaction.atomic():
        conversation = Conversation.objects.filter(
            pk=conversation_id, agent_id=agent.user_id, status=Conversation.Status.ACTIVE
        ).first()
        if conversation is None:
            raise ChatRefusedError("not_assigned", "This chat is not yours to transfer.")
        target: User | None = None
        if to_agent_id is not None:
            target = User.objects.filter(pk=to_agent_id, is_active=True).first()
            if target is None or not agent_has_room(user_id=to_agent_id, now=now):
                raise ChatRefusedError("no_room", "That agent is not online or has no room for another chat.")
        fields: dict[str, Any]
        if target is not None:
            fields = {"agent": target, "assigned_at": now, "last_activity_at": now, "idle_warned_at": None}
        else:
            fields = {"agent": None, "status": Conversation.Status.WAITING, "queued_at": conversation.created_at}
        moved = Conversation.objects.filter(
            pk=conversation_id, agent_id=agent.user_id, status=Conversation.Status.ACTIVE
        ).update(**fields)
        if not moved:
            raise ChatRefusedError("not_assigned", "This chat is not yours to transfer.")
        _leave(conversation_id=conversation_id, agent_id=agent.user_id, now=now, reason="transferred")
        deliveries = unassigned_deliveries(
            conversation_id=conversation_id, agent_id=agent.user_id, reason="transferred"
        )
        if target is not None:
            conversation, joined = agent_joined(
                conversation_id=conversation_id,
                agent=target,
                now=now,
                code="transferred",
                text=f"{agent.display_name} transferred the chat to {{name}}.",
                also_to=(agent.user_id,),
            )
            deliveries = joined + deliveries
        else:
            notice = notice_append(
                conversation_id=conversation_id,
                code="returned_to_queue",
                text=f"{agent.display_name} left the chat. The next available agent will continue it.",
                now=now,
                data={"agent": agent.display_name},
            )
            groups = conversation_groups(conversation_id=conversation_id, agent_ids=[agent.user_id])
            deliveries = [item_delivery(item=notice, groups=groups, agent_id=None), *deliveries]
            conversation = Conversation.objects.get(pk=conversation_id)
        deliveries_send_on_commit(deliveries)
    queue_drain(now=now)
    queue_publish(now=now)
    return conversation


ENDED_TEXT: dict[str, str] = {
    Conversation.EndReason.IDLE: "This chat was closed after {minutes} minutes without messages.",
    Conversation.EndReason.NO_AGENT: (
        "No agent could answer in time, so this chat is closed. Send us an email and we'll reply."
    ),
}


def conversation_end(
    *,
    conversation_id: str,
    reason: str,
    customer: CustomerIdentity | None = None,
    agent: AgentIdentity | None = None,
    now: datetime | None = None,
    idle_minutes: int = 0,
) -> Conversation:
    """End an open conversation: by its customer, by its agent, or by the sweep."""
    now = now or timezone.now()
    rows = Conversation.objects.filter(pk=conversation_id, status__in=OPEN_STATUSES)
    if customer is not None:
        rows = rows.filter(account_id=customer.account_id, requester_key=customer.requester_key)
        text, by = f"{customer.first_name or 'The customer'} ended the chat.", "customer"
    elif agent is not None:
        rows = rows.filter(agent_id=agent.user_id)
        text, by = f"{agent.display_name} ended the chat.", "agent"
    else:
        text, by = ENDED_TEXT.get(reason, "This chat has ended.").format(minutes=idle_minutes), "system"
    with transaction.atomic():
        conversation = rows.select_for_update().first()
        if conversation is None:
            raise ChatRefusedError("not_open", "This chat has already ended.")
        was_waiting = conversation.status == Conversation.Status.WAITING
        agent_id = conversation.agent_id
        rows.filter(pk=conversation.pk).update(status=Conversation.Status.ENDED, ended_at=now, end_reason=reason)
        _leave(conversation_id=conversation_id, agent_id=agent_id, now=now, reason="ended")
        notice = notice_append(
            conversation_id=conversation_id, code="ended", text=text, now=now, data={"by": by, "reason": reason}
        )
        groups = conversation_groups(conversation_id=conversation_id, agent_ids=[agent_id])
        deliveries_send_on_commit(
            [
                item_delivery(item=notice, groups=groups, agent_id=agent_id),
                *unassigned_deliveries(conversation_id=conversation_id, agent_id=agent_id, reason="ended"),
            ]
        )
        if conversation.transcript_requested_at is not None and conversation.transcript_sent_at is None:
            from connect_support.chat.tasks import transcript_send_later

            transaction.on_commit(lambda: transcript_send_later(conversation_id))
    if was_waiting:
        queue_publish(now=now)
    else:
        queue_drain(now=now)
    conversation.refresh_from_db()
    return conversation


def conversation_read(
    *, conversation_id: str, seq: Any, customer: CustomerIdentity | None = None, agent: AgentIdentity | None = None
) -> int:
    """Record how far one side has read; the other side is told. Returns the new mark."""
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise ChatRefusedError("bad_frame", "seq must be a whole number.")
    rows = Conversation.objects.filter(pk=conversation_id, last_seq__gte=seq)
    if customer is not None:
        rows = rows.filter(account_id=customer.account_id, customer_read_seq__lt=seq)
        field, by = "customer_read_seq", "customer"
    elif agent is not None:
        rows = rows.filter(agent_id=agent.user_id, agent_read_seq__lt=seq)
        field, by = "agent_read_seq", "agent"
    else:
        raise ValueError("conversation_read needs the customer or the agent")
    with transaction.atomic():
        if not rows.update(**{field: seq}):
            return 0
        agent_id = Conversation.objects.filter(pk=conversation_id).values_list("agent_id", flat=True).first()
        frame = {"type": "read", "conversation": conversation_id, "by": by, "seq": seq}
        groups = [agent_group(agent_id)] if by == "customer" and agent_id is not None else []
        if by == "agent":
            groups = [customer_group(conversation_id)]
        deliveries_send_on_commit([signal_delivery(groups=groups, conversation_id=conversation_id, frame=frame)])
    return seq


def typing_deliveries(
    *, conversation_id: str, by: str, name: str, active: bool, agent_id: int | None
) -> list[Delivery]:
    """Typing goes to the other side only: the assigned agent, or the customer."""
    frame = {"type": "typing", "conversation": conversation_id, "by": by, "name": name, "active": bool(active)}
    if by == "customer":
        groups = [agent_group(agent_id)] if agent_id is not None else []
    else:
        groups = [customer_group(conversation_id)]
    return [signal_delivery(groups=groups, conversation_id=conversation_id, frame=frame)] if groups else []


def transcript_request(*, conversation_id: str, customer: CustomerIdentity, now: datetime | None = None) -> str:
    """Ask for the transcript by email, to the account's own address. Sent when the chat
    ends (at once if it has). Returns ``"requested"`` or ``"queued"``."""
    from connect_support.chat.tasks import transcript_send_later

    now = now or timezone.now()
    if not customer.email:
        raise ChatRefusedError("no_email", "Your account has no email address to send the transcript to.")
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update()
            .filter(pk=conversation_id, account_id=customer.account_id, requester_key=customer.requester_key)
            .first()
        )
        if conversation is None:
            raise ChatRefusedError("not_found", "There is no such chat.")
        if conversation.transcript_requested_at is None:
            Conversation.objects.filter(pk=conversation_id).update(transcript_requested_at=now)
        if conversation.status == Conversation.Status.ENDED and conversation.transcript_sent_at is None:
            transaction.on_commit(lambda: transcript_send_later(conversation_id))
            return "queued"
    return "requested" if conversation.status != Conversation.Status.ENDED else "sent"


@dataclass(frozen=True)
class AgentState:
    status: str
    capacity: int
    load: int

    def frame(self) -> dict[str, Any]:
        return {"type": "status", "status": self.status, "capacity": self.capacity, "load": self.load}


def agent_state(*, user_id: int) -> AgentState:
    row = AgentStatus.objects.filter(user_id=user_id).first()
    load = agent_loads(user_ids=[user_id]).get(user_id, 0)
    if row is None:
        return AgentState(AgentStatus.Status.OFFLINE, policy.DEFAULT_CAPACITY, load)
    return AgentState(row.status, row.capacity, load)


def agent_status_set(
    *, agent: AgentIdentity, status: Any, capacity: Any = None, now: datetime | None = None
) -> AgentState:
    """Online, away or offline, and how many chats at once. Going online (or making room)
    lets routing give waiting chats to this agent at once."""
    now = now or timezone.now()
    if status not in AgentStatus.Status.values:
        raise ChatRefusedError("bad_frame", "status must be online, away or offline.")
    if capacity is not None and (
        not isinstance(capacity, int) or isinstance(capacity, bool) or not 1 <= capacity <= policy.MAX_CAPACITY
    ):
        raise ChatRefusedError("bad_frame", f"capacity must be a whole number from 1 to {policy.MAX_CAPACITY}.")
    presence = timedelta(seconds=policy.tunable("AGENT_PRESENCE_SECONDS"))
    with transaction.atomic():
        row, _created = AgentStatus.objects.select_for_update().get_or_create(
            user_id=agent.user_id, defaults={"updated_at": now, "capacity": policy.DEFAULT_CAPACITY}
        )
        row.status = status
        if capacity is not None:
            row.capacity = capacity
        row.connected_until = now + presence
        row.updated_at = now
        row.save(update_fields=["status", "capacity", "connected_until", "updated_at"])
        state = AgentState(row.status, row.capacity, agent_loads(user_ids=[agent.user_id]).get(agent.user_id, 0))
        deliveries_send_on_commit([signal_delivery(groups=[agent_group(agent.user_id)], frame=state.frame())])
    if status == AgentStatus.Status.ONLINE:
        queue_drain(now=now)
    return agent_state(user_id=agent.user_id)


def agent_heartbeat(*, user_id: int, now: datetime | None = None) -> None:
    """A workspace is still connected. An online agent whose presence had lapsed is
    available again, so routing runs."""
    now = now or timezone.now()
    until = now + timedelta(seconds=policy.tunable("AGENT_PRESENCE_SECONDS"))
    revived = (
        AgentStatus.objects.filter(user_id=user_id, status=AgentStatus.Status.ONLINE)
        .filter(Q(connected_until__isnull=True) | Q(connected_until__lte=now))
        .update(connected_until=until)
    )
    if not revived:
        AgentStatus.objects.filter(user_id=user_id).update(connected_until=until)
    else:
        queue_drain(now=now)


def agents_for_transfer(*, exclude_user_id: int, now: datetime | None = None) -> list[dict[str, Any]]:
    """Agents who could take a chat now, for the transfer menu."""
    from connect_support.chat.routing import agents_online

    now = now or timezone.now()
    agents = [agent for agent in agents_online(now=now) if agent.user_id != exclude_user_id]
    users = {user.pk: user for user in User.objects.filter(pk__in=[agent.user_id for agent in agents])}
    return [
        {
            "id": agent.user_id,
            "name": users[agent.user_id].get_full_name() or users[agent.user_id].email,
            "display_name": agent_display_name(users[agent.user_id]),
            "load": agent.load,
            "capacity": agent.capacity,
        }
        for agent in sorted(agents, key=lambda a: (a.load, a.user_id))
        if agent.user_id in users and agent.free > 0
    ]

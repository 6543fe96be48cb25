"""Reads of live chat: what a customer or an agent may see, and the items to replay."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from connect_support.chat.events import iso, item_frame
from connect_support.chat.models import OPEN_STATUSES, AgentParticipation, ChatAttachment, ChatMessage, Conversation
from connect_support.identity.access import Actor, scoped

REPLAY_PAGE = 500


def agent_display_name(user: User) -> str:
    """What customers see of an agent: the first name only."""
    if user.first_name:
        return user.first_name
    return (user.email or user.get_username()).split("@")[0] or "Agent"


def conversations_visible(*, actor: Actor) -> QuerySet[Conversation]:
    """Customers reach their own account's conversations; agents need ``chats.work``."""
    return scoped(actor=actor, queryset=Conversation.objects.all(), permission="chats.work")


def conversation_for_customer(*, account_id: str, conversation_id: str) -> Conversation | None:
    if not conversation_id or len(conversation_id) > 40:
        return None
    return (
        Conversation.objects.filter(pk=conversation_id, account_id=account_id, account__deleted_at__isnull=True)
        .select_related("agent")
        .first()
    )


def conversation_open_for(*, requester_key: str) -> Conversation | None:
    return Conversation.objects.filter(requester_key=requester_key, status__in=OPEN_STATUSES).first()


def conversation_latest_for(*, requester_key: str) -> Conversation | None:
    """The open conversation, else the most recent one (to show how it ended)."""
    return Conversation.objects.filter(requester_key=requester_key).order_by("-created_at").first()


def items_after(*, conversation_id: str, after: int, upto: int | None = None) -> list[dict[str, Any]]:
    """Frames of the items numbered above ``after`` (up to ``upto``), in order."""
    rows = ChatMessage.objects.filter(conversation_id=conversation_id, seq__gt=after)
    if upto is not None:
        rows = rows.filter(seq__lte=upto)
    return [item_frame(row) for row in rows.order_by("seq")[:REPLAY_PAGE]]


def last_seqs(*, conversation_ids: list[str]) -> dict[str, int]:
    return dict(Conversation.objects.filter(pk__in=conversation_ids).values_list("id", "last_seq"))


def agent_open_conversations(*, user_id: int) -> list[Conversation]:
    return list(
        Conversation.objects.filter(agent_id=user_id, status=Conversation.Status.ACTIVE)
        .select_related("account__platform", "agent", "case")
        .order_by("assigned_at")
    )


def attachment_for(*, conversation_id: str, attachment_id: str) -> ChatAttachment | None:
    if not attachment_id or len(attachment_id) > 40:
        return None
    return ChatAttachment.objects.filter(pk=attachment_id, conversation_id=conversation_id).first()


def _requirements(conversation: Conversation) -> dict[str, Any]:
    requirements: dict[str, Any] = conversation.account.requirements or {}
    return {
        "currently_due": list(requirements.get("currently_due") or []),
        "past_due": list(requirements.get("past_due") or []),
        "current_deadline": requirements.get("current_deadline"),
        "disabled_reason": requirements.get("disabled_reason"),
    }


def conversation_for_agent(conversation: Conversation) -> dict[str, Any]:
    """What the workspace shows about a conversation: the customer, their account and
    platform, where they came from, and the account's open requirements."""
    account = conversation.account
    agent = conversation.agent
    return {
        "id": conversation.pk,
        "status": conversation.status,
        "topic": conversation.topic,
        "first_message": conversation.first_message,
        "last_seq": conversation.last_seq,
        "created_at": iso(conversation.created_at),
        "queued_at": iso(conversation.queued_at),
        "assigned_at": iso(conversation.assigned_at),
        "ended_at": iso(conversation.ended_at),
        "end_reason": conversation.end_reason,
        "agent": {"id": agent.pk, "name": agent.get_full_name() or agent.email} if agent is not None else None,
        "customer": {
            "name": conversation.requester_name,
            "email": conversation.requester_email,
            "account": account.pk,
            "business_name": account.business_name,
            "platform": account.platform.display_name,
        },
        "context": conversation.source_context,
        "requirements": _requirements(conversation),
        "read": {"customer": conversation.customer_read_seq, "agent": conversation.agent_read_seq},
        "case": {"id": conversation.case_id, "number": conversation.case.number} if conversation.case else None,
    }


def conversation_for_customer_frame(conversation: Conversation) -> dict[str, Any]:
    """What the customer's widget is told about its conversation."""
    agent = conversation.agent
    return {
        "id": conversation.pk,
        "status": conversation.status,
        "topic": conversation.topic,
        "last_seq": conversation.last_seq,
        "created_at": iso(conversation.created_at),
        "agent": {"name": agent_display_name(agent)} if agent is not None else None,
        "read": {"agent": conversation.agent_read_seq},
        "end_reason": conversation.end_reason,
        "case_offered": conversation.case_offered_at is not None,
        "transcript_requested": conversation.transcript_requested_at is not None,
    }


def conversation_of_agent(*, user_id: int, conversation_id: str) -> Conversation | None:
    """The conversation if this agent answers it or once did (with its account and platform)."""
    if not conversation_id or len(conversation_id) > 40:
        return None
    took_part = AgentParticipation.objects.filter(conversation_id=conversation_id, agent_id=user_id)
    return (
        Conversation.objects.filter(pk=conversation_id)
        .filter(Q(agent_id=user_id) | Q(pk__in=took_part.values("conversation_id")))
        .select_related("account__platform", "agent", "case")
        .first()
    )


def conversation_for_transcript(*, conversation_id: str) -> Conversation | None:
    if not conversation_id or len(conversation_id) > 40:
        return None
    return Conversation.objects.filter(pk=conversation_id).select_related("account__platform", "agent", "case").first()

"""Chat events into the audit trail.

Chat writes every event everyone sees (an agent joined, a transfer, the end) as a notice
item created one by one, so a ``post_save`` receiver sees each of them and copies it into
``AuditEvent`` inside the same transaction: a rolled-back transfer leaves no trace, a
committed one always does, and the copy outlives the conversation. Customers' and
agents' messages are not audit events (they are the conversation itself).

Case changes are not copied: cases writes ``CaseChange`` rows with ``bulk_create``, which
sends no signal, so the trail reads them in place (``privacy/trail.py``).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from connect_support.chat.models import ChatMessage, Conversation
from connect_support.identity.audit import AuditKind
from connect_support.identity.models import AuditEvent

NOTICE_KINDS = {
    "agent_joined": AuditKind.CHAT_AGENT_JOINED,
    "transferred": AuditKind.CHAT_TRANSFERRED,
    "returned_to_queue": AuditKind.CHAT_RETURNED_TO_QUEUE,
    "case_offered": AuditKind.CHAT_CASE_OFFERED,
    "case_created": AuditKind.CHAT_CASE_CREATED,
    "ended": AuditKind.CHAT_ENDED,
}
# Details worth keeping from a notice's data: short, and never the customer's words.
_KEPT_DATA = ("by", "reason", "agent", "case", "case_number")


@receiver(post_save, sender=Conversation, dispatch_uid="privacy.chat_started")
def chat_started(sender: type[Conversation], instance: Conversation, created: bool, **kwargs: Any) -> None:
    if not created or kwargs.get("raw"):
        return
    AuditEvent.objects.create(
        at=instance.created_at,
        kind=AuditKind.CHAT_STARTED,
        subject_label=instance.pk,
        account_id=instance.account_id,
        detail={"conversation": instance.pk, "topic": instance.topic},
    )


@receiver(post_save, sender=ChatMessage, dispatch_uid="privacy.chat_notice")
def chat_notice(sender: type[ChatMessage], instance: ChatMessage, created: bool, **kwargs: Any) -> None:
    if not created or kwargs.get("raw") or instance.kind != ChatMessage.Kind.NOTICE:
        return
    kind = NOTICE_KINDS.get(instance.code)
    if kind is None:  # idle warnings and the like: not a change anyone made
        return
    conversation = Conversation.objects.only("account_id", "agent_id").get(pk=instance.conversation_id)
    data = instance.data if isinstance(instance.data, dict) else {}
    detail: dict[str, Any] = {"conversation": instance.conversation_id, "notice": instance.text[:300]}
    detail.update({key: data[key] for key in _KEPT_DATA if key in data and isinstance(data[key], str | int)})
    # After a transfer the conversation names the new agent, not the one who handed it over;
    # the notice text names both.
    by_agent = instance.code == "agent_joined" or data.get("by") == "agent"
    AuditEvent.objects.create(
        at=instance.created_at,
        kind=kind,
        actor_id=conversation.agent_id if by_agent else None,
        subject_label=instance.conversation_id,
        account_id=conversation.account_id,
        detail=detail,
    )

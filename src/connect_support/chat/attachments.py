"""Files in a chat, checked by the email cases' rules (type by content, size, count).

A file is uploaded over HTTP first (WebSocket frames stay small), then sent with a message
that names it; until then only its uploader can use it, and it can be sent once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from connect_support.cases.attachments import AttachmentRefusedError, attachment_check
from connect_support.chat import policy
from connect_support.chat.errors import ChatRefusedError
from connect_support.chat.models import OPEN_STATUSES, ChatAttachment, ChatMessage, Conversation
from connect_support.identity.ratelimit import rate_limit_hit


@dataclass(frozen=True)
class Uploader:
    """The customer of an account, or an agent: who may put a file in a conversation."""

    kind: str
    account_id: str | None = None
    requester_key: str | None = None
    user_id: int | None = None


def _conversation_for(uploader: Uploader, conversation_id: str) -> Conversation | None:
    rows = Conversation.objects.filter(pk=conversation_id, status__in=OPEN_STATUSES)
    if uploader.kind == ChatMessage.Author.CUSTOMER:
        return rows.filter(account_id=uploader.account_id, requester_key=uploader.requester_key).first()
    return rows.filter(agent_id=uploader.user_id).first()


def attachment_upload(*, conversation_id: str, uploader: Uploader, filename: str, content: bytes) -> ChatAttachment:
    conversation = _conversation_for(uploader, conversation_id)
    if conversation is None:
        raise ChatRefusedError("not_found", "There is no such open chat.")
    if not rate_limit_hit(limit=policy.UPLOADS_PER_CONVERSATION, key=f"{conversation_id}:{uploader.kind}").allowed:
        raise ChatRefusedError("rate_limited", "Too many files for this chat; try again later.")
    if ChatAttachment.objects.filter(conversation=conversation).count() >= policy.MAX_ATTACHMENTS_PER_CONVERSATION:
        raise ChatRefusedError(
            "too_many_files", f"A chat can hold at most {policy.MAX_ATTACHMENTS_PER_CONVERSATION} files."
        )
    try:
        checked = attachment_check(filename=filename, content=content)
    except AttachmentRefusedError as refused:
        raise ChatRefusedError("file_refused", str(refused)) from None
    attachment = ChatAttachment(
        conversation=conversation,
        uploaded_by_kind=uploader.kind,
        uploaded_by_user_id=uploader.user_id,
        filename=checked.filename,
        content_type=checked.content_type,
        size=len(checked.content),
        sha256=hashlib.sha256(checked.content).hexdigest(),
        created_at=timezone.now(),
    )
    attachment.file.save(checked.filename, ContentFile(checked.content), save=False)
    attachment.save(force_insert=True)
    return attachment


def attachment_json(attachment: ChatAttachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
    }

"""A conversation as text: the transcript sent by email on request, and the first message
of the email case a chat can become."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from connect_support.chat.auth import AgentIdentity, CustomerIdentity
from connect_support.chat.availability import chat_settings_get, zone_of
from connect_support.chat.errors import ChatRefusedError
from connect_support.chat.events import conversation_groups, deliveries_send_on_commit, item_delivery
from connect_support.chat.items import notice_append
from connect_support.chat.models import OPEN_STATUSES, AgentParticipation, ChatAttachment, ChatMessage, Conversation


@dataclass(frozen=True)
class TranscriptLine:
    at: str
    who: str
    text: str
    notice: bool
    attachments: list[str]


def transcript_lines(*, conversation: Conversation, zone: ZoneInfo) -> list[TranscriptLine]:
    lines = []
    for item in ChatMessage.objects.filter(conversation=conversation).order_by("seq"):
        attachments = [str(a.get("filename", "")) for a in (item.data or {}).get("attachments", [])]
        lines.append(
            TranscriptLine(
                at=item.created_at.astimezone(zone).strftime("%H:%M"),
                who=item.author_name or ("Agent" if item.author_kind == "agent" else "You"),
                text=item.text,
                notice=item.kind == ChatMessage.Kind.NOTICE,
                attachments=attachments,
            )
        )
    return lines


def transcript_text(*, conversation: Conversation) -> str:
    zone = zone_of(chat_settings_get())
    started = conversation.created_at.astimezone(zone)
    out = [f"Chat {conversation.pk}, {started:%d %B %Y} (times in {zone.key})", ""]
    for line in transcript_lines(conversation=conversation, zone=zone):
        if line.notice:
            out.append(f"[{line.at}] — {line.text}")
            continue
        out.append(f"[{line.at}] {line.who}: {line.text}" if line.text else f"[{line.at}] {line.who}:")
        out.extend(f"        (attached: {name})" for name in line.attachments)
    return "\n".join(out).strip() + "\n"


def transcript_email(*, conversation: Conversation) -> EmailMultiAlternatives:
    zone = zone_of(chat_settings_get())
    context: dict[str, Any] = {
        "conversation": conversation,
        "operator_name": settings.OPERATOR_NAME,
        "lines": transcript_lines(conversation=conversation, zone=zone),
        "started": conversation.created_at.astimezone(zone),
        "zone": zone.key,
        "name": conversation.requester_name,
    }
    subject = f"Your chat with {settings.OPERATOR_NAME} on {context['started']:%d %B %Y}"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("chat/email/transcript.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[conversation.requester_email],
    )
    message.attach_alternative(render_to_string("chat/email/transcript.html", context), "text/html")
    return message


def transcript_send(*, conversation_id: str) -> bool:
    """Send the transcript once: the row is claimed before sending and released again if
    sending fails, so that the job's retry sends it. Returns whether it was sent now."""
    claimed = Conversation.objects.filter(
        pk=conversation_id,
        status=Conversation.Status.ENDED,
        transcript_requested_at__isnull=False,
        transcript_sent_at__isnull=True,
    ).update(transcript_sent_at=timezone.now())
    if not claimed:
        return False
    conversation = Conversation.objects.get(pk=conversation_id)
    try:
        transcript_email(conversation=conversation).send()
    except Exception:
        Conversation.objects.filter(pk=conversation_id).update(transcript_sent_at=None)
        raise
    return True


def _mask(email: str) -> str:
    _name, address = parseaddr(email)
    local, _at, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "your email address"


def conversation_to_case(
    *,
    conversation_id: str,
    customer: CustomerIdentity | None = None,
    agent: AgentIdentity | None = None,
    now: datetime | None = None,
) -> Any:
    """Turn the conversation into an email case whose first message is the transcript (with
    the chat's files). The customer may do it while no agent has answered; the assigned
    agent at any time. Doing it twice finds the same case. Returns the case."""
    from connect_support.cases.models import Case
    from connect_support.cases.services import IncomingFile, MessageInput, case_create
    from connect_support.chat.routing import queue_drain, queue_publish

    now = now or timezone.now()
    rows = Conversation.objects.filter(pk=conversation_id).select_related("account", "person")
    if customer is not None:
        rows = rows.filter(account_id=customer.account_id, requester_key=customer.requester_key)
    elif agent is not None:
        was_theirs = AgentParticipation.objects.filter(conversation_id=conversation_id, agent_id=agent.user_id)
        rows = rows.filter(pk__in=was_theirs.values("conversation_id"))
    conversation = rows.first()
    if conversation is None:
        raise ChatRefusedError("not_found", "There is no such chat.")
    if conversation.case_id is not None:
        return Case.objects.get(pk=conversation.case_id)
    if customer is not None and conversation.first_agent_reply_at is not None and conversation.is_open:
        raise ChatRefusedError("not_allowed", "An agent is answering this chat; ask them to follow up by email.")
    if not conversation.requester_email:
        raise ChatRefusedError("no_email", "This account has no email address to continue by email.")
    files = [
        IncomingFile(filename=attachment.filename, content=attachment.file.read())
        for attachment in ChatAttachment.objects.filter(conversation=conversation, message__isnull=False)
    ]
    subject = conversation.first_message.splitlines()[0][:120] if conversation.first_message else "Chat"
    # ``conversation_id`` is how a case finds its chat (the console links the transcript).
    source_context = {**conversation.source_context, "chat": conversation.pk, "conversation_id": conversation.pk}
    with transaction.atomic():
        # Two clicks at once: the second waits for the first and finds its case.
        linked = (
            Conversation.objects.select_for_update()
            .filter(pk=conversation.pk)
            .values_list("case_id", flat=True)
            .first()
        )
        if linked is not None:
            return Case.objects.get(pk=linked)
        created = case_create(
            requester_email=conversation.requester_email,
            requester_name=conversation.requester_name,
            subject=f"Chat: {subject}",
            message=MessageInput(body_text=transcript_text(conversation=conversation), files=files),
            channel=Case.Channel.CHAT,
            topic=conversation.topic,
            account=conversation.account,
            person=conversation.person,
            source_context=source_context,
            form_token=f"chat:{conversation.pk}",
            acknowledge=True,
        )
        case = created.case
        if not Conversation.objects.filter(pk=conversation.pk, case__isnull=True).update(case=case):
            return case  # linked by a conversion that committed in between
        was_open = Conversation.objects.filter(pk=conversation.pk, status__in=OPEN_STATUSES).update(
            status=Conversation.Status.ENDED, ended_at=now, end_reason=Conversation.EndReason.CONVERTED
        )
        AgentParticipation.objects.filter(conversation=conversation, left_at__isnull=True).update(
            left_at=now, left_reason="converted"
        )
        notice = notice_append(
            conversation_id=conversation.pk,
            code="case_created",
            text=(
                f"This chat is now email case #{case.number}. We'll reply by email to "
                f"{_mask(conversation.requester_email)}."
            ),
            now=now,
            data={
                "case": case.pk,
                "number": case.number,
                "url": reverse("cases:detail", kwargs={"case_id": case.pk}),
            },
        )
        groups = conversation_groups(conversation_id=conversation.pk, agent_ids=[conversation.agent_id])
        deliveries_send_on_commit([item_delivery(item=notice, groups=groups, agent_id=None)])
        if was_open and conversation.agent_id is not None:
            from connect_support.chat.services import unassigned_deliveries

            deliveries_send_on_commit(
                unassigned_deliveries(
                    conversation_id=conversation.pk, agent_id=conversation.agent_id, reason="converted"
                )
            )
    if was_open:
        if conversation.status == Conversation.Status.WAITING:
            queue_publish(now=now)
        else:
            queue_drain(now=now)
    return case

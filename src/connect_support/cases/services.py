"""Writes to cases. Each service runs in one transaction: the case change, its history,
its messages and attachments, and the outbound mail row commit together or not at all."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import nh3
from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from connect_support.accounts.models import ConnectedAccount, Person
from connect_support.cases.addresses import new_message_id, new_reply_token
from connect_support.cases.attachments import (
    AttachmentRefusedError,
    AttachmentStorageError,
    attachment_check,
    attachment_store,
    attachments_discard,
)
from connect_support.cases.delivery import outbound_enqueue
from connect_support.cases.history import CaseActor, case_change_fields, case_version_bump
from connect_support.cases.models import CASE_NUMBER_OFFSET, Case, CaseMessage, CaseNumber, Deflection, InboundEmail
from connect_support.cases.models import OutboundEmail as Outbound

MAX_BODY_CHARS = 100_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Statuses from which a requester's new message puts the case back in the agents' queue.
_REOPENED_BY_REQUESTER = {Case.Status.PENDING, Case.Status.SOLVED}
STATUSES_NOTIFIED = {Case.Status.SOLVED, Case.Status.CLOSED}


class CaseClosedError(Exception):
    """A closed case takes no more messages; a new case is opened instead."""


@dataclass(frozen=True)
class IncomingFile:
    filename: str
    content: bytes


@dataclass
class MessageInput:
    """A message as it arrived: text (and, from mail, sanitized HTML), files, mail ids."""

    body_text: str
    body_html: str = ""
    files: Sequence[IncomingFile] = ()
    message_id: str = ""
    in_reply_to: str = ""
    inbound: InboundEmail | None = None
    notes: list[str] = field(default_factory=list)


def clean_subject(subject: str, *, fallback: str = "") -> str:
    line = " ".join(_CONTROL.sub(" ", subject or "").split())
    if not line:
        line = " ".join(_CONTROL.sub(" ", fallback).split())[:80] or "(no subject)"
    return line[:300]


def clean_body(text: str) -> str:
    return _CONTROL.sub("", (text or "").replace("\r\n", "\n")).strip()[:MAX_BODY_CHARS]


def clean_html(html: str) -> str:
    """Sanitized HTML: no scripts, handlers, styles or remote content that runs."""
    return nh3.clean(html[: MAX_BODY_CHARS * 4]) if html else ""


def _hours(name: str, default: int) -> timedelta:
    return timedelta(hours=int(getattr(settings, name, default)))


def _add_message(
    *,
    case: Case,
    author_kind: str,
    author_name: str,
    author_email: str,
    via: str,
    message: MessageInput,
    author_user: User | None = None,
    internal: bool = False,
    form_token: str | None = None,
) -> CaseMessage:
    """The message and its attachments; files we cannot keep become notes on the message.
    Called under the case's row lock (or on a case being created)."""
    now = timezone.now()
    notes = list(message.notes)
    checked = []
    for incoming in message.files:
        try:
            checked.append(attachment_check(filename=incoming.filename, content=incoming.content))
        except AttachmentRefusedError as refused:
            notes.append(f"Attachment not kept: {refused}")
    version = case_version_bump(case=case)
    created = CaseMessage.objects.create(
        case=case,
        version=version,
        author_kind=author_kind,
        author_user=author_user,
        author_name=author_name[:200],
        author_email=author_email[:254],
        via=via,
        internal=internal,
        body_text=clean_body(message.body_text),
        body_html=clean_html(message.body_html),
        message_id=message.message_id[:255],
        in_reply_to=message.in_reply_to[:255],
        inbound=message.inbound,
        notes=notes,
        form_token=form_token or None,
        created_at=now,
    )
    stored = []
    try:
        for good in checked:
            stored.append(attachment_store(case=case, message=created, checked=good))
    except AttachmentStorageError:
        attachments_discard(stored)  # the transaction rolls back: keep no file of it either
        raise
    return created


@dataclass(frozen=True)
class CaseCreated:
    case: Case
    created: bool


def case_create(
    *,
    requester_email: str,
    requester_name: str,
    subject: str,
    message: MessageInput,
    channel: str,
    topic: str = "",
    account: ConnectedAccount | None = None,
    person: Person | None = None,
    claimed_account_id: str = "",
    source_context: dict[str, Any] | None = None,
    form_token: str | None = None,
    base_url: str | None = None,
    acknowledge: bool = True,
) -> CaseCreated:
    """Open a case with its first message and queue the acknowledgement. A repeated
    ``form_token`` (a double submit) returns the case the first submit made."""
    if form_token:
        existing = Case.objects.filter(form_token=form_token).first()
        if existing is not None:
            return CaseCreated(existing, created=False)
    try:
        with transaction.atomic():
            case = _case_create(
                requester_email=requester_email,
                requester_name=requester_name,
                subject=subject,
                message=message,
                channel=channel,
                topic=topic,
                account=account,
                person=person,
                claimed_account_id=claimed_account_id,
                source_context=source_context or {},
                form_token=form_token,
                base_url=base_url,
                acknowledge=acknowledge,
            )
    except IntegrityError:
        if form_token:
            existing = Case.objects.filter(form_token=form_token).first()
            if existing is not None:
                return CaseCreated(existing, created=False)
        raise
    return CaseCreated(case, created=True)


def _case_create(
    *,
    requester_email: str,
    requester_name: str,
    subject: str,
    message: MessageInput,
    channel: str,
    topic: str,
    account: ConnectedAccount | None,
    person: Person | None,
    claimed_account_id: str,
    source_context: dict[str, Any],
    form_token: str | None,
    base_url: str | None,
    acknowledge: bool,
) -> Case:
    now = timezone.now()
    case = Case.objects.create(
        number=CaseNumber.objects.create().pk + CASE_NUMBER_OFFSET,
        account=account,
        claimed_account_id="" if account is not None else claimed_account_id[:40],
        requester_person=person,
        requester_name=" ".join(requester_name.split())[:200],
        requester_email=requester_email.strip().lower()[:254],
        topic=topic[:40],
        subject=clean_subject(subject, fallback=message.body_text),
        channel=channel,
        source_context=source_context,
        reply_token=new_reply_token(),
        form_token=form_token or None,
        first_response_due_at=now + _hours("CASES_FIRST_RESPONSE_HOURS", 24),
        resolution_due_at=now + _hours("CASES_RESOLUTION_HOURS", 72),
        created_at=now,
        updated_at=now,
    )
    _add_message(
        case=case,
        author_kind=CaseMessage.Author.REQUESTER,
        author_name=case.requester_name,
        author_email=case.requester_email,
        via=CaseMessage.Via.EMAIL if channel == Case.Channel.EMAIL else CaseMessage.Via.WEB,
        message=message,
    )
    if acknowledge:
        outbound_enqueue(case=case, kind=Outbound.Kind.ACKNOWLEDGEMENT, base_url=base_url)
    return case


def case_add_requester_message(
    *, case: Case, author_email: str, author_name: str, via: str, message: MessageInput, locked: bool = False
) -> CaseMessage:
    """A message from the requester (or someone writing to the case's address). A pending
    or solved case goes back to open; a closed case refuses (open a new one instead).
    ``locked``: ``case`` was read with ``select_for_update`` in the caller's transaction."""
    if locked and case.is_closed:
        raise CaseClosedError(f"case #{case.number} is closed")
    # Under the caller's lock there is no need for a savepoint of our own: any failure
    # fails the caller's transaction as a whole.
    with transaction.atomic(savepoint=not locked):
        locked_case = case if locked else Case.objects.select_for_update().get(pk=case.pk)
        result = _add_requester_message(
            case=locked_case, author_email=author_email, author_name=author_name, via=via, message=message
        )
    if not locked:
        for name in ("status", "solved_at", "updated_at"):
            setattr(case, name, getattr(locked_case, name))
    return result


def _add_requester_message(
    *, case: Case, author_email: str, author_name: str, via: str, message: MessageInput
) -> CaseMessage:
    if case.is_closed:
        raise CaseClosedError(f"case #{case.number} is closed")
    address = author_email.strip().lower()
    is_requester = address == case.requester_email
    created = _add_message(
        case=case,
        author_kind=CaseMessage.Author.REQUESTER if is_requester else CaseMessage.Author.PARTICIPANT,
        author_name=author_name or (case.requester_name if is_requester else ""),
        author_email=address,
        via=via,
        message=message,
    )
    changes: dict[str, Any] = {}
    if case.status in _REOPENED_BY_REQUESTER:
        changes["status"] = Case.Status.OPEN
        changes["solved_at"] = None
    changed = case_change_fields(case=case, actor=CaseActor(kind=created.author_kind, label=address), changes=changes)
    case.updated_at = created.created_at
    Case.objects.filter(pk=case.pk).update(**{name: getattr(case, name) for name in (*changed, "updated_at")})
    return created


def case_reply_as_agent(
    *,
    case: Case,
    agent: User,
    body_text: str,
    files: Sequence[IncomingFile] = (),
    internal: bool = False,
    status: str | None = None,
    base_url: str | None = None,
    form_token: str | None = None,
) -> CaseMessage:
    """An agent's reply (mailed to the requester) or internal note (never mailed). A reply
    leaves the case waiting for the requester unless ``status`` says otherwise. A repeated
    ``form_token`` (a double submit) returns the message the first submit made."""
    actor = CaseActor.agent(agent)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if form_token:
            existing = CaseMessage.objects.filter(form_token=form_token, case=locked).first()
            if existing is not None:
                return existing
        message_id = "" if internal else new_message_id()
        created = _add_message(
            case=locked,
            author_kind=CaseMessage.Author.AGENT,
            author_user=agent,
            author_name=agent.get_full_name() or agent.get_username(),
            author_email=agent.email,
            via=CaseMessage.Via.CONSOLE,
            internal=internal,
            message=MessageInput(body_text=body_text, files=files, message_id=message_id),
            form_token=form_token,
        )
        changes: dict[str, Any] = {}
        if not internal:
            changes["status"] = status or Case.Status.PENDING
            if locked.first_responded_at is None:
                changes["first_responded_at"] = created.created_at
            if changes["status"] == Case.Status.SOLVED:
                changes["solved_at"] = created.created_at
        elif status:
            changes["status"] = status
        changed = case_change_fields(case=locked, actor=actor, changes=changes, at=created.created_at)
        locked.updated_at = created.created_at
        locked.save(update_fields=[*changed, "updated_at"])
        if not internal:
            outbound_enqueue(
                case=locked,
                kind=Outbound.Kind.AGENT_REPLY,
                message=created,
                message_id=message_id,
                attachment_ids=list(created.attachments.values_list("pk", flat=True)),
                extra={
                    "author_name": created.author_name,
                    "body_text": created.body_text,
                    "attachment_names": list(created.attachments.values_list("filename", flat=True)),
                },
                base_url=base_url,
            )
    case.refresh_from_db()
    return created


def case_set_status(*, case: Case, status: str, actor: CaseActor, base_url: str | None = None) -> Case:
    """Change the status. The requester is told by mail when someone else solves or closes
    the case, or reopens it; their own clicks on the support site send nothing."""
    if status not in Case.Status.values:
        raise ValueError(f"unknown status {status!r}")
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.is_closed and actor.kind != CaseMessage.Author.AGENT:
            raise CaseClosedError(f"case #{locked.number} is closed")
        was = locked.status
        now = timezone.now()
        changes: dict[str, Any] = {"status": status}
        if status == Case.Status.SOLVED:
            changes["solved_at"] = now
        elif status != Case.Status.CLOSED:
            changes["solved_at"] = None
        changed = case_change_fields(case=locked, actor=actor, changes=changes, at=now)
        if not changed:
            return locked
        locked.updated_at = now
        locked.save(update_fields=[*changed, "updated_at"])
        reopened = was in {Case.Status.SOLVED, Case.Status.CLOSED} and status not in STATUSES_NOTIFIED
        if actor.kind != CaseMessage.Author.REQUESTER and (status in STATUSES_NOTIFIED or reopened):
            outbound_enqueue(
                case=locked,
                kind=Outbound.Kind.STATUS_CHANGE,
                extra={"new_status": status, "status_label": locked.get_status_display()},
                base_url=base_url,
            )
    case.refresh_from_db()
    return case


def case_update_fields(
    *,
    case: Case,
    actor: CaseActor,
    assignee: User | None = None,
    unassign: bool = False,
    priority: str | None = None,
    topic: str | None = None,
    tags: list[str] | None = None,
) -> Case:
    """Assignment, priority, topic and tags, each change recorded."""
    changes: dict[str, Any] = {}
    if assignee is not None or unassign:
        changes["assignee"] = assignee
    if priority is not None:
        if priority not in Case.Priority.values:
            raise ValueError(f"unknown priority {priority!r}")
        changes["priority"] = priority
    if topic is not None:
        changes["topic"] = topic[:40]
    if tags is not None:
        changes["tags"] = sorted({tag.strip().lower()[:40] for tag in tags if tag.strip()})
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        changed = case_change_fields(case=locked, actor=actor, changes=changes)
        if changed:
            locked.updated_at = timezone.now()
            locked.save(update_fields=[*changed, "updated_at"])
    case.refresh_from_db()
    return case


def _emails_of(account: ConnectedAccount) -> set[str]:
    emails = {account.email.lower()} if account.email else set()
    emails |= {
        email.lower()
        for email in Person.objects.filter(account=account).exclude(email="").values_list("email", flat=True)
    }
    return emails


def case_link_account(*, case: Case, account: ConnectedAccount, actor: CaseActor) -> Case:
    """Link the case to an account whose control the requester has proven."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        changed = case_change_fields(case=locked, actor=actor, changes={"account": account, "claimed_account_id": ""})
        if changed:
            locked.updated_at = timezone.now()
            locked.save(update_fields=[*changed, "updated_at"])
    case.refresh_from_db()
    return case


def case_link_claimed_account_by_email(*, case: Case) -> bool:
    """Opening the private link proves control of the requester's mailbox; if that mailbox
    is the claimed account's own address, the case is linked to the account."""
    if case.account_id is not None or not case.claimed_account_id:
        return False
    account = ConnectedAccount.objects.filter(pk=case.claimed_account_id, deleted_at__isnull=True).first()
    if account is None or case.requester_email not in _emails_of(account):
        return False
    case_link_account(
        case=case, account=account, actor=CaseActor.system("private link opened from the account's email")
    )
    return True


def deflection_record(
    *,
    topic: str,
    subject: str,
    article_url: str,
    suggested: list[dict[str, str]],
    account: ConnectedAccount | None,
    source_context: dict[str, Any],
) -> Deflection:
    return Deflection.objects.create(
        at=timezone.now(),
        topic=topic[:40],
        subject=clean_subject(subject)[:300] if subject else "",
        article_url=article_url[:300],
        suggested=suggested[:10],
        account=account,
        source_context=source_context,
    )


def requester_cases_filter(*, email: str) -> Q:
    return Q(requester_email=email.strip().lower())

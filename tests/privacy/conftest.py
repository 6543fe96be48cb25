"""Two accounts on one platform, each with everything a person leaves behind: people,
cases with messages and files, mail in and out, a chat with a file, an intervention
answered with a document, a sign-in, a co-branded email, a platform event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.utils import timezone

from connect_support.accounts.models import ConnectedAccount, Person
from connect_support.cases.history import CaseActor
from connect_support.cases.inbound.receive import inbound_mail_receive
from connect_support.cases.models import Case
from connect_support.cases.services import IncomingFile, MessageInput, case_create, case_reply_as_agent, case_set_status
from connect_support.chat.items import item_append, notice_append
from connect_support.chat.models import ChatAttachment, ChatMessage, Conversation
from connect_support.risk.models import AccountEmail, Intervention, InterventionFile, InterventionResponse
from connect_support.webhooks.models import Event
from tests.cases.conftest import mail
from tests.chat.support import signed_in_session
from tests.factories import make_account, platform_with_keys
from tests.identity.fixtures import fresh_rate_limits, make_agent

__all__ = ["fresh_rate_limits"]

PDF = b"%PDF-1.4\n" + b"1 0 obj <<>> endobj\n" * 40 + b"%%EOF\n"


@dataclass
class Someone:
    account: ConnectedAccount
    person: Person
    email: str
    phone: str
    case: Case
    conversation: Conversation
    intervention: Intervention
    secret: str  # a phrase written only in this account's messages


def _someone(platform: Any, *, agent: User, tag: str, phone: str) -> Someone:
    email = f"{tag}@{tag}-shop.example"
    account = make_account(
        platform,
        email=email,
        individual={"first_name": f"Robin{tag}", "last_name": "Owner", "phone": phone, "email": email},
    )
    person = account.persons.get()
    secret = f"my {tag} tax id is 123-{tag}"
    case = case_create(
        requester_email=email,
        requester_name=f"Robin{tag} Owner",
        subject=f"Payout question from {tag}",
        message=MessageInput(body_text=f"Hello, {secret}.", files=[IncomingFile(f"{tag}-statement.pdf", PDF)]),
        channel=Case.Channel.WEB,
        account=account,
        person=person,
    ).case
    case_reply_as_agent(case=case, agent=agent, body_text=f"Thanks Robin{tag}, we are looking.")
    case_set_status(case=case, status=Case.Status.SOLVED, actor=CaseActor.agent(agent))
    # Their reply by mail, threaded by the reply address.
    inbound_mail_receive(
        raw=mail(sender=f"Robin{tag} <{email}>", to=f"support+{case.reply_token}@localhost", body=f"Also {secret}"),
        source="smtp",
    )
    now = timezone.now()
    conversation = Conversation.objects.create(
        account=account,
        person=person,
        requester_key=f"{account.pk}:{person.pk}",
        requester_name=f"Robin{tag} Owner",
        requester_email=email,
        first_message=f"Chat about {secret}",
        created_at=now,
        queued_at=now,
        last_activity_at=now,
    )
    item_append(
        conversation_id=conversation.pk,
        kind=ChatMessage.Kind.MESSAGE,
        author_kind=ChatMessage.Author.CUSTOMER,
        author_name=f"Robin{tag}",
        text=f"Chat about {secret}",
        now=now,
    )
    Conversation.objects.filter(pk=conversation.pk).update(agent=agent, status=Conversation.Status.ACTIVE)
    notice_append(conversation_id=conversation.pk, code="agent_joined", text="Avery joined the chat.", now=now)
    upload = ChatAttachment(
        conversation=conversation,
        uploaded_by_kind=ChatMessage.Author.CUSTOMER,
        filename=f"{tag}-photo.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
        created_at=now,
    )
    upload.file.save(f"{tag}-photo.pdf", ContentFile(PDF), save=False)
    upload.save(force_insert=True)
    intervention = Intervention.objects.create(
        account=account,
        kind=Intervention.Kind.PAUSE_PAYOUTS,
        cause=Intervention.Cause.FRAUD,
        affects=Intervention.Affects.PAYOUTS,
        message="Tell us about your business.",
        deadline=now + timedelta(days=7),
        created_at=now,
        updated_at=now,
    )
    response = InterventionResponse.objects.create(
        intervention=intervention,
        answers={"explanation": f"We sell shoes, {secret}"},
        person_id=person.pk,
        person_name=f"Robin{tag} Owner",
        submitted_at=now,
    )
    InterventionFile.objects.create(
        response=response,
        field="invoice",
        filename=f"{tag}-invoice.pdf",
        content_type="application/pdf",
        size=len(PDF),
        content=PDF,
    )
    AccountEmail.objects.create(
        account=account,
        intervention=intervention,
        category=AccountEmail.Category.RISK,
        template="intervention_opened",
        to=email,
        from_email="risk@operator.test",
        subject="Your payouts are paused",
        text_body=f"Dear Robin{tag}, your payouts are paused.",
        html_body=f"<p>Dear Robin{tag}</p>",
        message_id=f"risk-{tag}@operator.test",
        next_attempt_at=now,
        created_at=now,
    )
    Event.objects.create(
        platform=platform,
        type="account.updated",
        account_id=account.pk,
        data={"object": {"id": account.pk, "object": "account", "email": email, "individual": {"phone": phone}}},
    )
    signed_in_session(account=account, person=person)
    case.refresh_from_db()
    return Someone(account, person, email, phone, case, conversation, intervention, secret)


@dataclass
class World:
    admin: User
    admin_secret: str
    agent: User
    alice: Someone
    bruno: Someone


@pytest.fixture
def world(fresh_rate_limits: None) -> World:
    admin, admin_secret = make_agent(email="admin@operator.test", roles=("admin",))
    agent, _ = make_agent(email="avery@operator.test", roles=("support agent",))
    platform = platform_with_keys().platform
    alice = _someone(platform, agent=agent, tag="alice", phone="+14155550101")
    bruno = _someone(platform, agent=agent, tag="bruno", phone="+14155550102")
    return World(admin, admin_secret, agent, alice, bruno)

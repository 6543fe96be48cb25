"""Erasure: personal data gone, ids, counts and the audit trail kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from connect_support.accounts.models import ConnectedAccount, Person
from connect_support.cases.inbound.receive import inbound_mail_receive
from connect_support.cases.models import Attachment, Case, CaseMessage, InboundEmail, OutboundEmail
from connect_support.chat.models import ChatAttachment, ChatMessage, Conversation
from connect_support.console.models import CaseSearchEntry
from connect_support.csat.models import Rating
from connect_support.identity.models import AuditEvent, SignInSession
from connect_support.privacy.erase import ERASED, ErasureConfirmationError, privacy_erase
from connect_support.privacy.scope import data_subject_find
from connect_support.risk.models import AccountEmail, InterventionFile, InterventionResponse
from connect_support.webhooks.models import Event
from tests.cases.conftest import mail
from tests.privacy.conftest import Someone, World

pytestmark = pytest.mark.django_db(transaction=True)


def _counts(someone: Someone) -> dict[str, int]:
    return {
        "messages": CaseMessage.objects.filter(case=someone.case).count(),
        "attachments": Attachment.objects.filter(case=someone.case).count(),
        "chat items": ChatMessage.objects.filter(conversation=someone.conversation).count(),
        "emails": OutboundEmail.objects.filter(case=someone.case).count(),
        "answers": InterventionResponse.objects.filter(intervention=someone.intervention).count(),
        "persons": Person.objects.filter(account=someone.account).count(),
    }


def _dump(someone: Someone) -> str:
    """Every stored text about the account, to search for leftovers."""
    parts: list[object] = [ConnectedAccount.objects.filter(pk=someone.account.pk).values().get()]
    parts += list(Person.objects.filter(account=someone.account).values())
    parts += list(Case.objects.filter(pk=someone.case.pk).values())
    parts += list(CaseMessage.objects.filter(case=someone.case).values())
    parts += list(Attachment.objects.filter(case=someone.case).values())
    parts += list(OutboundEmail.objects.filter(case=someone.case).values())
    parts += list(InboundEmail.objects.filter(case=someone.case).values())
    parts += list(Conversation.objects.filter(pk=someone.conversation.pk).values())
    parts += list(ChatMessage.objects.filter(conversation=someone.conversation).values())
    parts += list(ChatAttachment.objects.filter(conversation=someone.conversation).values())
    parts += list(InterventionResponse.objects.filter(intervention=someone.intervention).values())
    parts += list(InterventionFile.objects.filter(response__intervention=someone.intervention).values())
    parts += list(AccountEmail.objects.filter(account=someone.account).values())
    parts += list(Event.objects.filter(account_id=someone.account.pk).values())
    parts += list(SignInSession.objects.filter(account=someone.account).values())
    parts += list(AuditEvent.objects.filter(account_id=someone.account.pk).values())
    parts += list(CaseSearchEntry.objects.filter(case_id=someone.case.pk).values())
    parts += list(Rating.objects.filter(case=someone.case).values())
    return repr(parts)


def _stored_files(someone: Someone) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    names = [a.file.name for a in Attachment.objects.filter(case=someone.case)]
    names += [a.file.name for a in ChatAttachment.objects.filter(conversation=someone.conversation)]
    return [root / name for name in names]


def test_erasing_an_account_removes_personal_data_and_keeps_ids_counts_and_trail(world: World) -> None:
    alice, bruno = world.alice, world.bruno
    before, bruno_before = _counts(alice), _dump(bruno)
    trail_before = AuditEvent.objects.filter(account_id=alice.account.pk).count()
    assert alice.secret in repr(list(CaseSearchEntry.objects.filter(case_id=alice.case.pk).values()))
    Rating.objects.create(
        channel=Rating.Channel.CASE,
        case=alice.case,
        score=2,
        comment=f"Slow, and {alice.secret}",
        created_at=alice.case.created_at,
        updated_at=alice.case.created_at,
    )
    files = _stored_files(alice)
    assert all(path.exists() for path in files)

    result = privacy_erase(
        subject=data_subject_find(query=alice.account.pk), confirmation=alice.account.pk, actor=world.admin
    )

    assert _counts(alice) == before
    leftover = _dump(alice)
    for trace in (alice.email, alice.phone, alice.secret, "Robinalice", "alice-statement.pdf", "alice-invoice"):
        assert trace not in leftover, trace
    assert not any(path.exists() for path in files)
    assert result.counts["case messages"] == before["messages"]
    case = Case.objects.get(pk=alice.case.pk)
    assert case.subject == ERASED
    assert case.number == alice.case.number
    assert bytes(InterventionFile.objects.get(response__intervention=alice.intervention).content) == b""
    # The trail is kept, plus one row saying who erased what.
    assert AuditEvent.objects.filter(account_id=alice.account.pk).count() == trail_before + 1
    erased = AuditEvent.objects.get(kind="privacy.erased")
    assert erased.actor == world.admin
    assert erased.detail["target"] == alice.account.pk
    # The other account is untouched.
    assert _dump(bruno) == bruno_before


def test_erasing_a_requester_by_address_keeps_the_address_out_of_the_trail(world: World) -> None:
    bruno = world.bruno
    privacy_erase(subject=data_subject_find(query=bruno.email), confirmation=bruno.email.upper(), actor=world.admin)
    assert not Case.objects.filter(requester_email__iexact=bruno.email).exists()
    assert not InboundEmail.objects.filter(from_address__iexact=bruno.email).exists()
    assert bruno.email not in repr(list(AuditEvent.objects.values()))
    event = AuditEvent.objects.get(kind="privacy.erased")
    assert event.detail["scope"] == "requester"
    assert len(event.detail["address_digest"]) == 64
    assert world.alice.secret in CaseMessage.objects.filter(case=world.alice.case).first().body_text  # type: ignore[union-attr]


def test_a_wrong_confirmation_erases_nothing(world: World) -> None:
    alice = world.alice
    before = _dump(alice)
    with pytest.raises(ErasureConfirmationError):
        privacy_erase(subject=data_subject_find(query=alice.account.pk), confirmation="yes", actor=world.admin)
    assert _dump(alice) == before
    assert all(path.exists() for path in _stored_files(alice))
    assert not AuditEvent.objects.filter(kind="privacy.erased").exists()


def test_later_mail_from_an_erased_requester_opens_a_new_case(world: World) -> None:
    alice = world.alice
    old_token = alice.case.reply_token
    old_number = alice.case.number
    privacy_erase(subject=data_subject_find(query=alice.account.pk), confirmation=alice.account.pk, actor=world.admin)
    row = inbound_mail_receive(
        raw=mail(
            sender=f"Robin <{alice.email}>",
            to=f"support+{old_token}@localhost",
            subject=f"Re: [#{old_number}] Payout question",
            body="Is there any news?",
        ),
        source="smtp",
    )
    assert row.case_id is not None
    assert row.case_id != alice.case.pk
    assert CaseMessage.objects.filter(case=alice.case, body_text__contains="any news").count() == 0

"""Which case a reply lands in: the reply address first, then In-Reply-To/References,
then a [#number] subject tag only from the requester; closed cases get a follow-up."""

from __future__ import annotations

import pytest

from connect_support.cases.history import CaseActor
from connect_support.cases.inbound.receive import inbound_mail_receive
from connect_support.cases.models import Case, CaseMessage, OutboundEmail
from connect_support.cases.services import case_set_status
from tests.cases.conftest import mail

pytestmark = pytest.mark.django_db


def _open_case(sender: str = "Robin Owner <robin@shop.example>") -> tuple[Case, OutboundEmail]:
    row = inbound_mail_receive(raw=mail(sender=sender, message_id="<first@shop.example>"), source="smtp")
    assert row.case is not None
    return row.case, OutboundEmail.objects.get(case=row.case)


def _reply(**kwargs: str) -> Case | None:
    row = inbound_mail_receive(raw=mail(**kwargs), source="smtp")
    assert row.status == "processed", row.reason
    return row.case


def test_the_reply_address_threads_even_without_headers() -> None:
    case, ack = _open_case()
    again = _reply(to=ack.reply_to, subject="something else entirely", body="More details: it was 120 USD.")
    assert again == case
    assert case.messages.count() == 2
    assert Case.objects.count() == 1


def test_in_reply_to_threads_a_reply_sent_to_the_plain_address() -> None:
    case, ack = _open_case()
    assert _reply(in_reply_to=f"<{ack.message_id}>", subject="Re: hi") == case
    assert _reply(references=f"<unknown@x.example> <{ack.message_id}>", subject="Re: hi") == case
    # Our requester's own earlier Message-ID also threads (a reply to their own mail).
    assert _reply(in_reply_to="<first@shop.example>", subject="Re: hi") == case


def test_the_subject_tag_counts_only_from_the_requester() -> None:
    case, _ack = _open_case()
    tagged = f"Re: anything [#{case.number}]"
    assert _reply(subject=tagged, sender="robin@shop.example") == case
    stranger = _reply(subject=tagged, sender="mallory@evil.example")
    assert stranger is not None
    assert stranger != case
    assert stranger.requester_email == "mallory@evil.example"


def test_someone_else_writing_to_the_case_address_is_a_participant() -> None:
    case, ack = _open_case()
    _reply(to=ack.reply_to, sender="Colleague <colleague@shop.example>", body="I work with Robin.")
    latest = case.messages.order_by("-created_at").first()
    assert latest is not None
    assert (latest.author_kind, latest.author_email) == ("participant", "colleague@shop.example")


def test_a_reply_is_stripped_of_quoted_history_and_signature() -> None:
    case, ack = _open_case()
    body = (
        "Yes, it was the old bank account.\n\nBest regards,\nRobin\n\n"
        f"On Tue, 3 Jun 2025 at 10:00, Connect Support <support@localhost> wrote:\n> {ack.text_body.splitlines()[0]}\n"
        "> We received your request.\n"
    )
    _reply(to=ack.reply_to, body=body)
    latest = case.messages.order_by("-created_at").first()
    assert latest is not None
    assert latest.body_text == "Yes, it was the old bank account."
    assert any("Quoted history" in note for note in latest.notes)


def test_replies_reopen_pending_and_solved_cases() -> None:
    case, ack = _open_case()
    case_set_status(case=case, status=Case.Status.SOLVED, actor=CaseActor.system())
    _reply(to=ack.reply_to, body="Sorry, it happened again.")
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    assert case.solved_at is None
    assert list(case.changes.filter(field="status").values_list("old", "new")) == [
        ("new", "solved"),
        ("solved", "open"),
    ]


def test_mail_to_a_closed_case_opens_a_follow_up() -> None:
    case, ack = _open_case()
    case_set_status(case=case, status=Case.Status.CLOSED, actor=CaseActor.system())
    follow_up = _reply(to=ack.reply_to, subject="Re: Question", body="A new problem.")
    assert follow_up is not None
    assert follow_up != case
    assert follow_up.source_context == {"follow_up_of": case.number}
    assert case.messages.count() == 1


def test_the_same_message_delivered_twice_is_kept_once() -> None:
    _case, ack = _open_case()
    raw = mail(to=ack.reply_to, message_id="<retry-1@shop.example>", body="Delivered twice by a retrying server.")
    first = inbound_mail_receive(raw=raw, source="smtp")
    second = inbound_mail_receive(raw=raw, source="smtp")
    assert (first.status, second.status, second.reason_code) == ("processed", "ignored", "duplicate")
    assert CaseMessage.objects.filter(message_id="retry-1@shop.example").count() == 1


def test_auto_replies_to_our_acknowledgement_are_never_answered() -> None:
    case, ack = _open_case()
    row = inbound_mail_receive(
        raw=mail(to=ack.reply_to, subject="Automatic reply: away", headers={"Auto-Submitted": "auto-replied"}),
        source="smtp",
    )
    assert (row.status, row.reason_code) == ("ignored", "auto_reply")
    assert case.messages.count() == 1
    assert OutboundEmail.objects.count() == 1


def test_a_spam_burst_is_quarantined_and_acknowledged_only_a_few_times(settings: object) -> None:
    settings.CASES_INBOUND_PER_SENDER_PER_HOUR = 8  # type: ignore[attr-defined]
    rows = [
        inbound_mail_receive(raw=mail(sender="bot@spam.example", subject=f"Offer {n}"), source="smtp")
        for n in range(10)
    ]
    assert [row.status for row in rows].count("quarantined") == 2
    assert {row.reason_code for row in rows if row.status == "quarantined"} == {"rate_limited"}
    acknowledgements = OutboundEmail.objects.filter(to="bot@spam.example").count()
    assert acknowledgements == 5  # CASES_ACKNOWLEDGEMENTS_PER_SENDER_PER_HOUR: we are nobody's amplifier

"""Case services: numbers, history of every field change, agents' replies and notes,
status mail, and history that outlives the people in it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from connect_support.cases.history import CaseActor
from connect_support.cases.models import Case, CaseChange, CaseMessage, OutboundEmail
from connect_support.cases.services import (
    MessageInput,
    case_create,
    case_reply_as_agent,
    case_set_status,
    case_update_fields,
)
from tests.identity.fixtures import make_agent

pytestmark = pytest.mark.django_db


def _case(subject: str = "Payout missing") -> Case:
    return case_create(
        requester_email="Robin@Shop.example ",
        requester_name="Robin  Owner",
        subject=subject,
        message=MessageInput(body_text="Hello\x00 there"),
        channel=Case.Channel.EMAIL,
    ).case


def test_cases_get_unguessable_ids_and_short_increasing_numbers() -> None:
    first, second = _case(), _case()
    assert first.pk.startswith("case_")
    assert len(first.pk) > 20
    assert second.number == first.number + 1
    assert first.number >= 10_001
    assert first.requester_email == "robin@shop.example"
    assert first.requester_name == "Robin Owner"
    assert first.messages.get().body_text == "Hello there"
    assert first.first_response_due_at is not None
    assert first.resolution_due_at is not None


def test_subjects_are_one_line_and_never_empty() -> None:
    assert _case(subject="Line one\r\nBcc: victim@example.org").subject == "Line one Bcc: victim@example.org"
    assert _case(subject="   ").subject == "Hello there"


def test_every_field_change_is_recorded_with_who_and_what() -> None:
    case = _case()
    agent, _ = make_agent()
    actor = CaseActor.agent(agent)
    case_update_fields(case=case, actor=actor, assignee=agent, priority="high", tags=["Payouts", "vip", "vip"])
    case_update_fields(case=case, actor=actor, priority="high")  # no change, no row
    rows = list(CaseChange.objects.filter(case=case).values_list("field", "old", "new", "actor_label"))
    assert rows == [
        ("assignee", "", str(agent.pk), "Avery Agent"),
        ("priority", "normal", "high", "Avery Agent"),
        ("tags", "", "payouts, vip", "Avery Agent"),
    ]
    with pytest.raises(ValueError, match="unknown priority"):
        case_update_fields(case=case, actor=actor, priority="whenever")


def test_internal_notes_are_never_mailed_and_replies_always_are() -> None:
    case = _case()
    agent, _ = make_agent()
    case_reply_as_agent(case=case, agent=agent, body_text="Checked the ledger: payout failed.", internal=True)
    assert not OutboundEmail.objects.filter(kind="agent_reply").exists()
    reply = case_reply_as_agent(case=case, agent=agent, body_text="We are resending it.")
    mail = OutboundEmail.objects.get(kind="agent_reply")
    assert mail.message_id == reply.message_id
    assert "We are resending it." in mail.text_body
    assert "Checked the ledger" not in mail.text_body


def test_solving_mails_the_requester_and_reopening_by_an_agent_too() -> None:
    case = _case()
    agent, _ = make_agent()
    case_set_status(case=case, status=Case.Status.SOLVED, actor=CaseActor.agent(agent))
    case_set_status(case=case, status=Case.Status.OPEN, actor=CaseActor.agent(agent))
    case_set_status(case=case, status=Case.Status.ON_HOLD, actor=CaseActor.agent(agent))
    subjects = list(OutboundEmail.objects.filter(kind="status_change").values_list("subject", flat=True))
    assert subjects == [
        f"Your case is solved: Payout missing [#{case.number}]",
        f"Your case is open: Payout missing [#{case.number}]",
    ]


def test_deleting_an_agent_keeps_their_messages_and_history() -> None:
    case = _case()
    agent, _ = make_agent()
    case_update_fields(case=case, actor=CaseActor.agent(agent), assignee=agent)
    case_reply_as_agent(case=case, agent=agent, body_text="Resolved on our side.")
    User.objects.filter(pk=agent.pk).delete()
    message = CaseMessage.objects.get(author_kind="agent")
    assert (message.author_user, message.author_name, message.body_text) == (
        None,
        "Avery Agent",
        "Resolved on our side.",
    )
    case.refresh_from_db()
    assert case.assignee is None
    assert CaseChange.objects.filter(case=case, field="assignee", actor_label="Avery Agent").exists()

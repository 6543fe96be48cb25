"""Optimistic locking: an edit names the version it was made on; a stale one is refused
with what changed since, and a double-submitted reply makes one message."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection

from connect_support.cases.addresses import reply_address
from connect_support.cases.editing import CaseEditError, CaseVersionConflictError, case_edit, case_reply
from connect_support.cases.inbound.receive import inbound_mail_receive
from connect_support.cases.models import Case, CaseMessage, OutboundEmail
from connect_support.cases.services import MessageInput, case_create
from tests.cases.conftest import mail
from tests.identity.fixtures import make_agent

pytestmark = pytest.mark.django_db


def _case() -> Case:
    return case_create(
        requester_email="robin@shop.example",
        requester_name="Robin Owner",
        subject="Payout missing",
        message=MessageInput(body_text="Hello"),
        channel=Case.Channel.EMAIL,
        acknowledge=False,
    ).case


def test_the_second_of_two_agents_editing_at_once_gets_a_conflict_not_an_overwrite() -> None:
    avery, _ = make_agent()
    blake, _ = make_agent(email="blake@operator.test")
    case = _case()
    seen = case.version
    case_edit(case=case, agent=avery, version=seen, status="open", priority="high", assignee=avery, tags="vip")
    with pytest.raises(CaseVersionConflictError) as conflict:
        case_edit(case=case, agent=blake, version=seen, status="on_hold", priority="low", assignee=None, tags="")
    whats = [change.what for change in conflict.value.changes]
    assert "Priority: normal → high" in whats
    assert "Status: new → open" in whats
    assert "Tags: — → vip" in whats
    case.refresh_from_db()
    assert (case.status, case.priority, case.assignee_id, case.tags) == ("open", "high", avery.pk, ["vip"])
    # With the version the conflict showed, the same edit goes through.
    case_edit(
        case=case,
        agent=blake,
        version=conflict.value.case.version,
        status="on_hold",
        priority="low",
        assignee=None,
        tags="",
    )
    case.refresh_from_db()
    assert (case.status, case.priority, case.assignee_id, case.tags) == ("on_hold", "low", None, [])


def test_a_requester_message_arriving_makes_an_open_form_stale() -> None:
    avery, _ = make_agent()
    case = _case()
    seen = case.version
    inbound_mail_receive(raw=mail(to=reply_address(case.reply_token), body="More details"), source="smtp")
    with pytest.raises(CaseVersionConflictError) as conflict:
        case_reply(case=case, agent=avery, version=seen, body_text="Done", internal=False, status=None, form_token="t1")
    assert [change.what for change in conflict.value.changes] == ["New requester message"]
    assert not CaseMessage.objects.filter(author_kind="agent").exists()


def test_a_double_submitted_reply_makes_one_message_and_one_mail() -> None:
    avery, _ = make_agent()
    case = _case()
    seen = case.version
    first = case_reply(
        case=case, agent=avery, version=seen, body_text="Hi", internal=False, status=None, form_token="tok"
    )
    again = case_reply(
        case=case, agent=avery, version=seen, body_text="Hi", internal=False, status=None, form_token="tok"
    )
    assert first.pk == again.pk
    assert CaseMessage.objects.filter(author_kind="agent").count() == 1
    assert OutboundEmail.objects.filter(kind="agent_reply").count() == 1


def test_notes_are_never_mailed_and_bad_edits_are_refused() -> None:
    avery, _ = make_agent()
    case = _case()
    case_reply(
        case=case, agent=avery, version=case.version, body_text="Internal", internal=True, status=None, form_token="n"
    )
    assert not OutboundEmail.objects.exists()
    case.refresh_from_db()
    with pytest.raises(CaseEditError, match="Write a message"):
        case_reply(
            case=case, agent=avery, version=case.version, body_text="  ", internal=False, status=None, form_token="x"
        )
    with pytest.raises(CaseEditError, match="status"):
        case_edit(case=case, agent=avery, version=case.version, status="gone", priority="low", assignee=None, tags="")
    tags = ",".join(f"t{n}" for n in range(25))
    with pytest.raises(CaseEditError, match="tags"):
        case_edit(case=case, agent=avery, version=case.version, status="open", priority="low", assignee=None, tags=tags)


@pytest.mark.django_db(transaction=True)
def test_two_agents_saving_at_the_same_moment_one_wins_one_is_told() -> None:
    avery, _ = make_agent()
    blake, _ = make_agent(email="blake@operator.test")
    case = _case()
    seen = case.version
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(agent: User, priority: str) -> None:
        try:
            start.wait()
            case_edit(
                case=Case.objects.get(pk=case.pk),
                agent=agent,
                version=seen,
                status="open",
                priority=priority,
                assignee=agent,
                tags="",
            )
            outcomes[priority] = "saved"
        except CaseVersionConflictError:
            outcomes[priority] = "conflict"
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(avery, "high")), threading.Thread(target=save, args=(blake, "low"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["conflict", "saved"]
    winner = next(priority for priority, outcome in outcomes.items() if outcome == "saved")
    case.refresh_from_db()
    assert case.priority == winner
    assert case.assignee_id == (avery.pk if winner == "high" else blake.pk)

"""Merging cases: the thread, attachments and later mail follow the surviving case, the
merged case is closed with a pointer, and both histories record it."""

from __future__ import annotations

import pytest

from connect_support.cases.addresses import reply_address
from connect_support.cases.editing import CaseVersionConflictError
from connect_support.cases.inbound.receive import inbound_mail_receive
from connect_support.cases.merge import CaseMergeError, case_merge, merged_case_ids
from connect_support.cases.models import Attachment, Case, CaseChange, CaseMessage
from connect_support.cases.services import IncomingFile, MessageInput, case_create, case_reply_as_agent
from tests.cases.conftest import mail, tiny_png
from tests.factories import make_account, platform_with_keys
from tests.identity.fixtures import make_agent

pytestmark = pytest.mark.django_db


def _case(subject: str, files: tuple[IncomingFile, ...] = (), **kwargs: object) -> Case:
    return case_create(
        requester_email="robin@shop.example",
        requester_name="Robin Owner",
        subject=subject,
        message=MessageInput(body_text=f"About {subject}", files=files),
        channel=Case.Channel.EMAIL,
        acknowledge=False,
        **kwargs,  # type: ignore[arg-type]
    ).case


def test_the_thread_and_attachments_move_and_both_histories_record_the_merge() -> None:
    agent, _ = make_agent()
    survivor = _case("Payout missing")
    duplicate = _case("Payout still missing", files=(IncomingFile("receipt.png", tiny_png()),))
    case_merge(source=duplicate, target=survivor, agent=agent, version=duplicate.version)
    duplicate.refresh_from_db()
    survivor.refresh_from_db()
    assert duplicate.merged_into_id == survivor.pk
    assert duplicate.status == Case.Status.CLOSED
    bodies = list(CaseMessage.objects.filter(case=survivor).values_list("body_text", flat=True))
    assert bodies == ["About Payout missing", "About Payout still missing"]
    assert not CaseMessage.objects.filter(case=duplicate).exists()
    assert Attachment.objects.get().case_id == survivor.pk
    survivor_rows = list(CaseChange.objects.filter(case=survivor).values_list("field", "new"))
    assert survivor_rows == [("merged", f"#{duplicate.number} (1 message)")]
    merged_rows = dict(CaseChange.objects.filter(case=duplicate).values_list("field", "new"))
    assert merged_rows == {"merged_into": survivor.pk, "status": "closed"}
    assert merged_case_ids(case=survivor) == [duplicate.pk]


def test_later_mail_to_the_merged_case_lands_in_the_survivor() -> None:
    agent, _ = make_agent()
    survivor = _case("Payout missing")
    duplicate = _case("Payout still missing")
    answered = case_reply_as_agent(case=duplicate, agent=agent, body_text="Looking into it")
    case_merge(source=duplicate, target=survivor, agent=agent, version=Case.objects.get(pk=duplicate.pk).version)

    by_address = inbound_mail_receive(
        raw=mail(subject="Re: Payout still missing", to=reply_address(duplicate.reply_token), body="By address"),
        source="smtp",
    )
    assert by_address.case_id == survivor.pk
    assert "merged case" in by_address.reason
    by_reference = inbound_mail_receive(
        raw=mail(subject="Re: anything", in_reply_to=f"<{answered.message_id}>", body="By reference"),
        source="smtp",
    )
    assert by_reference.case_id == survivor.pk
    texts = list(CaseMessage.objects.filter(case=survivor).values_list("body_text", flat=True))
    assert texts[-2:] == ["By address", "By reference"]
    assert Case.objects.count() == 2  # no new case opened for mail to the closed, merged one


def test_merges_that_make_no_sense_are_refused() -> None:
    agent, _ = make_agent()
    first, second, third = _case("One"), _case("Two"), _case("Three")
    with pytest.raises(CaseMergeError, match="itself"):
        case_merge(source=first, target=first, agent=agent, version=first.version)
    case_merge(source=second, target=first, agent=agent, version=second.version)
    with pytest.raises(CaseMergeError, match="already merged"):
        case_merge(source=second, target=third, agent=agent, version=Case.objects.get(pk=second.pk).version)
    with pytest.raises(CaseMergeError, match="merge into that one"):
        case_merge(source=third, target=second, agent=agent, version=third.version)


def test_cases_of_different_accounts_are_never_merged() -> None:
    agent, _ = make_agent()
    platform = platform_with_keys().platform
    mine = _case("Mine", account=make_account(platform))
    theirs = _case("Theirs", account=make_account(platform))
    with pytest.raises(CaseMergeError, match="different accounts"):
        case_merge(source=theirs, target=mine, agent=agent, version=theirs.version)
    assert CaseMessage.objects.filter(case=theirs).count() == 1


def test_a_merge_from_a_stale_page_is_refused() -> None:
    agent, _ = make_agent()
    survivor, duplicate = _case("One"), _case("Two")
    seen = duplicate.version
    case_reply_as_agent(case=duplicate, agent=agent, body_text="Meanwhile, an answer")
    with pytest.raises(CaseVersionConflictError) as conflict:
        case_merge(source=duplicate, target=survivor, agent=agent, version=seen)
    assert [change.what for change in conflict.value.changes] == ["New agent message", "Status: new → pending"]
    assert Case.objects.get(pk=duplicate.pk).merged_into_id is None

"""Case search in the inbox: words in subjects, requesters and every message, direct hits
for numbers, addresses and ids, and an index that follows every write (FTS5 on SQLite,
tsvector on PostgreSQL: the same tests run on both)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from connect_support.cases.models import Case, CaseMessage
from connect_support.cases.services import MessageInput, case_add_requester_message
from connect_support.console.inbox_search import case_search, search_index_rebuild
from connect_support.console.models import CaseSearchEntry
from tests.console.test_inbox import agent, open_case, page_of
from tests.factories import PlatformFactory, make_account

__all__ = ["agent"]

pytestmark = pytest.mark.django_db


def found(query: str) -> list[str]:
    return [Case.objects.get(pk=pk).subject for pk in case_search(query=query, limit=50).case_ids]


def test_words_in_subjects_requesters_and_messages_are_found() -> None:
    open_case("Payout missing", body="The transfer to my bank never arrived.")
    open_case("Dispute on order 55", name="Priya Natarajan", body="A customer disputes a charge.")
    open_case("Other", body="Nothing related here.")
    assert found("payout") == ["Payout missing"]
    assert found("transfer bank") == ["Payout missing"]
    assert found("natarajan") == ["Dispute on order 55"]
    assert found("disputed") == ["Dispute on order 55"]  # stemmed
    assert found("arriv") == ["Payout missing"]  # the last word is a prefix: answers while typing
    assert found("transfer nothing") == []  # every word must match


def test_the_subject_ranks_above_a_mention_in_a_message() -> None:
    open_case("Question", body="Also, what about reserves on my account?")
    open_case("Reserves held", body="Why are funds held?")
    assert found("reserves") == ["Reserves held", "Question"]


def test_numbers_addresses_and_ids_find_the_case_directly() -> None:
    account = make_account(PlatformFactory(name="Rocket Rides"))
    by_account = open_case("Verified request", account=account, email="owner@business.example")
    claimed = open_case("Unverified request", claimed_account_id="acct_Claimed123", email="who@else.example")
    assert found(f"#{by_account.number}") == ["Verified request"]
    assert found(str(claimed.number)) == ["Unverified request"]
    assert found("OWNER@business.example")[0] == "Verified request"
    assert found(account.pk)[0] == "Verified request"
    assert found("acct_Claimed123")[0] == "Unverified request"
    assert found(claimed.pk) == ["Unverified request"]
    assert case_search(query=f"#{by_account.number}", limit=10).direct_ids == {by_account.pk}


def test_the_index_follows_new_messages_edits_and_deletions() -> None:
    case = open_case("Payout missing", body="First message.")
    assert found("chargeback") == []
    case_add_requester_message(
        case=case,
        author_email=case.requester_email,
        author_name=case.requester_name,
        via=CaseMessage.Via.WEB,
        message=MessageInput(body_text="Now there is a chargeback too."),
    )
    assert found("chargeback") == ["Payout missing"]
    case.subject = "Chargeback and payout"
    case.save(update_fields=["subject"])
    assert found("chargeback") == ["Chargeback and payout"]
    CaseMessage.objects.filter(case=case, body_text__contains="chargeback").delete()
    assert found("chargeback") == ["Chargeback and payout"]  # still in the subject
    assert found("there") == []
    case.delete()
    assert found("payout") == []
    assert not CaseSearchEntry.objects.exists()


def test_a_rebuild_indexes_cases_written_without_receivers() -> None:
    case = open_case("Payout missing", body="First message.")
    CaseSearchEntry.objects.all().delete()
    assert found("payout") == []
    assert search_index_rebuild() == 1
    assert found("payout") == ["Payout missing"]
    assert found("first") == ["Payout missing"]
    assert CaseSearchEntry.objects.get(case=case).people == "Robin Owner robin@business.example"


@pytest.mark.parametrize(
    "query",
    ['"', "AND OR NOT", "NEAR(payout", "pay*out", "a:b", "-payout", "' OR 1=1 --", "\\", "💸", "x" * 5000, "_", "&|!"],
)
def test_any_query_text_is_answered_without_error(query: str) -> None:
    open_case("Payout missing")
    result = case_search(query=query, limit=10)
    assert isinstance(result.case_ids, list)


def test_operators_are_words_not_syntax() -> None:
    open_case("Payout and refund")
    assert found("payout AND") == ["Payout and refund"]
    assert found("payout OR zebra") == []  # not "payout or zebra": every word must match


def test_search_in_the_inbox_applies_filters_and_highlights(agent: tuple[User, Client]) -> None:
    _user, client = agent
    open_case("Payout missing", body="My payout never came", priority=Case.Priority.URGENT)
    open_case("Payout late", body="The payout is late", status=Case.Status.CLOSED)
    html = page_of(client, "?q=payout")
    assert "Payout missing" in html
    assert "Payout late" in html
    assert "<mark>payout</mark>" in html
    urgent = page_of(client, "?q=payout&priority=urgent")
    assert "Payout missing" in urgent
    assert "Payout late" not in urgent
    assert "No case matches." in page_of(client, "?q=zebra")
    number = Case.objects.get(subject="Payout late").number
    direct = page_of(client, f"?q=%23{number}")
    assert "Exact match" in direct
    assert re.findall(r"#(\d+)</span>", direct) == [str(number)]

"""Threads on the support site: a signed-in account sees only its own cases; the private
link shows one case without signing in and proves control of the mailbox; replies from the
web carry files; solving and reopening are recorded."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from connect_support.cases.models import Case, CaseMessage, OutboundEmail
from connect_support.cases.rendering import private_url
from connect_support.cases.services import MessageInput, case_create, case_reply_as_agent
from tests.cases.support_site import account_with, sign_in
from tests.identity.fixtures import make_agent

pytestmark = pytest.mark.django_db
OWNER = {"email": "owner@business.example", "phone": "+14155550199"}
OTHER = {"email": "other@elsewhere.example", "phone": "+14155550123"}


def _case(*, email: str = "robin@shop.example", account: object = None, claimed: str = "") -> Case:
    return case_create(
        requester_email=email,
        requester_name="Robin Owner",
        subject="Payout missing",
        message=MessageInput(body_text="My payout did not arrive."),
        channel=Case.Channel.WEB,
        account=account,  # type: ignore[arg-type]
        claimed_account_id=claimed,
    ).case


def _private_path(case: Case) -> str:
    return private_url(case, base_url="http://testserver").removeprefix("http://testserver")


def test_a_signed_in_account_sees_its_own_cases_only(client: Client) -> None:
    mine = account_with(**OWNER)
    theirs = account_with(**OTHER)
    my_case = _case(account=mine)
    their_case = _case(account=theirs, email="other@elsewhere.example")
    assert client.get("/embedded-connect/cases/")["Location"].startswith("/embedded-connect/auth/?next=")
    sign_in(client, **OWNER)
    listing = client.get("/embedded-connect/cases/").content.decode()
    assert f"#{my_case.number}" in listing
    assert f"#{their_case.number}" not in listing
    assert client.get(f"/embedded-connect/cases/{my_case.pk}/").status_code == 200
    assert client.get(f"/embedded-connect/cases/{their_case.pk}/").status_code == 404
    assert client.get("/embedded-connect/cases/case_doesnotexist/").status_code == 404


def test_replying_from_the_web_with_a_file_and_solving(client: Client) -> None:
    account = account_with(**OWNER)
    case = _case(account=account, email=OWNER["email"])
    agent, _ = make_agent()
    case_reply_as_agent(case=case, agent=agent, body_text="Which bank account did you expect?")
    sign_in(client, **OWNER)
    here = f"/embedded-connect/cases/{case.pk}/"
    thread = client.get(here).content.decode()
    assert "Which bank account did you expect?" in thread
    assert "Support team" in thread
    token = "reply-token-0123456789abcdef"
    png = SimpleUploadedFile("bank.png", (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64), content_type="image/png")
    response = client.post(
        here, {"action": "reply", "reply_token": token, "body": "The one ending 4242.", "attachments": [png]}
    )
    assert response.status_code == 302
    # The same form sent twice (a double click) adds one message.
    client.post(here, {"action": "reply", "reply_token": token, "body": "The one ending 4242."})
    case.refresh_from_db()
    latest = case.messages.order_by("-created_at").first()
    assert latest is not None
    assert latest.body_text == "The one ending 4242."
    assert case.messages.filter(author_kind=CaseMessage.Author.REQUESTER).count() == 2
    assert case.status == Case.Status.OPEN  # the agent's reply left it pending; ours reopened it
    attachment = latest.attachments.get()
    download = client.get(f"{here}files/{attachment.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert "attachment" in download["Content-Disposition"]

    client.post(here, {"action": "solve"})
    case.refresh_from_db()
    assert case.status == Case.Status.SOLVED
    client.post(here, {"action": "reopen"})
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    changes = list(case.changes.filter(field="status").values_list("actor_kind", "old", "new"))
    assert changes[-2:] == [("requester", "open", "solved"), ("requester", "solved", "open")]
    # The requester's own clicks send no status mail.
    assert not OutboundEmail.objects.filter(case=case, kind="status_change").exists()


def test_the_private_link_shows_one_case_without_signing_in(client: Client) -> None:
    case = _case()
    other = _case(email="someone@else.example")
    page = client.get(_private_path(case))
    assert page.status_code == 200
    assert "My payout did not arrive." in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    assert page["Referrer-Policy"] == "same-origin"
    link = _private_path(case)
    tampered = link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:]
    assert client.get(tampered).status_code == 404
    assert client.get("/embedded-connect/cases/private/not-a-real-token-at-all/").status_code == 404
    # Revoking the links of one case (a new link version) leaves other cases' links working.
    case.link_version += 1
    case.save()
    assert client.get(link).status_code == 404
    assert client.get(_private_path(case)).status_code == 200
    assert client.get(_private_path(other)).status_code == 200


def test_the_private_link_proves_the_mailbox_and_links_the_claimed_account(client: Client) -> None:
    account = account_with(**OWNER)
    stranger = _case(email="mallory@evil.example", claimed=account.pk)
    client.get(_private_path(stranger))
    stranger.refresh_from_db()
    assert stranger.account is None  # a different mailbox proves nothing about the account

    owner = _case(email=OWNER["email"], claimed=account.pk)
    client.get(_private_path(owner))
    owner.refresh_from_db()
    assert owner.account == account
    assert owner.changes.filter(field="account", new=account.pk).exists()


def test_signing_in_links_a_claimed_account_when_it_is_yours(client: Client) -> None:
    account = account_with(**OWNER)
    case = _case(email="personal@gmail.example", claimed=account.pk)
    page = client.get(_private_path(case)).content.decode()
    assert "Sign in to link your account" in page
    sign_in(client, **OWNER)
    client.get(_private_path(case))
    case.refresh_from_db()
    assert case.account == account


def test_a_closed_case_takes_no_reply(client: Client) -> None:
    case = _case()
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    page = client.get(_private_path(case)).content.decode()
    assert "This case is closed." in page
    assert "Send reply" not in page
    response = client.post(_private_path(case), {"action": "reply", "reply_token": "t" * 30, "body": "hello?"})
    assert response.status_code == 302
    assert case.messages.count() == 1

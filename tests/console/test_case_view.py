"""The console's case view: the thread with replies and notes apart, replying (with macros,
once per click), changes under optimistic locking, merging, files, the side panel, and who
may act."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from connect_support.cases.history import CaseActor
from connect_support.cases.merge import case_merge
from connect_support.cases.models import Case, CaseMessage, Macro, OutboundEmail
from connect_support.cases.services import IncomingFile, MessageInput, case_create, case_reply_as_agent, case_set_status
from connect_support.chat.models import ChatMessage, Conversation
from tests.cases.conftest import tiny_pdf, tiny_png
from tests.factories import make_account, platform_with_keys
from tests.identity.fixtures import AGENT_PASSWORD, make_agent

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, user: User, secret: str) -> Client:
    client.post("/console/login/", {"email": user.email, "password": AGENT_PASSWORD})
    client.post("/console/login/verify/", {"code": pyotp.TOTP(secret).at(timezone.now() - timedelta(seconds=30))})
    return client


@pytest.fixture
def agent(client: Client) -> tuple[User, Client]:
    user, secret = make_agent(roles=("support agent",))
    return user, _sign_in(client, user, secret)


def _case(subject: str = "Payout missing", body: str = "Hello, my payout did not arrive.", **kwargs: Any) -> Case:
    return case_create(
        requester_email="robin@shop.example",
        requester_name="Robin Owner",
        subject=subject,
        message=MessageInput(body_text=body, files=kwargs.pop("files", ())),
        channel=kwargs.pop("channel", Case.Channel.WEB),
        acknowledge=False,
        **kwargs,
    ).case


def _hidden(html: str, form_id_or_action: str) -> dict[str, str]:
    start = html.index(form_id_or_action)
    form = html[start : html.index("</form>", start)]
    fields = {}
    for tag in re.findall(r"<input[^>]+>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="hidden"' in tag:
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


def test_the_thread_keeps_replies_and_notes_apart_and_shows_customer_script_as_text(
    agent: tuple[User, Client], django_assert_max_num_queries: Any
) -> None:
    user, client = agent
    platform = platform_with_keys().platform
    account = make_account(platform, business_profile={"name": "Robin's Shop"})
    case = _case(body="<script>alert('x')</script> my payout", account=account)
    case_reply_as_agent(case=case, agent=user, body_text="We are on it.")
    case_reply_as_agent(case=case, agent=user, body_text="Check the bank first", internal=True)
    with django_assert_max_num_queries(36):
        response = client.get(f"/console/cases/{case.number}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; my payout" in html
    assert html.count("msg--note") == 1
    assert re.search(r"msg--note[^>]*>.*?Internal note.*?Check the bank first", html, re.S)
    assert "Robin&#x27;s Shop" in html
    assert account.pk in html
    assert "Eligible" in html
    assert platform.display_name in html


def test_a_reply_is_mailed_threaded_and_a_double_submit_makes_one(agent: tuple[User, Client]) -> None:
    _user, client = agent
    case = _case()
    html = client.get(f"/console/cases/{case.number}/").content.decode()
    fields = _hidden(html, 'id="reply-form"')
    data = {**fields, "kind": "reply", "body": "Your payout is on its way.", "reply_status": "pending"}
    first = client.post(f"/console/cases/{case.number}/reply/", data)
    again = client.post(f"/console/cases/{case.number}/reply/", data)
    assert first.status_code == again.status_code == 302
    assert CaseMessage.objects.filter(case=case, author_kind="agent").count() == 1
    mail = OutboundEmail.objects.get(kind="agent_reply")
    assert "Your payout is on its way." in mail.text_body
    assert case.reply_token in mail.reply_to
    assert mail.headers.get("In-Reply-To") or mail.headers.get("References")
    case.refresh_from_db()
    assert case.status == "pending"
    page = client.get(first["Location"]).content.decode()
    assert "Reply sent to the requester." in page


def test_a_note_is_never_mailed(agent: tuple[User, Client]) -> None:
    _user, client = agent
    case = _case()
    fields = _hidden(client.get(f"/console/cases/{case.number}/").content.decode(), 'id="reply-form"')
    client.post(
        f"/console/cases/{case.number}/reply/",
        {**fields, "kind": "note", "body": "Internal only", "reply_status": "pending", "note_status": ""},
    )
    assert CaseMessage.objects.get(case=case, author_kind="agent").internal
    assert not OutboundEmail.objects.exists()
    assert Case.objects.get(pk=case.pk).status == "new"


def test_a_stale_edit_gets_a_conflict_that_lists_the_changes_and_keeps_the_input(
    agent: tuple[User, Client], client: Client
) -> None:
    user, client_a = agent
    case = _case()
    html = client_a.get(f"/console/cases/{case.number}/").content.decode()
    reply_fields = _hidden(html, 'id="reply-form"')
    edit_fields = _hidden(html, "/update/")
    # Meanwhile someone else solves it.
    case_set_status(case=case, status="on_hold", actor=CaseActor.agent(make_agent(email="blake@operator.test")[0]))
    response = client_a.post(
        f"/console/cases/{case.number}/update/",
        {**edit_fields, "status": "solved", "priority": "urgent", "assignee": str(user.pk), "tags": "vip"},
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "Status: new → on_hold" in page
    assert 'value="vip"' in page
    assert Case.objects.get(pk=case.pk).priority == "normal"
    reply = client_a.post(
        f"/console/cases/{case.number}/reply/",
        {**reply_fields, "kind": "reply", "body": "My careful answer", "reply_status": "pending"},
    )
    kept = reply.content.decode()
    assert reply.status_code == 409
    assert "My careful answer</textarea>" in kept
    assert not CaseMessage.objects.filter(author_kind="agent").exists()
    # Sending again from the conflict page (it carries the new version) goes through.
    resend = _hidden(kept, "/reply/")
    assert (
        client_a.post(
            f"/console/cases/{case.number}/reply/",
            {**resend, "kind": "reply", "body": "My careful answer", "reply_status": "pending"},
        ).status_code
        == 302
    )
    assert CaseMessage.objects.filter(author_kind="agent").count() == 1


def test_bad_input_is_refused_clearly(agent: tuple[User, Client]) -> None:
    _user, client = agent
    case = _case()
    fields = _hidden(client.get(f"/console/cases/{case.number}/").content.decode(), 'id="reply-form"')
    empty = client.post(
        f"/console/cases/{case.number}/reply/", {**fields, "kind": "reply", "body": " ", "reply_status": "pending"}
    )
    assert empty.status_code == 400
    assert "Write a message first." in empty.content.decode()
    wrong = client.post(f"/console/cases/{case.number}/update/", {"version": "x", "status": "nope"})
    assert wrong.status_code == 400
    assert client.get("/console/cases/99999999/").status_code == 404
    assert client.get(f"/console/cases/{case.number}/?page=abc").status_code == 200


def test_merging_from_the_console_moves_the_thread_and_a_double_click_is_harmless(agent: tuple[User, Client]) -> None:
    _user, client = agent
    survivor, duplicate = _case("Payout missing"), _case("Payout still missing", body="Second message")
    fields = _hidden(client.get(f"/console/cases/{duplicate.number}/").content.decode(), "/merge/")
    data = {**fields, "into": str(survivor.number), "confirm": "on"}
    first = client.post(f"/console/cases/{duplicate.number}/merge/", data)
    again = client.post(f"/console/cases/{duplicate.number}/merge/", data)
    assert first["Location"] == again["Location"] == f"/console/cases/{survivor.number}/"
    survivor_page = client.get(first["Location"]).content.decode()
    assert "Second message" in survivor_page
    assert f"Merged here</strong> — → #{duplicate.number} (1 message)" in survivor_page
    merged_page = client.get(f"/console/cases/{duplicate.number}/").content.decode()
    assert f'merged into <a href="/console/cases/{survivor.number}/">case #{survivor.number}</a>' in merged_page
    assert 'id="reply-form"' not in merged_page
    unknown = client.post(f"/console/cases/{survivor.number}/merge/", {**fields, "into": "123", "confirm": "on"})
    assert unknown.status_code == 400
    assert "There is no case #123 you can work on." in unknown.content.decode()


def test_long_threads_are_paged_newest_first(agent: tuple[User, Client], django_assert_max_num_queries: Any) -> None:
    _user, client = agent
    case = _case(body="message 0")
    now = timezone.now()
    CaseMessage.objects.bulk_create(
        CaseMessage(
            case=case,
            author_kind="requester",
            author_name="Robin",
            via="email",
            body_text=f"message {n}",
            created_at=now + timedelta(seconds=n),
        )
        for n in range(1, 1000)
    )
    with django_assert_max_num_queries(36):
        html = client.get(f"/console/cases/{case.number}/").content.decode()
    assert "message 999<" in html
    assert "message 950<" in html
    assert "message 949<" not in html
    assert "page 1 of 20" in html
    assert 'href="?page=2#thread-title">Older messages' in html
    older = client.get(f"/console/cases/{case.number}/?page=20").content.decode()
    assert "message 0<" in older
    assert "message 50<" not in older


def test_images_are_shown_inline_and_other_files_downloaded_never_sniffed(agent: tuple[User, Client]) -> None:
    _user, client = agent
    case = _case(files=(IncomingFile("receipt.png", tiny_png()), IncomingFile("statement.pdf", tiny_pdf())))
    html = client.get(f"/console/cases/{case.number}/").content.decode()
    png, pdf = (
        case.attachments.get(filename="receipt.png").pk,
        case.attachments.get(filename="statement.pdf").pk,
    )
    assert f'<img src="/console/cases/{case.number}/files/{png}/" alt="receipt.png"' in html
    assert "application/pdf" in html
    image = client.get(f"/console/cases/{case.number}/files/{png}/")
    assert image["Content-Type"] == "image/png"
    assert image["Content-Disposition"].startswith("inline")
    assert image["X-Content-Type-Options"] == "nosniff"
    document = client.get(f"/console/cases/{case.number}/files/{pdf}/")
    assert document["Content-Disposition"].startswith("attachment")
    other = _case("Another")
    assert client.get(f"/console/cases/{other.number}/files/{png}/").status_code == 404


def test_a_macro_is_filled_in_for_the_case(agent: tuple[User, Client]) -> None:
    user, client = agent
    case = _case()
    macro = Macro.objects.create(
        title="Payout delay", body="Hi {{ requester.first_name }}, case {{ case.number }}: {{ oops }}", owner=user
    )
    data = client.get(f"/console/cases/{case.number}/macros/{macro.pk}/").json()
    assert data == {"text": f"Hi Robin, case {case.number}: {{{{ oops }}}}", "missing": [], "unknown": ["oops"]}
    page = client.get(f"/console/cases/{case.number}/?macro={macro.pk}").content.decode()
    assert f"Hi Robin, case {case.number}: {{{{ oops }}}}</textarea>" in page
    assert "Fill in by hand: {{ oops }}" in page
    assert Macro.objects.get(pk=macro.pk).usage_count == 2
    theirs = Macro.objects.create(title="Private", body="x", owner=make_agent(email="blake@operator.test")[0])
    assert client.get(f"/console/cases/{case.number}/macros/{theirs.pk}/").status_code == 404


def test_the_macros_page_creates_edits_and_deletes(agent: tuple[User, Client]) -> None:
    _user, client = agent
    created = client.post(
        "/console/macros/", {"title": "Welcome", "body": "Hello {{ requester.name }}", "shared": "on"}
    )
    assert created.status_code == 302
    macro = Macro.objects.get()
    assert macro.shared
    listing = client.get("/console/macros/").content.decode()
    assert "Welcome" in listing
    assert "Shared" in listing
    assert client.post("/console/macros/", {"title": "", "body": ""}).status_code == 400
    client.post(f"/console/macros/{macro.pk}/", {"title": "Welcome back", "body": "Hi", "shared": ""})
    macro.refresh_from_db()
    assert (macro.title, macro.shared) == ("Welcome back", False)
    client.post(f"/console/macros/{macro.pk}/delete/")
    again = client.post(f"/console/macros/{macro.pk}/delete/")
    assert again.status_code == 302
    assert not Macro.objects.exists()


def test_risk_agents_answer_appeals_but_not_other_cases(client: Client) -> None:
    risk_user, secret = make_agent(email="riley@operator.test", roles=("risk agent",))
    _sign_in(client, risk_user, secret)
    appeal = _case(
        "Appeal: Payouts paused", source_context={"queue": "risk", "source": "notification_banner.risk_form"}
    )
    other = _case("Card declined")
    assert client.get(f"/console/cases/{appeal.number}/").status_code == 200
    assert client.get(f"/console/cases/{other.number}/").status_code == 403
    fields = _hidden(client.get(f"/console/cases/{appeal.number}/").content.decode(), 'id="reply-form"')
    answered = client.post(
        f"/console/cases/{appeal.number}/reply/",
        {**fields, "kind": "reply", "body": "We reviewed it.", "reply_status": "solved"},
    )
    assert answered.status_code == 302
    assert client.post(f"/console/cases/{other.number}/reply/", {**fields, "body": "x"}).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    case = _case()
    assert client.get(f"/console/cases/{case.number}/")["Location"].startswith("/console/login/")
    assert client.get("/console/macros/")["Location"].startswith("/console/login/")


def test_a_case_from_a_chat_shows_the_transcript_beside_it(
    agent: tuple[User, Client], django_assert_max_num_queries: Any
) -> None:
    _user, client = agent
    account = make_account(platform_with_keys().platform)
    now = timezone.now()
    conversation = Conversation.objects.create(
        account=account,
        requester_key=f"{account.pk}:-",
        requester_name="Robin Owner",
        requester_email="robin@shop.example",
        status=Conversation.Status.ENDED,
        created_at=now,
        queued_at=now,
        last_activity_at=now,
    )
    for seq, (who, text) in enumerate([("Robin", "Where is my payout?"), ("Avery", "Let me check <b>that</b>.")], 1):
        ChatMessage.objects.create(
            conversation=conversation,
            seq=seq,
            kind="message",
            author_kind="customer" if who == "Robin" else "agent",
            author_name=who,
            text=text,
            created_at=now,
        )
    case = _case(
        "Chat: Where is my payout?",
        account=account,
        channel=Case.Channel.CHAT,
        source_context={"chat": conversation.pk},
    )
    with django_assert_max_num_queries(36):
        html = client.get(f"/console/cases/{case.number}/").content.decode()
    assert "The chat it came from" in html
    assert f'href="/console/chats/{conversation.pk}/"' in html
    assert "<strong>Robin</strong>: Where is my payout?" in html
    assert "Let me check &lt;b&gt;that&lt;/b&gt;." in html


def test_a_reply_to_a_case_merged_meanwhile_is_offered_on_the_survivor(agent: tuple[User, Client]) -> None:
    user, client = agent
    survivor, duplicate = _case("One"), _case("Two")
    fields = _hidden(client.get(f"/console/cases/{duplicate.number}/").content.decode(), 'id="reply-form"')
    case_merge(source=duplicate, target=survivor, agent=user, version=duplicate.version)
    response = client.post(
        f"/console/cases/{duplicate.number}/reply/",
        {**fields, "kind": "reply", "body": "Typed before the merge", "reply_status": "pending"},
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert f"#{survivor.number} One" in page
    assert "Typed before the merge</textarea>" in page
    assert f"Case #{duplicate.number} was merged into this case; your message was not sent yet." in page
    assert not CaseMessage.objects.filter(author_kind="agent").exists()

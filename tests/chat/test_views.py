"""The HTTP side of chat: what the widget is told about the visitor, files in a chat (the
email cases' rules, each side only its own chats), the console's workspace and settings
pages, and the transcript by email."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from huey.contrib.djhuey import HUEY

from connect_support.chat.auth import CustomerIdentity
from connect_support.chat.models import ChatAttachment, ChatHoliday, ChatSettings, Conversation
from connect_support.chat.services import conversation_end, conversation_start, transcript_request
from tests.chat.support import Agent, ChatWorld, Client, Customer, run

FILES = Path(__file__).resolve().parents[1] / "data" / "files"


def browser_for(cookie: str) -> HttpClient:
    client = HttpClient()
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    return client


def identity(customer: Customer) -> CustomerIdentity:
    person = customer.person
    return CustomerIdentity(
        session_id="sis_test",
        account_id=customer.account.pk,
        person_id=person.pk if person else None,
        name="Robin Owner",
        first_name="Robin",
        email=customer.account.email,
        eligible=True,
        platform_name="Platform",
        platform_support_url="",
        platform_support_email="",
    )


def open_chat(customer: Customer) -> Conversation:
    return conversation_start(
        customer=identity(customer), client_id="first", topic="payouts", text="Hello", context={}
    ).conversation


def test_a_signed_out_visitor_is_offered_sign_in_and_email(world: ChatWorld) -> None:
    response = HttpClient().get("/embedded-connect/chat/state?next=/embedded-connect/payouts/")
    body = response.json()
    assert "no-store" in response["Cache-Control"]
    assert body["signed_in"] is False
    assert body["sign_in_url"] == "/embedded-connect/auth/?next=%2Fembedded-connect%2Fpayouts%2F"
    assert body["email_url"] == "/embedded-connect/cases/new/"
    assert (
        HttpClient()
        .get("/embedded-connect/chat/state?next=https://evil.example/")
        .json()["sign_in_url"]
        .endswith("next=%2Fembedded-connect%2F")
    )


def test_an_account_the_platform_supports_is_given_the_platforms_contact(world: ChatWorld) -> None:
    customer = world.customer(supported=False)
    body = browser_for(customer.cookie).get("/embedded-connect/chat/state").json()
    assert (body["signed_in"], body["eligible"]) == (True, False)
    assert body["platform"]["support_url"] == "https://help.platform.example/"
    assert body["platform"]["support_email"] == "help@platform.example"
    assert "availability" not in body


def test_an_eligible_user_gets_availability_topics_and_their_open_chat(world: ChatWorld) -> None:
    customer = world.customer()
    browser = browser_for(customer.cookie)
    body = browser.get("/embedded-connect/chat/state").json()
    assert (body["eligible"], body["conversation"], body["availability"]["reason"]) == (True, None, "no_agents")
    assert {"slug": "payouts", "title": "Payouts"} in body["topics"]
    world.agent().go_online()
    conversation = open_chat(customer)
    body = browser.get("/embedded-connect/chat/state").json()
    assert body["conversation"] == {"id": conversation.pk, "status": "active"}


def test_files_follow_the_email_cases_rules_and_stay_in_their_chat(world: ChatWorld) -> None:
    customer, stranger = world.customer(), world.customer()
    agent = world.agent()
    agent.go_online(capacity=2)
    conversation = open_chat(customer)
    browser = browser_for(customer.cookie)
    url = f"/embedded-connect/chat/{conversation.pk}/files"
    png = (FILES / "receipt.png").read_bytes()
    created = browser.post(url, {"file": SimpleUploadedFile("receipt.png", png)})
    assert created.status_code == 201
    file_id = created.json()["id"]
    assert created.json()["content_type"] == "image/png"
    refused = browser.post(url, {"file": SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00 not a pdf")})
    assert refused.status_code == 400
    assert "is not a PDF, PNG, JPEG, HEIC, TXT or CSV file" in refused.json()["error"]["message"]
    assert browser_for(stranger.cookie).post(url, {"file": SimpleUploadedFile("x.txt", b"hello")}).status_code == 404
    assert HttpClient().post(url, {"file": SimpleUploadedFile("x.txt", b"hello")}).status_code in {401, 403}

    # Not downloadable until a message carries it; then only inside this chat.
    download = f"{url}/{file_id}/"
    assert browser.get(download).status_code == 404

    async def send() -> None:
        person = await Client.customer(customer)
        await person.send({"type": "resume", "conversation": conversation.pk, "last_seq": 0})
        await person.expect("resumed")
        await person.send({"type": "message", "client_id": "with-file", "text": "", "attachments": [file_id]})
        ack = await person.expect("ack", client_id="with-file")
        item = await person.expect("item", seq=ack["seq"])
        assert item["data"]["attachments"][0]["filename"] == "receipt.png"
        await person.send({"type": "message", "client_id": "again", "text": "twice?", "attachments": [file_id]})
        assert (await person.expect("error", client_id="again"))["code"] == "bad_attachment"
        await person.close()

    run(send)
    response = browser.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png  # type: ignore[attr-defined]
    assert response["Content-Disposition"].startswith("attachment")
    assert browser_for(stranger.cookie).get(download).status_code == 404
    console = agent_browser(agent)
    assert console.get(f"/console/chats/{conversation.pk}/files/{file_id}/").status_code == 200
    assert ChatAttachment.objects.get().message is not None


def agent_browser(agent: Agent) -> HttpClient:
    return browser_for(agent.cookie)


def test_the_workspace_needs_the_chat_permission(world: ChatWorld) -> None:
    assert HttpClient().get("/console/chats/").status_code == 302
    editor = world.agent(roles=("content editor",))
    denied = agent_browser(editor).get("/console/chats/")
    assert denied.status_code == 403
    assert "chats.work" in denied.content.decode()
    page = agent_browser(world.agent()).get("/console/chats/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-socket-path="/console/chats/ws"' in html
    assert "Chat hours: around the clock." in html


def test_admins_set_hours_holidays_routing_and_timers(world: ChatWorld) -> None:
    support_only = agent_browser(world.agent())
    assert support_only.get("/console/chats/settings/").status_code == 403
    admin = agent_browser(world.agent(roles=("admin",)))
    form: dict[str, Any] = {
        "save_settings": "1",
        "enabled": "on",
        "time_zone": "Europe/Paris",
        "routing": "manual",
        "idle_minutes": "20",
        "no_answer_seconds": "120",
        "max_wait_minutes": "45",
        **{f"day_{day}": "09:00-17:00" for day in range(5)},
        "day_5": "",
        "day_6": "",
    }
    bad = admin.post("/console/chats/settings/", {**form, "day_2": "9 to 5", "time_zone": "Mars/Olympus"})
    assert bad.status_code == 400
    assert "is not a range like 09:00-17:00" in bad.content.decode()
    assert admin.post("/console/chats/settings/", form).status_code == 302
    row = ChatSettings.objects.get()
    assert (row.time_zone, row.routing, row.idle_minutes) == ("Europe/Paris", "manual", 20)
    assert row.weekly_hours["0"] == [["09:00", "17:00"]]
    assert row.weekly_hours["6"] == []
    assert (
        admin.post(
            "/console/chats/settings/", {"add_holiday": "1", "date": "2026-12-25", "name": "Christmas"}
        ).status_code
        == 302
    )
    holiday = ChatHoliday.objects.get()
    page = admin.get("/console/chats/settings/").content.decode()
    assert "Christmas" in page
    assert "Mon–Fri 09:00–17:00 (Europe/Paris)" in page
    assert admin.post(f"/console/chats/settings/holidays/{holiday.pk}/delete/").status_code == 302
    assert not ChatHoliday.objects.exists()


@pytest.fixture
def immediate_jobs() -> Any:
    was = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = was


def test_the_transcript_is_emailed_when_the_chat_ends(world: ChatWorld, immediate_jobs: None, mailoutbox: Any) -> None:
    customer = world.customer()
    world.agent().go_online()
    conversation = open_chat(customer)
    assert transcript_request(conversation_id=conversation.pk, customer=identity(customer)) == "requested"
    assert mailoutbox == []  # sent when the chat ends, with everything in it
    conversation_end(conversation_id=conversation.pk, reason="customer", customer=identity(customer))
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [customer.account.email]
    assert message.subject.startswith("Your chat with")
    assert "Robin: Hello" in message.body
    assert "Robin ended the chat." in message.body
    html = message.alternatives[0][0]
    assert "<strong>Robin</strong>" in html
    assert Conversation.objects.get().transcript_sent_at is not None
    # Asking again after it was sent sends nothing more.
    transcript_request(conversation_id=conversation.pk, customer=identity(customer))
    assert len(mailoutbox) == 1

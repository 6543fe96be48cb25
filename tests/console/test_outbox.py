"""The dev outbox page: texts and emails sent in the embedded mode."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from django.conf import settings as django_settings
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.utils import timezone

from connect_support.identity.sms import sms_send
from tests.identity.fixtures import AGENT_PASSWORD, make_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(client: Client) -> Client:
    user, secret = make_agent(roles=("content editor",))
    client.post("/console/login/", {"email": user.email, "password": AGENT_PASSWORD})
    client.post("/console/login/verify/", {"code": pyotp.TOTP(secret).at(timezone.now() - timedelta(seconds=30))})
    assert client.get("/console/").status_code == 200
    return client


def test_texts_and_emails_are_listed(agent_client: Client, settings: Any) -> None:
    settings.EMAIL_BACKEND = "connect_support.outbox.EmailOutboxBackend"  # pytest-django swaps in locmem
    sms_send(to="+14155550123", body="654321 is your code <b>bold</b>")
    message = EmailMultiAlternatives(
        "Your case case_123 was answered", "Hello,\nwe replied to your case.", to=["owner@business.example"]
    )
    message.attach_alternative("<p>Hello</p>", "text/html")
    message.attach("notes.txt", b"a note", "text/plain")
    message.send()
    page = agent_client.get("/console/outbox/").content.decode()
    assert "+14155550123" in page
    assert "654321 is your code &lt;b&gt;bold&lt;/b&gt;" in page  # shown, never rendered
    assert "Your case case_123 was answered" in page
    name = sorted(p.name for p in Path(django_settings.OUTBOX_DIR).glob("*.eml"))[-1]
    detail = agent_client.get(f"/console/outbox/email/{name}/").content.decode()
    assert "we replied to your case." in detail
    assert "notes.txt" in detail
    assert "HTML version" in detail


@pytest.mark.parametrize("name", ["..%2F..%2Fsecret_key", "secret_key", "missing.eml", "a" * 300 + ".eml"])
def test_only_outbox_files_can_be_read(agent_client: Client, name: str) -> None:
    assert agent_client.get(f"/console/outbox/email/{name}/").status_code == 404


def test_the_outbox_needs_a_signed_in_agent(client: Client) -> None:
    assert client.get("/console/outbox/")["Location"].startswith("/console/login/")


def test_the_outbox_says_when_messages_go_to_real_providers(agent_client: Client, settings: Any) -> None:
    settings.SMS_BACKEND = "twilio"
    assert "SMS go to a real provider" in agent_client.get("/console/outbox/").content.decode()

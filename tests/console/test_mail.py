"""Inbound mail needing attention, in the console: quarantined messages with their reason
(and a way to process them again), automatic mail that was ignored on purpose."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pyotp
import pytest
from django.test import Client
from django.utils import timezone

from connect_support.cases.inbound.receive import inbound_mail_receive
from connect_support.cases.models import Case
from tests.cases.conftest import MAIL_DATA, mail
from tests.identity.fixtures import AGENT_PASSWORD, make_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(client: Client) -> Client:
    user, secret = make_agent(roles=("support agent",))
    client.post("/console/login/", {"email": user.email, "password": AGENT_PASSWORD})
    client.post("/console/login/verify/", {"code": pyotp.TOTP(secret).at(timezone.now() - timedelta(seconds=30))})
    assert client.get("/console/").status_code == 200
    return client


def test_quarantined_and_ignored_mail_show_their_reasons(agent_client: Client) -> None:
    inbound_mail_receive(raw=(MAIL_DATA / "no_from.eml").read_bytes(), source="smtp")
    inbound_mail_receive(raw=(MAIL_DATA / "auto_reply_outlook.eml").read_bytes(), source="smtp")
    inbound_mail_receive(raw=mail(subject="A normal question"), source="smtp")
    page = agent_client.get("/console/mail/").content.decode()
    assert "The message has no sender address (From)" in page
    assert "Automatic mail (Auto-Submitted: auto-replied)" in page
    assert "A normal question" not in page  # it became a case: nothing to look at


def test_a_rate_limited_message_can_be_processed_after_a_look(agent_client: Client, settings: Any) -> None:
    settings.CASES_INBOUND_PER_SENDER_PER_HOUR = 1
    inbound_mail_receive(raw=mail(subject="First"), source="smtp")
    held = inbound_mail_receive(raw=mail(subject="Second, held back"), source="smtp")
    assert held.status == "quarantined"
    detail = agent_client.get(f"/console/mail/{held.pk}/").content.decode()
    assert "Hello, my payout did not arrive." in detail
    assert "Process again" in detail
    response = agent_client.post(f"/console/mail/{held.pk}/release/")
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == "processed"
    assert Case.objects.filter(subject="Second, held back").exists()


def test_only_agents_who_work_cases_see_mail(client: Client) -> None:
    assert client.get("/console/mail/")["Location"].startswith("/console/login/")
    user, secret = make_agent(email="editor@operator.test", roles=("content editor",))
    client.post("/console/login/", {"email": user.email, "password": AGENT_PASSWORD})
    client.post("/console/login/verify/", {"code": pyotp.TOTP(secret).at(timezone.now() - timedelta(seconds=30))})
    assert client.get("/console/mail/").status_code == 403

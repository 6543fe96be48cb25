"""ESP inbound webhooks (django-anymail): a Mailgun "forward to URL" with raw MIME and a
valid signature becomes a case; a bad signature stores nothing."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

import pytest
from django.test import Client

from connect_support.cases.models import Case, InboundEmail
from tests.cases.conftest import mail

pytestmark = pytest.mark.django_db
SIGNING_KEY = "key-test-signing-0123456789"
URL = "/mail/esp/mailgun/inbound_mime/"


@pytest.fixture(autouse=True)
def _anymail(settings: Any) -> None:
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY, "WEBHOOK_SECRET": "mailgun:hook-secret"}


def _signed(fields: dict[str, str], key: str = SIGNING_KEY) -> dict[str, str]:
    timestamp, token = str(int(time.time())), "a" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {**fields, "timestamp": timestamp, "token": token, "signature": signature}


def _post(client: Client, data: dict[str, str]) -> Any:
    import base64

    auth = "Basic " + base64.b64encode(b"mailgun:hook-secret").decode()
    return client.post(URL, data, HTTP_AUTHORIZATION=auth)


def test_a_signed_webhook_opens_a_case(client: Client) -> None:
    raw = mail(subject="Sent through the ESP", body="Hello from the ESP.").decode()
    response = _post(
        client, _signed({"body-mime": raw, "recipient": "support@localhost", "sender": "robin@shop.example"})
    )
    assert response.status_code == 200
    case = Case.objects.get()
    assert (case.subject, case.channel) == ("Sent through the ESP", "email")
    assert case.messages.get().body_text == "Hello from the ESP."
    assert InboundEmail.objects.get().source == "esp:mailgun"


def test_a_forged_webhook_stores_nothing(client: Client) -> None:
    raw = mail(subject="Forged").decode()
    response = _post(client, _signed({"body-mime": raw}, key="not-the-key"))
    assert response.status_code == 400
    assert not InboundEmail.objects.exists()
    assert not Case.objects.exists()

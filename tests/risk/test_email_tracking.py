"""Delivery status of co-branded emails from an ESP's tracking webhooks (Postmark's, through
django-anymail's signed endpoint): delivered, then a bounce that later engagement events
never hide; unknown message ids change nothing."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from connect_support.accounts.models import ConnectedAccount
from connect_support.risk.emails import account_email_drain
from connect_support.risk.models import AccountEmail
from connect_support.risk.services import intervention_create

pytestmark = pytest.mark.django_db
AUTH = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"hook:secret").decode()}


def _post(event: dict[str, Any], **headers: str) -> Any:
    return Client().post(
        "/mail/esp/postmark/tracking/", json.dumps(event), content_type="application/json", **(headers or AUTH)
    )


def test_the_esp_reports_delivery_then_a_bounce(active_account: ConnectedAccount, settings: Any) -> None:
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:secret"}
    intervention_create(
        account=active_account, kind="pause_payouts", cause="fraud", deadline=timezone.now() + timedelta(days=5)
    )
    assert account_email_drain() == 1
    email = AccountEmail.objects.get(account=active_account)
    assert email.status == AccountEmail.Status.SENT
    assert email.esp_message_id != ""
    message_id = email.esp_message_id

    delivered = {
        "RecordType": "Delivery",
        "MessageID": message_id,
        "Recipient": email.to,
        "DeliveredAt": "2026-11-27T12:00:00Z",
        "Details": "Test delivery webhook details",
    }
    assert _post(delivered).status_code == 200
    email.refresh_from_db()
    assert email.delivery == "delivered"

    bounced = {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "MessageID": message_id,
        "Email": email.to,
        "BouncedAt": "2026-11-27T12:05:00Z",
        "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
    }
    assert _post(bounced).status_code == 200
    opened = {
        "RecordType": "Open",
        "MessageID": message_id,
        "Recipient": email.to,
        "ReceivedAt": "2026-11-27T12:09:00Z",
    }
    assert _post(opened).status_code == 200
    email.refresh_from_db()
    assert email.delivery == "bounced"
    assert "unable to deliver" in email.delivery_detail

    # Unsigned calls are refused by anymail; unknown ids change nothing.
    assert _post(delivered, HTTP_AUTHORIZATION="Basic " + base64.b64encode(b"x:y").decode()).status_code == 400
    assert _post({**delivered, "MessageID": "not-ours"}).status_code == 200
    email.refresh_from_db()
    assert email.delivery == "bounced"


def test_the_console_shows_the_delivery_status(active_account: ConnectedAccount) -> None:
    intervention = intervention_create(
        account=active_account, kind="pause_payouts", cause="fraud", deadline=timezone.now() + timedelta(days=5)
    )
    AccountEmail.objects.filter(account=active_account).update(
        status=AccountEmail.Status.SENT, delivery="bounced", delivery_detail="mailbox not found"
    )
    from tests.console.test_platforms import _signed_in

    agent = _signed_in(Client(), ("risk agent",))
    page = agent.get(f"/console/risk/{intervention.pk}/").content.decode()
    assert "Sent, bounced (mailbox not found)" in page

"""Platform webhooks: endpoints through /v1/webhook_endpoints with the official SDK,
``account.updated`` events when risk changes an account, signatures the SDK verifies,
retries with backoff, redirects not followed, timeouts bounded, a delivery log."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import stripe
from django.test import override_settings
from django.utils import timezone

from connect_support.api.webhook_events import account_updated
from connect_support.risk.services import intervention_create, intervention_decide
from connect_support.webhooks.models import WebhookDelivery
from connect_support.webhooks.services import (
    webhook_deliveries_drain,
    webhook_delivery_send,
    webhook_endpoint_create,
)
from tests.factories import PlatformWithKeys, make_account, platform_with_keys


@dataclass
class Receiver:
    url: str
    answers: list[int] = field(default_factory=list)  # status codes to answer, in order; then 200
    received: list[tuple[bytes, dict[str, str]]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.received.append((body, {k.lower(): v for k, v in self.headers.items()}))
            code = state.answers.pop(0) if state.answers else 200
            if code == 0:  # an endpoint that hangs
                time.sleep(2)
                code = 200
            self.send_response(code)
            if 300 <= code < 400:
                self.send_header("Location", "http://127.0.0.1:9/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def keys(live_url: str) -> PlatformWithKeys:
    return platform_with_keys(name="Hook Platform")


@pytest.fixture
def client(live_url: str, keys: PlatformWithKeys) -> stripe.StripeClient:
    return stripe.StripeClient(keys.secret_key, base_addresses={"api": live_url}, max_network_retries=0)


def test_endpoints_are_managed_with_the_sdk_and_events_verify(
    client: stripe.StripeClient, keys: PlatformWithKeys, receiver: Receiver
) -> None:
    created = client.v1.webhook_endpoints.create(
        params={"url": receiver.url, "enabled_events": ["account.updated"], "description": "risk"}
    )
    assert created.id.startswith("we_")
    assert created.secret.startswith("whsec_")
    assert "secret" not in client.v1.webhook_endpoints.retrieve(created.id).to_dict()  # shown once
    listed = client.v1.webhook_endpoints.list()
    assert [e.id for e in listed.data] == [created.id]
    updated = client.v1.webhook_endpoints.update(created.id, params={"enabled_events": ["*"]})
    assert updated.enabled_events == ["*"]
    with pytest.raises(stripe.InvalidRequestError) as bad:
        client.v1.webhook_endpoints.create(params={"url": "ftp://x", "enabled_events": ["account.updated"]})
    assert bad.value.param == "url"
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        client.v1.webhook_endpoints.create(params={"url": receiver.url, "enabled_events": ["charge.nope"]})
    assert unknown.value.param == "enabled_events"

    account = make_account(keys.platform)
    intervention = intervention_create(account=account, kind="pause_payouts", cause="fraud", immediate=True)
    intervention_decide(intervention_id=intervention.pk, decision="resolve", actor=None)
    webhook_deliveries_drain()  # the jobs' work, done here so the test does not wait for them
    assert len(receiver.received) == 2
    body, headers = receiver.received[0]
    event = stripe.Webhook.construct_event(body, headers["stripe-signature"], created.secret)
    assert event.type == "account.updated"
    assert event.account == account.pk
    assert event.data.object.id == account.pk
    assert event.data.object.payouts_enabled is False
    last = stripe.Webhook.construct_event(
        receiver.received[1][0], receiver.received[1][1]["stripe-signature"], created.secret
    )
    assert last.data.object.payouts_enabled == account.payouts_enabled  # lifted: back to what requirements allow
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, headers["stripe-signature"], "whsec_wrong")

    deleted = client.v1.webhook_endpoints.delete(created.id)
    assert deleted.deleted is True
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.webhook_endpoints.retrieve(created.id)


@pytest.mark.django_db
@override_settings(WEBHOOK_TIMEOUT_SECONDS=2)
def test_failures_are_retried_with_backoff_and_logged(receiver: Receiver) -> None:
    keys = platform_with_keys()
    endpoint = webhook_endpoint_create(
        platform=keys.platform, livemode=False, url=receiver.url, enabled_events=["account.updated"]
    )
    receiver.answers = [500, 302]
    account = make_account(keys.platform)
    intervention_create(account=account, kind="pause_charges", cause="fraud", immediate=True)
    account_updated(account.pk)  # what the after-commit hook does
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert webhook_delivery_send(delivery_id=delivery.pk) == "pending"
    delivery.refresh_from_db()
    first_wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 40 < first_wait < 70
    assert webhook_delivery_send(delivery_id=delivery.pk) == "pending"  # not due: nothing sent
    assert len(receiver.received) == 1
    assert webhook_delivery_send(delivery_id=delivery.pk, force=True) == "pending"  # manual redelivery; 302
    delivery.refresh_from_db()
    assert (delivery.next_attempt_at - timezone.now()).total_seconds() > first_wait  # exponential
    assert webhook_delivery_send(delivery_id=delivery.pk, force=True) == "succeeded"
    log = [(a.status_code, a.error) for a in delivery.log.all()]
    assert log == [(500, "HTTP 500"), (302, "redirects are not followed"), (200, "")]

    receiver.answers = [0]
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="pending")
    with override_settings(WEBHOOK_TIMEOUT_SECONDS=0.5):
        assert webhook_delivery_send(delivery_id=delivery.pk, force=True) == "pending"
    assert delivery.log.last().error == "timed out"  # bounded wait, retried later

    receiver.answers = [503]
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status="pending", created_at=timezone.now() - timedelta(days=3, seconds=1)
    )
    assert webhook_delivery_send(delivery_id=delivery.pk, force=True) == "failed"  # bounded: three days

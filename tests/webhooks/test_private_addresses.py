"""Live-mode webhook endpoints reach only the public internet: private, loopback and
link-local destinations are refused when registered and again at each delivery."""

from __future__ import annotations

import pytest
from django.test import override_settings

from connect_support.accounts.errors import InvalidParameterError
from connect_support.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from connect_support.webhooks.services import (
    event_create,
    private_destination,
    webhook_delivery_send,
    webhook_endpoint_create,
    webhook_endpoint_update,
)
from tests.factories import platform_with_keys

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hooks",
        "https://localhost/hooks",
        "https://api.localhost/hooks",
        "https://10.1.2.3/hooks",
        "https://192.168.0.10/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hooks",
        "https://[::ffff:10.0.0.1]/hooks",
        "https://metadata.internal/hooks",
    ],
)
def test_live_endpoints_to_private_addresses_are_refused(url: str) -> None:
    keys = platform_with_keys()
    with pytest.raises(InvalidParameterError) as refused:
        webhook_endpoint_create(platform=keys.platform, livemode=True, url=url, enabled_events=["*"])
    assert refused.value.param == "url"
    assert "public internet" in refused.value.message
    assert not WebhookEndpoint.objects.exists()


def test_test_mode_endpoints_may_point_at_a_developer_machine() -> None:
    keys = platform_with_keys()
    endpoint = webhook_endpoint_create(
        platform=keys.platform, livemode=False, url="http://127.0.0.1:9/hooks", enabled_events=["*"]
    )
    assert endpoint.url == "http://127.0.0.1:9/hooks"


def test_an_update_cannot_move_a_live_endpoint_inside_the_network() -> None:
    keys = platform_with_keys()
    endpoint = webhook_endpoint_create(
        platform=keys.platform, livemode=True, url="https://hooks.example.com/in", enabled_events=["*"]
    )
    with pytest.raises(InvalidParameterError):
        webhook_endpoint_update(endpoint=endpoint, params={"url": "https://10.0.0.5/in"})
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example.com/in"


@override_settings(WEBHOOK_ALLOW_PRIVATE_ADDRESSES=True)
def test_operators_may_allow_private_networks() -> None:
    keys = platform_with_keys()
    endpoint = webhook_endpoint_create(
        platform=keys.platform, livemode=True, url="https://10.0.0.5/in", enabled_events=["*"]
    )
    assert endpoint.livemode


def test_a_name_resolving_inside_the_network_is_refused_at_delivery() -> None:
    keys = platform_with_keys()
    # Registered while it pointed outside; "localhost." resolves to loopback now.
    endpoint = webhook_endpoint_create(
        platform=keys.platform, livemode=True, url="https://hooks.example.com/in", enabled_events=["*"]
    )
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url="https://localhost./in")
    event = event_create(platform=keys.platform, livemode=True, type="account.updated", data_object={"id": "acct_1"})
    delivery = WebhookDelivery.objects.get(event=event)
    assert webhook_delivery_send(delivery_id=delivery.pk) == WebhookDelivery.Status.PENDING
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert attempt.status_code is None
    assert "private address" in attempt.error


def test_public_names_are_not_flagged() -> None:
    assert private_destination("93.184.215.14") is None
    assert private_destination("127.0.0.1") == "127.0.0.1"

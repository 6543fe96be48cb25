"""The official ``stripe`` SDK as a real client against our server."""

from __future__ import annotations

import pytest
import stripe

from tests.factories import PlatformWithKeys, platform_with_keys


@pytest.fixture
def keys(live_url: str) -> PlatformWithKeys:
    return platform_with_keys(name="SDK Platform")


@pytest.fixture
def client(live_url: str, keys: PlatformWithKeys) -> stripe.StripeClient:
    return stripe.StripeClient(keys.secret_key, base_addresses={"api": live_url}, max_network_retries=0)


def test_account_lifecycle(client: stripe.StripeClient) -> None:
    account = client.v1.accounts.create(
        params={
            "email": "sdk@shop.example",
            "country": "US",
            "controller": {
                "stripe_dashboard": {"type": "none"},
                "losses": {"payments": "stripe"},
                "fees": {"payer": "application"},
            },
            "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}},
            "business_profile": {"name": "Ünïcode Goods"},
            "metadata": {"order": "1"},
        }
    )
    assert account.id.startswith("acct_")
    assert account.controller.stripe_dashboard.type == "none"
    assert account.business_profile.name == "Ünïcode Goods"
    assert account.requirements.disabled_reason == "requirements.past_due"

    fetched = client.v1.accounts.retrieve(account.id)
    assert fetched.email == "sdk@shop.example"

    updated = client.v1.accounts.update(account.id, params={"metadata": {"order": "", "tier": "gold"}})
    assert updated.metadata.to_dict() == {"tier": "gold"}

    deleted = client.v1.accounts.delete(account.id)
    assert deleted.deleted is True
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.accounts.retrieve(account.id)
    assert caught.value.http_status == 404
    assert caught.value.code == "resource_missing"


def test_auto_paging_walks_every_account(client: stripe.StripeClient) -> None:
    created = [client.v1.accounts.create(params={"metadata": {"n": str(n)}}).id for n in range(7)]
    seen = [account.id for account in client.v1.accounts.list(params={"limit": 2}).auto_paging_iter()]
    assert seen == list(reversed(created))


def test_account_sessions(client: stripe.StripeClient) -> None:
    account = client.v1.accounts.create(params={"controller": {"stripe_dashboard": {"type": "none"}}})
    session = client.v1.account_sessions.create(
        params={
            "account": account.id,
            "components": {
                "account_onboarding": {"enabled": True, "features": {"external_account_collection": True}},
                "notification_banner": {"enabled": True},
            },
        }
    )
    assert session.client_secret.startswith("accs_secret__")
    assert session.components.account_onboarding.enabled is True
    assert session.components.account_management.enabled is False


def test_error_classes(client: stripe.StripeClient, live_url: str) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.accounts.create(params={"controller": {"stripe_dashboard": {"type": "sideways"}}})
    assert caught.value.http_status == 400
    assert caught.value.param == "controller[stripe_dashboard][type]"

    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.account_sessions.create(
            params={"account": "acct_missing", "components": {"payments": {"enabled": True}}}
        )
    assert caught.value.param == "account"

    bad = stripe.StripeClient("sk_test_notarealkey0000000000", base_addresses={"api": live_url}, max_network_retries=0)
    with pytest.raises(stripe.AuthenticationError):
        bad.v1.accounts.list()

    other = platform_with_keys(name="Someone else")
    theirs = stripe.StripeClient(other.secret_key, base_addresses={"api": live_url}, max_network_retries=0)
    foreign = theirs.v1.accounts.create(params={})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.accounts.retrieve(foreign.id)
    assert caught.value.http_status == 404


def test_idempotent_replay(client: stripe.StripeClient) -> None:
    options: stripe.RequestOptions = {"idempotency_key": "sdk-retry-1"}
    first = client.v1.accounts.create(params={"email": "idem@shop.example"}, options=options)
    second = client.v1.accounts.create(params={"email": "idem@shop.example"}, options=options)
    assert first.id == second.id
    assert len(list(client.v1.accounts.list().auto_paging_iter())) == 1
    with pytest.raises(stripe.IdempotencyError):
        client.v1.accounts.create(params={"email": "changed@shop.example"}, options=options)

from __future__ import annotations

import hashlib
import time

import pytest
from django.test import Client

from connect_support.embedded.models import AccountSession
from tests.factories import make_account, platform_with_keys

pytestmark = pytest.mark.django_db


def test_create_session_lists_every_component() -> None:
    keys = platform_with_keys()
    account = make_account(keys.platform)
    response = Client().post(
        "/v1/account_sessions",
        {
            "account": account.id,
            "components[account_onboarding][enabled]": "true",
            "components[account_onboarding][features][external_account_collection]": "false",
            "components[payments][enabled]": "true",
            "components[payments][features][refund_management]": "true",
        },
        **keys.auth,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["object"] == "account_session"
    assert body["account"] == account.id
    assert body["client_secret"].startswith("accs_secret__")
    assert body["livemode"] is False
    assert 29 * 60 <= body["expires_at"] - time.time() <= 30 * 60 + 5
    components = body["components"]
    assert components["account_onboarding"] == {
        "enabled": True,
        "features": {"external_account_collection": False, "disable_stripe_user_authentication": False},
    }
    assert components["account_management"]["enabled"] is False
    assert components["notification_banner"]["features"]["external_account_collection"] is True
    assert components["payments"] == {"enabled": True, "features": {"refund_management": True}}
    assert "payouts" in components
    stored = AccountSession.objects.get()
    assert stored.secret_digest == hashlib.sha256(body["client_secret"].encode()).hexdigest()
    assert body["client_secret"] not in str(stored.__dict__)


@pytest.mark.parametrize(
    ("data", "param", "code"),
    [
        ({"components[account_onboarding][enabled]": "true"}, "account", "parameter_missing"),
        ({"account": "{account}"}, "components", "parameter_missing"),
        (
            {"account": "{account}", "components[hologram][enabled]": "true"},
            "components[hologram]",
            "parameter_unknown",
        ),
        (
            {"account": "{account}", "components[account_onboarding][features][external_account_collection]": "true"},
            "components[account_onboarding][enabled]",
            "parameter_missing",
        ),
        (
            {
                "account": "{account}",
                "components[account_onboarding][enabled]": "true",
                "components[account_onboarding][features][x]": "true",
            },
            "components[account_onboarding][features][x]",
            "parameter_unknown",
        ),
        (
            {"account": "{account}", "components[account_onboarding][enabled]": "yes"},
            "components[account_onboarding][enabled]",
            "parameter_invalid",
        ),
        (
            {"account": "acct_doesnotexist", "components[account_onboarding][enabled]": "true"},
            "account",
            "resource_missing",
        ),
        (
            {
                "account": "{account}",
                "components[account_management][enabled]": "true",
                "components[account_management][features][disable_stripe_user_authentication]": "true",
            },
            "components[account_management][features][disable_stripe_user_authentication]",
            "parameter_invalid",
        ),
    ],
)
def test_session_errors(data: dict[str, str], param: str, code: str) -> None:
    keys = platform_with_keys()
    account = make_account(keys.platform)
    body = {key: value.replace("{account}", account.id) for key, value in data.items()}
    response = Client().post("/v1/account_sessions", body, **keys.auth)
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["param"], error["code"]) == (param, code)
    assert AccountSession.objects.count() == 0


def test_disabling_user_authentication_needs_application_requirement_collection() -> None:
    keys = platform_with_keys()
    account = make_account(keys.platform, supported=False)
    response = Client().post(
        "/v1/account_sessions",
        {
            "account": account.id,
            "components[account_onboarding][enabled]": "true",
            "components[account_onboarding][features][disable_stripe_user_authentication]": "true",
        },
        **keys.auth,
    )
    assert response.status_code == 200
    features = response.json()["components"]["account_onboarding"]["features"]
    assert features["disable_stripe_user_authentication"] is True

"""``/v1/connect_settings``: the platform's branding, site links and allowed origins, and the
rule that live-mode account sessions need the notification banner's site link."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from connect_support.accounts.models import ApiKey
from connect_support.accounts.services import account_create, api_key_create
from tests.factories import SUPPORTED_CONTROLLER, platform_with_keys

pytestmark = pytest.mark.django_db


def _post(keys: Any, data: dict[str, str]) -> Any:
    return Client().post("/v1/connect_settings", data, **keys.auth)


def test_settings_are_read_and_updated_partially() -> None:
    keys = platform_with_keys(name="Settings Co")
    body = Client().get("/v1/connect_settings", **keys.auth).json()
    assert body["object"] == "connect_settings"
    assert body["platform"] == keys.platform.pk
    assert body["site_links"]["notification_banner"] is None
    assert body["live_account_sessions"]["allowed"] is False

    response = _post(
        keys,
        {
            "site_links[notification_banner]": "https://app.settings.example/payments/notices",
            "branding[primary_color]": "#AA3300",
            "allowed_origins[0]": "https://app.settings.example/",
            "allowed_origins[1]": "HTTPS://Dashboard.Settings.example:443",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["site_links"]["notification_banner"] == "https://app.settings.example/payments/notices"
    assert body["branding"]["primary_color"] == "#aa3300"
    assert body["branding"]["business_name"] == "Settings Co"
    assert body["allowed_origins"] == ["https://app.settings.example", "https://dashboard.settings.example"]
    assert body["live_account_sessions"] == {"allowed": True, "reason": None}

    # Only what is sent changes; an empty string unsets a link or clears the origins.
    body = _post(keys, {"site_links[account_management]": "https://app.settings.example/account"}).json()
    assert body["site_links"]["notification_banner"] == "https://app.settings.example/payments/notices"
    body = _post(keys, {"allowed_origins": "", "site_links[notification_banner]": ""}).json()
    assert body["allowed_origins"] == []
    assert body["site_links"]["notification_banner"] is None


@pytest.mark.parametrize(
    ("data", "param"),
    [
        ({"site_links[notification_banner]": "javascript:alert(1)"}, "site_links[notification_banner]"),
        ({"site_links[notification_banner]": "http://app.example.com/banner"}, "site_links[notification_banner]"),
        ({"site_links[notification_banner]": "https://user:pw@app.example.com/"}, "site_links[notification_banner]"),
        ({"site_links[notification_banner]": "https://app.example.com:99999/"}, "site_links[notification_banner]"),
        ({"site_links[payments]": "https://app.example.com/"}, "site_links[payments]"),
        ({"allowed_origins[0]": "https://*.example.com"}, "allowed_origins[0]"),
        ({"allowed_origins[0]": "https://app.example.com/path"}, "allowed_origins[0]"),
        ({"branding[primary_color]": "red"}, "branding[primary_color]"),
        ({"branding[business_name]": "  "}, "branding[business_name]"),
        ({"support[email]": "not an address"}, "support[email]"),
        ({"unknown": "x"}, "unknown"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(data: dict[str, str], param: str) -> None:
    keys = platform_with_keys()
    before = Client().get("/v1/connect_settings", **keys.auth).json()
    response = _post(keys, {"branding[secondary_color]": "#123456", **data})
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param
    assert Client().get("/v1/connect_settings", **keys.auth).json() == before


def test_local_http_links_are_accepted_for_development() -> None:
    keys = platform_with_keys()
    body = _post(keys, {"site_links[notification_banner]": "http://localhost:8000/demo/"}).json()
    assert body["site_links"]["notification_banner"] == "http://localhost:8000/demo/"


def test_live_sessions_need_the_notification_banner_link() -> None:
    keys = platform_with_keys(notification_banner_url="")
    _, live_key = api_key_create(platform=keys.platform, kind=ApiKey.Kind.SECRET, livemode=True)
    live = {"HTTP_AUTHORIZATION": f"Bearer {live_key}"}
    account = account_create(
        platform=keys.platform,
        params={"country": "US", "email": "live@business.example", "controller": SUPPORTED_CONTROLLER},
        livemode=True,
    )
    session = {"account": account.id, "components[notification_banner][enabled]": "true"}

    refused = Client().post("/v1/account_sessions", session, **live)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "site_link_missing"
    assert "site_links[notification_banner]" in refused.json()["error"]["message"]

    assert (
        Client()
        .post("/v1/connect_settings", {"site_links[notification_banner]": "https://app.example.com/notices"}, **live)
        .status_code
        == 200
    )
    allowed = Client().post("/v1/account_sessions", session, **live)
    assert allowed.status_code == 200, allowed.content
    assert allowed.json()["livemode"] is True


def test_test_mode_sessions_do_not_need_the_link() -> None:
    keys = platform_with_keys(notification_banner_url="")
    account = account_create(
        platform=keys.platform, params={"country": "US", "controller": SUPPORTED_CONTROLLER}, livemode=False
    )
    session = {"account": account.id, "components[notification_banner][enabled]": "true"}
    response = Client().post("/v1/account_sessions", session, **keys.auth)
    assert response.status_code == 200, response.content


def test_settings_need_a_secret_key() -> None:
    keys = platform_with_keys()
    response = Client().get("/v1/connect_settings", HTTP_AUTHORIZATION=f"Bearer {keys.publishable_key}")
    assert response.status_code in (401, 403)

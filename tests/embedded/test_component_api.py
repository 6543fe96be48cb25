"""The component endpoints: booting from a client secret, CORS, page tokens, step-up,
forms written through the account services, the banner's items, and the loader."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from connect_support.accounts.models import ConnectedAccount
from connect_support.accounts.onboarding import account_details_submit
from connect_support.embedded.loader import current_bundle
from connect_support.embedded.models import AccountSession
from connect_support.embedded.sessions import account_session_create
from tests.factories import make_account, platform_with_keys

pytestmark = pytest.mark.django_db
ORIGIN = "https://app.platform.example"
EVIL = "https://evil.example"
ALL = ("account_onboarding", "account_management", "notification_banner")
COMPLETE: dict[str, Any] = {
    "business_type": "individual",
    "business_profile": {"mcc": "5734", "url": "https://shop.example"},
    "individual": {
        "first_name": "Robin",
        "last_name": "Owner",
        "email": "robin@shop.example",
        "phone": "+14155550199",
        "dob": {"day": 14, "month": 3, "year": 1986},
        "address": {"line1": "address_no_match", "city": "San Francisco", "postal_code": "94110"},
        "ssn_last_4": "0000",
    },
    "external_account": {"object": "bank_account", "account_number": "000123456789", "routing_number": "110000000"},
    "tos_acceptance": {"date": 1767225600, "ip": "203.0.113.10"},
    "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}},
}


@pytest.fixture
def keys() -> Any:
    return platform_with_keys(allowed_origins=[ORIGIN])


def new_secret(account: ConnectedAccount, **components: dict[str, Any]) -> str:
    wanted = components or {name: {"enabled": True} for name in ALL}
    return account_session_create(account=account, components=wanted, known_components=ALL).client_secret


def boot(client: Client, secret: str, publishable_key: str, origin: str | None = ORIGIN) -> Any:
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    return client.post("/embedded/api/boot", {"client_secret": secret, "publishable_key": publishable_key}, **headers)


class Page:
    """A booted page: requests with its page token from its origin."""

    def __init__(self, client: Client, token: str, origin: str = ORIGIN) -> None:
        self.client, self.token, self.origin = client, token, origin

    def get(self, path: str, **query: str) -> Any:
        return self.client.get(
            f"/embedded/api/{path}", query, HTTP_AUTHORIZATION=f"Bearer {self.token}", HTTP_ORIGIN=self.origin
        )

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(
            f"/embedded/api/{path}",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.token}",
            HTTP_ORIGIN=self.origin,
        )


def booted(keys: Any, account: ConnectedAccount, **components: dict[str, Any]) -> Page:
    client = Client()
    response = boot(client, new_secret(account, **components), keys.publishable_key)
    assert response.status_code == 200, response.content
    return Page(client, response.json()["pageToken"])


def authenticate(account: ConnectedAccount) -> None:
    """What the popup does on the right code (tested in tests/identity)."""
    AccountSession.objects.filter(account=account).update(
        authenticated_at=timezone.now(), authenticated_person=account.representative
    )


def test_boot_claims_the_session_once_and_describes_the_page(keys: Any) -> None:
    account = make_account(keys.platform)
    client = Client()
    secret = new_secret(account)
    response = boot(client, secret, keys.publishable_key)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["pageToken"]
    assert body["account"]["id"] == account.pk
    assert body["support"]["eligible"] is True
    assert body["support"]["siteUrl"].endswith("/embedded-connect/")
    assert body["components"]["account_onboarding"]["enabled"] is True
    assert body["authentication"] == {"required": True, "authenticated": False, "recent": False, "recentUntil": None}
    again = boot(client, secret, keys.publishable_key)
    assert again.status_code == 401
    assert again.json()["error"]["type"] == "authentication_error"
    assert again.json()["error"]["code"] == "account_session_claimed"
    assert again["Access-Control-Allow-Origin"] == ORIGIN  # the page must read it to fetch a fresh one


def test_boot_refuses_an_unregistered_origin_without_spending_the_secret(keys: Any) -> None:
    account = make_account(keys.platform)
    secret = new_secret(account)
    refused = boot(Client(), secret, keys.publishable_key, origin=EVIL)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in refused
    assert AccountSession.objects.get(account=account).claimed_at is None
    assert boot(Client(), secret, keys.publishable_key).status_code == 200


def test_boot_refuses_another_platforms_publishable_key_and_unknown_secrets(keys: Any) -> None:
    account = make_account(keys.platform)
    other = platform_with_keys(allowed_origins=[ORIGIN])
    secret = new_secret(account)
    wrong_key = boot(Client(), secret, other.publishable_key)
    assert wrong_key.status_code == 401
    assert wrong_key.json()["error"] == {
        "type": "invalid_request_error",
        "code": "publishable_key_mismatch",
        "message": "The publishable key does not belong to the platform that created this account session.",
    }
    assert boot(Client(), secret, keys.secret_key).json()["error"]["code"] == "publishable_key_mismatch"
    assert AccountSession.objects.get(account=account).claimed_at is None
    unknown = boot(Client(), "accs_secret__nope", keys.publishable_key)
    assert unknown.status_code == 401
    assert unknown.json()["error"]["code"] == "account_session_invalid"
    assert boot(Client(), "x" * 5000, keys.publishable_key).status_code == 401


def test_preflights_are_answered_only_for_registered_origins(keys: Any) -> None:
    client = Client()
    allowed = client.options("/embedded/api/components/account_management", HTTP_ORIGIN=ORIGIN)
    assert allowed.status_code == 204
    assert allowed["Access-Control-Allow-Origin"] == ORIGIN
    assert "Authorization" in allowed["Access-Control-Allow-Headers"]
    for origin in (EVIL, "https://app.platform.example.evil.example", "null", "*"):
        refused = client.options("/embedded/api/components/account_management", HTTP_ORIGIN=origin)
        assert "Access-Control-Allow-Origin" not in refused


def test_requests_need_a_live_page_token_from_the_platforms_origin(keys: Any) -> None:
    account = make_account(keys.platform)
    page = booted(keys, account)
    assert page.get("components/account_onboarding").status_code == 200
    evil = Page(page.client, page.token, origin=EVIL).get("components/account_onboarding")
    assert evil.status_code == 403
    assert "Access-Control-Allow-Origin" not in evil
    forged = Page(page.client, page.token + "x").get("components/account_onboarding")
    assert forged.status_code == 401
    assert forged.json()["error"]["type"] == "authentication_error"
    assert page.post("logout", {}).json() == {"ended": True}
    assert page.get("components/account_onboarding").status_code == 401


def test_components_must_be_enabled_in_the_session(keys: Any) -> None:
    account = make_account(keys.platform)
    page = booted(keys, account, account_management={"enabled": True})
    refused = page.get("components/account_onboarding")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "component_not_enabled"
    assert page.get("components/account_management").status_code == 200


def test_onboarding_writes_through_the_account_services_after_authentication(keys: Any) -> None:
    account = make_account(keys.platform, capabilities=COMPLETE["capabilities"])
    page = booted(keys, account)
    step_up = page.post(
        "components/account_onboarding/sections/business_type", {"values": {"business_type": "company"}}
    )
    assert step_up.status_code == 403
    assert step_up.json()["error"]["code"] == "authentication_required"
    authenticate(account)
    saved = page.post("components/account_onboarding/sections/business_type", {"values": {"business_type": "company"}})
    assert saved.status_code == 200
    steps = {step["id"]: step for step in saved.json()["steps"]}
    assert steps["business_type"]["complete"] is True
    assert "company.name" in steps["business_details"]["missing"]
    details = page.post(
        "components/account_onboarding/sections/professional_details",
        {"values": {"company_name": "Fern Ltd", "company_tax_id": "00-0000000", "mcc": "5734"}},
    )
    assert details.status_code == 400
    errors = details.json()["error"]["fields"]
    assert "EIN" in errors["company_tax_id"]
    assert errors["company_phone"] == "Enter your business phone."
    assert errors["company_address_line1"] == "Enter your street address."
    assert "company_name" not in errors
    assert ConnectedAccount.objects.get(pk=account.pk).company == {}  # nothing half-written
    early = page.post("components/account_onboarding/submit", {"values": {"accept_terms": True}})
    assert early.json()["error"]["code"] == "onboarding_incomplete"


def test_payout_details_are_validated_and_need_recent_authentication(keys: Any) -> None:
    account = account_details_submit(account=make_account(keys.platform, **COMPLETE), tos_acceptance={})
    page = booted(keys, account)
    values = {
        "account_holder_name": "Robin Owner",
        "routing_number": "110000001",
        "account_number": "987654321",
        "account_number_confirmation": "987654321",
    }
    path = "components/account_management/sections/payout_details"
    assert page.post(path, {"values": values}).json()["error"]["code"] == "authentication_required"
    AccountSession.objects.filter(account=account).update(
        authenticated_at=timezone.now() - timedelta(minutes=11), authenticated_person=account.representative
    )
    assert page.post(path, {"values": values}).json()["error"]["code"] == "authentication_required"
    authenticate(account)
    invalid = page.post(path, {"values": values})
    assert invalid.status_code == 400
    assert list(invalid.json()["error"]["fields"]) == ["routing_number"]
    saved = page.post(path, {"values": {**values, "routing_number": "021000021"}})
    assert saved.status_code == 200
    bank = ConnectedAccount.objects.get(pk=account.pk).external_accounts[0]
    assert (bank["routing_number"], bank["last4"]) == ("021000021", "4321")
    described = saved.json()["sections"]["payout_details"]
    assert all(
        field["value"] == "" for g in described["groups"] for field in g["fields"] if "account_number" in field["name"]
    )


def test_the_platform_can_keep_bank_accounts_to_itself(keys: Any) -> None:
    account = account_details_submit(account=make_account(keys.platform, **COMPLETE), tos_acceptance={})
    off = {"enabled": True, "features": {"external_account_collection": False}}
    page = booted(keys, account, account_management=off, account_onboarding=off)
    authenticate(account)
    assert "payout_details" not in page.get("components/account_management").json()["sections"]
    refused = page.post("components/account_management/sections/payout_details", {"values": {}})
    assert refused.json()["error"]["code"] == "external_account_collection_disabled"
    steps = [step["id"] for step in page.get("components/account_onboarding").json()["steps"]]
    assert "external_account" not in steps


def test_phone_numbers_are_checked_by_the_account_services(keys: Any) -> None:
    account = account_details_submit(account=make_account(keys.platform, **COMPLETE), tos_acceptance={})
    page = booted(keys, account)
    authenticate(account)
    values = {
        "first_name": "Robin",
        "last_name": "Owner",
        "email": "robin@shop.example",
        "phone": "12",
        "dob": "1986-03-14",
        "address_line1": "1 Market St",
        "address_city": "San Francisco",
        "address_state": "CA",
        "address_postal_code": "94105",
    }
    refused = page.post("components/account_management/sections/personal_details", {"values": values})
    assert refused.json()["error"]["fields"] == {"phone": "Invalid phone number."}
    saved = page.post(
        "components/account_management/sections/personal_details", {"values": {**values, "phone": "(415) 555-0142"}}
    )
    assert saved.status_code == 200
    person = ConnectedAccount.objects.get(pk=account.pk).representative
    assert person is not None
    assert person.phone == "+14155550142"
    assert person.address["line1"] == "1 Market St"


def test_the_banner_lists_requirements_and_answers_them(keys: Any) -> None:
    account = account_details_submit(account=make_account(keys.platform, **COMPLETE), tos_acceptance={})
    page = booted(keys, account)
    view = page.get("components/notification_banner").json()
    assert view["counts"] == {"total": 1, "actionRequired": 1}
    (item,) = view["items"]
    assert item["id"] == "requirement:individual.address"
    assert item["overdue"] is True
    assert item["affects"] == ["payments", "payouts"]
    assert item["support"] == {
        "source": "notification_banner.compliance_form",
        "requirement": "individual.address.line1",
    }
    fields = [field["name"] for group in item["form"]["groups"] for field in group["fields"]]
    assert fields == ["address_line1", "address_line2", "address_city", "address_state", "address_postal_code"]
    answer = {
        "address_line1": "1 Market St",
        "address_city": "San Francisco",
        "address_state": "CA",
        "address_postal_code": "94105",
    }
    path = "notifications/requirement:individual.address/answer"
    assert page.post(path, {"values": answer}).json()["error"]["code"] == "authentication_required"
    authenticate(account)
    answered = page.post(path, {"values": answer}).json()
    assert answered["items"] == []
    assert answered["counts"] == {"total": 0, "actionRequired": 0}
    fresh = ConnectedAccount.objects.get(pk=account.pk)
    assert fresh.charges_enabled is True
    assert page.post(path, {"values": answer}).json()["error"]["code"] == "unknown_notification"


def test_the_banner_shows_nothing_before_onboarding_is_submitted(keys: Any) -> None:
    account = make_account(keys.platform, capabilities=COMPLETE["capabilities"])
    view = booted(keys, account).get("components/notification_banner").json()
    assert view["account"]["detailsSubmitted"] is False
    assert view["items"] == []


def test_pending_verification_reads_in_review_and_needs_no_answer(keys: Any) -> None:
    account = account_details_submit(account=make_account(keys.platform, **COMPLETE), tos_acceptance={})
    ConnectedAccount.objects.filter(pk=account.pk).update(
        requirements={
            **account.requirements,
            "currently_due": [],
            "past_due": [],
            "errors": [],
            "pending_verification": ["individual.address.line1"],
        }
    )
    view = booted(keys, account).get("components/notification_banner").json()
    assert view["counts"] == {"total": 1, "actionRequired": 0}
    assert view["items"][0]["status"] == "in_review"
    assert view["items"][0]["form"] is None


def test_the_loader_is_versioned_and_cached(client: Client) -> None:
    bundle = current_bundle()
    entry = client.get("/v1/connect.js")
    assert entry.status_code == 200
    assert entry["Content-Type"].startswith("text/javascript")
    assert entry["Cache-Control"] == "public, max-age=300"
    assert entry["Access-Control-Allow-Origin"] == "*"
    assert f"./connect/{bundle.version}/connect.js" in entry.content.decode()
    assert client.get("/v1/connect.js", HTTP_IF_NONE_MATCH=entry["ETag"]).status_code == 304
    module = client.get(f"/v1/connect/{bundle.version}/connect.js")
    assert module["Cache-Control"] == "public, max-age=31536000, immutable"
    assert b"loadConnectAndInitialize" in module.content
    stale = client.get(f"/v1/connect/{'0' * 16}/connect.js")
    assert stale["Cache-Control"] == "no-store"
    assert client.get(f"/v1/connect/{bundle.version}/nothing.js").status_code == 404
    assert client.get("/v1/connect/../settings.py").status_code == 404

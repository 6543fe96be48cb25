from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.test import Client

from connect_support.accounts.models import ConnectedAccount, Person
from connect_support.accounts.services import account_deadlines_enforce
from tests.factories import PlatformWithKeys, platform_with_keys

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme() -> PlatformWithKeys:
    return platform_with_keys(name="Acme")


def post(client: Client, keys: PlatformWithKeys, path: str, data: Any = None, **extra: Any) -> Any:
    return client.post(path, data or {}, **keys.auth, **extra)


def error_of(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    return error


def test_create_account_with_controller_and_nested_params(client: Client, acme: PlatformWithKeys) -> None:
    response = client.post(
        "/v1/accounts",
        "email=owner%40shop.example&country=us&controller[stripe_dashboard][type]=none"
        "&controller[losses][payments]=stripe&controller[fees][payer]=application"
        "&individual[first_name]=Ana&individual[phone]=(415)%20555-0100&metadata[crm]=77"
        "&capabilities[card_payments][requested]=true&business_type=individual",
        content_type="application/x-www-form-urlencoded",
        **acme.auth,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"].startswith("acct_")
    assert len(body["id"]) >= 29
    assert body["object"] == "account"
    assert body["controller"]["stripe_dashboard"] == {"type": "none"}
    assert body["controller"]["losses"] == {"payments": "stripe"}
    assert body["controller"]["requirement_collection"] == "stripe"
    assert body["metadata"] == {"crm": "77"}
    assert body["capabilities"] == {"card_payments": "inactive"}
    assert "individual.dob.day" in body["requirements"]["currently_due"]
    assert body["requirements"]["disabled_reason"] == "requirements.past_due"
    assert body["individual"]["phone"] == "+14155550100"
    assert body["charges_enabled"] is False


def test_defaults_follow_the_accounts_api(client: Client, acme: PlatformWithKeys) -> None:
    body = post(client, acme, "/v1/accounts").json()
    assert body["controller"]["stripe_dashboard"]["type"] == "full"
    assert body["controller"]["losses"]["payments"] == "stripe"
    assert body["controller"]["fees"]["payer"] == "account"
    assert body["type"] == "standard"


def test_legacy_type_maps_to_controller(client: Client, acme: PlatformWithKeys) -> None:
    body = post(client, acme, "/v1/accounts", {"type": "custom"}).json()
    assert body["controller"]["requirement_collection"] == "application"
    assert body["controller"]["losses"]["payments"] == "application"
    assert body["type"] == "custom"


def test_json_bodies_are_accepted(client: Client, acme: PlatformWithKeys) -> None:
    response = client.post(
        "/v1/accounts",
        json.dumps({"email": "j@shop.example", "controller": {"stripe_dashboard": {"type": "express"}}}),
        content_type="application/json",
        **acme.auth,
    )
    assert response.status_code == 200
    assert response.json()["controller"]["stripe_dashboard"]["type"] == "express"


@pytest.mark.parametrize(
    ("data", "param", "code"),
    [
        ({"bogus": "1"}, "bogus", "parameter_unknown"),
        ({"controller[stripe_dashboard][type]": "weird"}, "controller[stripe_dashboard][type]", "parameter_invalid"),
        ({"controller[losses][nope]": "x"}, "controller[losses][nope]", "parameter_unknown"),
        ({"email": "not-an-email"}, "email", "parameter_invalid"),
        ({"individual[phone]": "12"}, "individual[phone]", "invalid_phone_number"),
        ({"individual[dob][day]": "thirty"}, "individual[dob][day]", "parameter_invalid"),
        (
            {"capabilities[card_payments][requested]": "maybe"},
            "capabilities[card_payments][requested]",
            "parameter_invalid",
        ),
        ({"capabilities[teleport][requested]": "true"}, "capabilities[teleport]", "parameter_unknown"),
        ({"business_profile[name]": "x" * 6000}, "business_profile[name]", "parameter_invalid"),
        (
            {"controller[requirement_collection]": "application"},
            "controller[requirement_collection]",
            "parameter_invalid",
        ),
        (
            {"controller[stripe_dashboard][type]": "full", "controller[losses][payments]": "application"},
            "controller[stripe_dashboard][type]",
            "parameter_invalid",
        ),
        ({"type": "custom", "controller[losses][payments]": "stripe"}, "type", "parameter_invalid"),
    ],
)
def test_bad_parameters_get_a_stripe_shaped_400(
    client: Client, acme: PlatformWithKeys, data: dict[str, str], param: str, code: str
) -> None:
    response = post(client, acme, "/v1/accounts", data)
    assert response.status_code == 400
    error = error_of(response)
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param
    assert error["code"] == code
    assert error["message"]
    assert ConnectedAccount.objects.count() == 0


def test_retrieve_update_and_unset(client: Client, acme: PlatformWithKeys) -> None:
    account_id = post(client, acme, "/v1/accounts", {"metadata[a]": "1", "metadata[b]": "2"}).json()["id"]
    assert client.get(f"/v1/accounts/{account_id}", **acme.auth).json()["metadata"] == {"a": "1", "b": "2"}
    updated = post(
        client,
        acme,
        f"/v1/accounts/{account_id}",
        {"metadata[a]": "", "business_profile[name]": "Café ☕", "business_type": "individual"},
    ).json()
    assert updated["metadata"] == {"b": "2"}
    assert updated["business_profile"]["name"] == "Café ☕"
    refused = post(client, acme, f"/v1/accounts/{account_id}", {"controller[losses][payments]": "application"})
    assert refused.status_code == 400
    assert error_of(refused)["param"] == "controller"


def test_completing_the_details_activates_the_account(client: Client, acme: PlatformWithKeys) -> None:
    account_id = post(
        client,
        acme,
        "/v1/accounts",
        {
            "business_type": "individual",
            "capabilities[card_payments][requested]": "true",
            "capabilities[transfers][requested]": "true",
        },
    ).json()["id"]
    complete = {
        "business_profile[mcc]": "5734",
        "business_profile[url]": "https://shop.example",
        "individual[first_name]": "Ana",
        "individual[last_name]": "Silva",
        "individual[email]": "ana@shop.example",
        "individual[phone]": "+14155550100",
        "individual[dob][day]": "1",
        "individual[dob][month]": "2",
        "individual[dob][year]": "1990",
        "individual[address][line1]": "1 Main St",
        "individual[address][city]": "Springfield",
        "individual[address][postal_code]": "94110",
        "individual[ssn_last_4]": "0000",
        "external_account[account_number]": "000123456789",
        "external_account[routing_number]": "110000000",
        "external_account[country]": "US",
        "external_account[currency]": "usd",
        "tos_acceptance[date]": "1767225600",
        "tos_acceptance[ip]": "203.0.113.9",
    }
    body = post(client, acme, f"/v1/accounts/{account_id}", complete).json()
    assert body["requirements"]["currently_due"] == []
    assert body["requirements"]["eventually_due"] == ["individual.id_number"]
    assert body["charges_enabled"] is True
    assert body["payouts_enabled"] is True
    assert body["details_submitted"] is True
    assert body["capabilities"] == {"card_payments": "active", "transfers": "active"}
    assert body["external_accounts"]["data"][0]["last4"] == "6789"
    # The address test trigger makes address verification fail.
    failed = post(client, acme, f"/v1/accounts/{account_id}", {"individual[address][line1]": "address_no_match"})
    requirements = failed.json()["requirements"]
    assert "individual.address.line1" in requirements["currently_due"]
    assert requirements["errors"][0]["code"] == "verification_failed_address_match"
    # An active account keeps working until the deadline, two weeks out by default.
    assert failed.json()["charges_enabled"] is True
    assert requirements["past_due"] == []
    assert 13 * 86400 < requirements["current_deadline"] - time.time() <= 14 * 86400
    # When it passes, the periodic job restricts the account.
    assert account_deadlines_enforce(now=requirements["current_deadline"] + 1) == 1
    late = client.get(f"/v1/accounts/{account_id}", **acme.auth).json()
    assert late["charges_enabled"] is False
    assert late["payouts_enabled"] is False
    assert late["requirements"]["past_due"] == ["individual.address.line1"]
    assert late["requirements"]["disabled_reason"] == "requirements.past_due"
    # Correcting the address lifts the restriction at once.
    fixed = post(client, acme, f"/v1/accounts/{account_id}", {"individual[address][line1]": "1 Main St"}).json()
    assert fixed["charges_enabled"] is True
    assert fixed["requirements"]["current_deadline"] is None


def test_delete_hides_the_account_but_keeps_its_people(client: Client, acme: PlatformWithKeys) -> None:
    account_id = post(client, acme, "/v1/accounts", {"individual[first_name]": "Ana"}).json()["id"]
    response = client.delete(f"/v1/accounts/{account_id}", **acme.auth)
    assert response.json() == {"id": account_id, "object": "account", "deleted": True}
    assert client.get(f"/v1/accounts/{account_id}", **acme.auth).status_code == 404
    assert client.delete(f"/v1/accounts/{account_id}", **acme.auth).status_code == 404
    assert Person.objects.filter(account_id=account_id).exists()


def test_pagination_with_cursors(client: Client, acme: PlatformWithKeys) -> None:
    ids = [post(client, acme, "/v1/accounts", {"metadata[n]": str(n)}).json()["id"] for n in range(7)]
    newest_first = list(reversed(ids))
    first = client.get("/v1/accounts", {"limit": 3}, **acme.auth).json()
    assert first["object"] == "list"
    assert first["url"] == "/v1/accounts"
    assert [a["id"] for a in first["data"]] == newest_first[:3]
    assert first["has_more"] is True
    second = client.get("/v1/accounts", {"limit": 3, "starting_after": first["data"][-1]["id"]}, **acme.auth).json()
    assert [a["id"] for a in second["data"]] == newest_first[3:6]
    third = client.get("/v1/accounts", {"limit": 3, "starting_after": second["data"][-1]["id"]}, **acme.auth).json()
    assert [a["id"] for a in third["data"]] == newest_first[6:]
    assert third["has_more"] is False
    back = client.get("/v1/accounts", {"limit": 2, "ending_before": second["data"][0]["id"]}, **acme.auth).json()
    assert [a["id"] for a in back["data"]] == newest_first[1:3]
    assert back["has_more"] is True
    for bad in ({"limit": 0}, {"limit": 101}, {"limit": "ten"}, {"starting_after": "acct_nope"}):
        response = client.get("/v1/accounts", bad, **acme.auth)
        assert response.status_code == 400, bad
        assert error_of(response)["param"] in {"limit", "starting_after"}


def test_platforms_are_isolated(client: Client, acme: PlatformWithKeys) -> None:
    other = platform_with_keys(name="Other")
    theirs = post(client, other, "/v1/accounts", {"email": "x@other.example"}).json()["id"]
    ours = post(client, acme, "/v1/accounts").json()["id"]
    for method, path in (
        ("get", f"/v1/accounts/{theirs}"),
        ("post", f"/v1/accounts/{theirs}"),
        ("delete", f"/v1/accounts/{theirs}"),
    ):
        response = getattr(client, method)(path, **acme.auth)
        assert response.status_code == 404
        assert error_of(response)["code"] == "resource_missing"
    assert [a["id"] for a in client.get("/v1/accounts", **acme.auth).json()["data"]] == [ours]
    session = post(
        client, acme, "/v1/account_sessions", {"account": theirs, "components[account_onboarding][enabled]": "true"}
    )
    assert session.status_code == 400
    assert error_of(session)["param"] == "account"
    cursor = client.get("/v1/accounts", {"starting_after": theirs}, **acme.auth)
    assert cursor.status_code == 400


def test_authentication_errors(client: Client, acme: PlatformWithKeys) -> None:
    missing = client.get("/v1/accounts")
    assert missing.status_code == 401
    assert "did not provide an API key" in error_of(missing)["message"]
    wrong = client.get("/v1/accounts", HTTP_AUTHORIZATION="Bearer sk_test_wrongwrongwrongwrong")
    assert wrong.status_code == 401
    assert "sk_test_wrongwrong" not in error_of(wrong)["message"]  # the key is masked
    publishable = client.get("/v1/accounts", HTTP_AUTHORIZATION=f"Bearer {acme.publishable_key}")
    assert publishable.status_code == 401
    assert "publishable" in error_of(publishable)["message"]
    import base64

    basic = base64.b64encode(f"{acme.secret_key}:".encode()).decode()
    assert client.get("/v1/accounts", HTTP_AUTHORIZATION=f"Basic {basic}").status_code == 200
    assert client.get("/v1/accounts", HTTP_AUTHORIZATION="Basic %%%").status_code == 401
    from connect_support.accounts.models import ApiKey
    from connect_support.accounts.services import api_key_revoke

    for key in ApiKey.objects.filter(platform=acme.platform, kind="secret"):
        api_key_revoke(key=key)
    assert client.get("/v1/accounts", **acme.auth).status_code == 401


def test_routing_errors_are_json(client: Client, acme: PlatformWithKeys) -> None:
    unknown = client.get("/v1/charges", **acme.auth)
    assert unknown.status_code == 404
    assert error_of(unknown)["code"] == "url_invalid"
    assert client.get("/v1/", **acme.auth).status_code == 404
    wrong_method = client.put("/v1/accounts", **acme.auth)
    assert wrong_method.status_code == 405
    assert wrong_method["Allow"] == "GET, POST"
    assert error_of(wrong_method)["type"] == "invalid_request_error"


def test_oversized_and_malformed_bodies(client: Client, acme: PlatformWithKeys) -> None:
    big = client.post(
        "/v1/accounts",
        "metadata[a]=" + "x" * (1024 * 1024 + 10),
        content_type="application/x-www-form-urlencoded",
        **acme.auth,
    )
    assert big.status_code == 413
    assert error_of(big)["code"] == "request_too_large"
    broken = client.post("/v1/accounts", "{oops", content_type="application/json", **acme.auth)
    assert broken.status_code == 400
    xml = client.post("/v1/accounts", "<a/>", content_type="application/xml", **acme.auth)
    assert xml.status_code == 415
    wrong_type = client.post(
        "/v1/accounts", json.dumps({"metadata": ["x"]}), content_type="application/json", **acme.auth
    )
    assert wrong_type.status_code == 400
    assert error_of(wrong_type)["param"] == "metadata"
    nul = post(client, acme, "/v1/accounts", {"email": "a\x00@b.example"})
    assert nul.status_code == 400
    assert ConnectedAccount.objects.count() == 0


def test_idempotent_replay(client: Client, acme: PlatformWithKeys) -> None:
    first = post(client, acme, "/v1/accounts", {"email": "once@shop.example"}, HTTP_IDEMPOTENCY_KEY="k-1")
    again = post(client, acme, "/v1/accounts", {"email": "once@shop.example"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert ConnectedAccount.objects.count() == 1
    different = post(client, acme, "/v1/accounts", {"email": "other@shop.example"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert different.status_code == 400
    assert error_of(different)["type"] == "idempotency_error"
    # Keys belong to one API key: another platform may use the same value.
    other = platform_with_keys(name="Other")
    assert (
        post(client, other, "/v1/accounts", {"email": "once@shop.example"}, HTTP_IDEMPOTENCY_KEY="k-1").status_code
        == 200
    )
    # Errors are replayed too, so a retried bad request does not suddenly succeed.
    bad = post(client, acme, "/v1/accounts", {"bogus": "1"}, HTTP_IDEMPOTENCY_KEY="k-2")
    bad_again = post(client, acme, "/v1/accounts", {"bogus": "1"}, HTTP_IDEMPOTENCY_KEY="k-2")
    assert bad.status_code == bad_again.status_code == 400
    assert post(client, acme, "/v1/accounts", {}, HTTP_IDEMPOTENCY_KEY="x" * 300).status_code == 400


def test_idempotent_account_session_replays_the_same_secret(client: Client, acme: PlatformWithKeys) -> None:
    account_id = post(client, acme, "/v1/accounts").json()["id"]
    data = {"account": account_id, "components[notification_banner][enabled]": "true"}
    first = post(client, acme, "/v1/account_sessions", data, HTTP_IDEMPOTENCY_KEY="s-1").json()
    second = post(client, acme, "/v1/account_sessions", data, HTTP_IDEMPOTENCY_KEY="s-1").json()
    assert first["client_secret"] == second["client_secret"]
    from connect_support.api.models import IdempotentRequest

    stored = b"".join(bytes(r.response) for r in IdempotentRequest.objects.all())
    assert first["client_secret"].encode() not in stored

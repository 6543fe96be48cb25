"""The support site's sign-in pages, driven through Django's test client."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from connect_support.identity import policy
from connect_support.identity.models import SignInSession
from tests.factories import make_account, platform_with_keys
from tests.identity.fixtures import last_code

pytestmark = pytest.mark.django_db
PHONE = "+14155550199"


@pytest.fixture
def account() -> Any:
    return make_account(platform_with_keys().platform, email="owner@business.example")


def request_code(client: Client, identifier: str, next_url: str = "") -> Any:
    data = {"identifier": identifier}
    if next_url:
        data["next"] = next_url
    return client.post("/embedded-connect/auth/", data)


def sign_in(client: Client, identifier: str = "owner@business.example") -> Any:
    assert request_code(client, identifier).status_code == 302
    return client.post("/embedded-connect/auth/code", {"code": last_code(PHONE)})


def me(client: Client) -> dict[str, Any]:
    response = client.get("/embedded-connect/auth/me")
    assert response["Cache-Control"] == "no-store, private"
    body: dict[str, Any] = response.json()
    return body


def test_the_start_page_asks_for_an_email_or_phone(client: Client) -> None:
    response = client.get("/embedded-connect/auth/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sign in to get help" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'autocomplete="username"' in html


def test_signing_in_with_a_texted_code(client: Client, account: Any) -> None:
    assert me(client) == {"signed_in": False, "account": None, "masked_phone": None}
    response = request_code(client, "owner@business.example", next_url="/embedded-connect/payouts/")
    assert response["Location"] == "/embedded-connect/auth/code"
    page = client.get("/embedded-connect/auth/code").content.decode()
    assert "•••• 0199" in page
    assert 'autocomplete="one-time-code"' in page
    response = client.post("/embedded-connect/auth/code", {"code": last_code(PHONE)})
    assert response.status_code == 302
    assert response["Location"] == "/embedded-connect/payouts/"
    state = me(client)
    assert state["signed_in"] is True
    assert state["account"]["id"] == account.pk
    assert state["account"]["eligible"] is True
    assert state["masked_phone"] == "•••• 0199"
    assert state["first_name"] == "Robin"
    assert state["method"] == "sms"
    assert "You're signed in, Robin" in client.get("/embedded-connect/auth/").content.decode()


def test_the_answer_is_the_same_for_unknown_emails_and_phones(client: Client, account: Any) -> None:
    pages = {}
    for identifier in ("owner@business.example", "stranger@business.example", "+14155550199", "+14155550142"):
        visitor = Client()
        response = request_code(visitor, identifier)
        assert response.status_code == 302
        assert response["Location"] == "/embedded-connect/auth/code"
        page = visitor.get("/embedded-connect/auth/code").content.decode()
        page = re.sub(r'value="[^"]+"', "", page)  # CSRF tokens differ per visitor
        pages[identifier] = re.sub(r"•••• \d{4}", "•••• NNNN", page)
        wrong = visitor.post("/embedded-connect/auth/code", {"code": "000000"})
        assert wrong.status_code == 400
        assert "That code isn&#x27;t right" in wrong.content.decode()
    assert len(set(pages.values())) == 1


@pytest.mark.parametrize(
    ("identifier", "says"),
    [
        ("", "Enter the email address or mobile number"),
        ("+1 555", "Enter a valid mobile number"),
        ("not-an-email@", "Enter a valid email address"),
        ("x" * 10_240, "too long"),
        ("𝟒𝟏𝟓 ☎ ٥٥٥", "Enter a valid mobile number"),
    ],
)
def test_bad_input_gets_a_clear_message(client: Client, identifier: str, says: str) -> None:
    response = request_code(client, identifier)
    assert response.status_code == 400
    assert says in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()


def test_bad_codes_get_a_clear_message(client: Client, account: Any) -> None:
    request_code(client, "owner@business.example")
    for typed, says in (("12a456", "no letters or symbols"), ("123", "all 6 digits"), ("1" * 10_240, "6-digit code")):
        response = client.post("/embedded-connect/auth/code", {"code": typed})
        assert response.status_code == 400
        assert says in response.content.decode()
    assert client.post("/embedded-connect/auth/code", {"code": " ".join(last_code(PHONE))}).status_code == 302


def test_a_reused_code_after_sign_in_is_harmless(client: Client, account: Any) -> None:
    request_code(client, "owner@business.example")
    code = last_code(PHONE)
    assert client.post("/embedded-connect/auth/code", {"code": code}).status_code == 302
    again = client.post("/embedded-connect/auth/code", {"code": code})
    assert again.status_code == 302  # a double submit lands where the first did
    other = Client()
    request_code(other, "owner@business.example")
    assert other.post("/embedded-connect/auth/code", {"code": code}).status_code == 400
    assert me(other)["signed_in"] is False


def test_bursts_are_limited_without_a_server_error(client: Client) -> None:
    statuses = [request_code(client, f"burst{i}@nowhere.example").status_code for i in range(25)]
    assert statuses[: policy.CODE_REQUESTS_PER_IP.count] == [302] * policy.CODE_REQUESTS_PER_IP.count
    assert set(statuses[policy.CODE_REQUESTS_PER_IP.count :]) == {429}
    response = request_code(client, "another@nowhere.example")
    assert "Too many code requests" in response.content.decode()
    assert int(response["Retry-After"]) > 0


def test_resend_has_a_cool_down(client: Client, account: Any) -> None:
    request_code(client, "owner@business.example")
    response = client.post("/embedded-connect/auth/resend")
    assert response.status_code == 429
    assert "You can ask for a new code in" in response.content.decode()


def test_forms_without_csrf_are_refused_politely(account: Any) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = request_code(strict, "owner@business.example")
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()


def test_the_session_key_rotates_and_the_cookie_is_locked_down(client: Client, account: Any) -> None:
    client.get("/embedded-connect/auth/")
    request_code(client, "owner@business.example")
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post("/embedded-connect/auth/code", {"code": last_code(PHONE)})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value != before
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == policy.SESSION_ABSOLUTE_SECONDS


def test_secure_cookies_under_https(client: Client, account: Any, settings: Any) -> None:
    settings.SESSION_COOKIE_SECURE = True
    request_code(client, "owner@business.example")
    client.post("/embedded-connect/auth/code", {"code": last_code(PHONE)}, secure=True)
    assert client.cookies[settings.SESSION_COOKIE_NAME]["secure"]


def test_idle_sessions_end(client: Client, account: Any) -> None:
    sign_in(client)
    session = SignInSession.objects.get(kind="support", account=account)
    SignInSession.objects.filter(pk=session.pk).update(last_seen_at=timezone.now() - timedelta(minutes=29))
    assert me(client)["signed_in"] is True  # activity keeps it alive
    SignInSession.objects.filter(pk=session.pk).update(last_seen_at=timezone.now() - timedelta(minutes=31))
    assert me(client)["signed_in"] is False
    session.refresh_from_db()
    assert session.revoked_reason == "idle"


def test_sessions_end_after_twelve_hours_whatever_happens(client: Client, account: Any) -> None:
    sign_in(client)
    SignInSession.objects.filter(kind="support", account=account).update(expires_at=timezone.now())
    assert me(client)["signed_in"] is False


def test_sign_out_here_and_everywhere(account: Any) -> None:
    laptop, phone, tablet = Client(), Client(), Client()
    for device in (laptop, phone, tablet):
        sign_in(device)
    response = laptop.post("/embedded-connect/auth/sign-out")
    assert "signed out on this device" in response.content.decode()
    assert me(laptop)["signed_in"] is False
    assert me(phone)["signed_in"] is True
    response = phone.post("/embedded-connect/auth/sign-out", {"everywhere": "1"})
    assert "every device (2 sessions)" in response.content.decode()
    assert me(tablet)["signed_in"] is False


def test_a_phone_on_several_businesses_chooses_one(client: Client, account: Any) -> None:
    second = make_account(account.platform, email="second@business.example", business_profile={"name": "Second Shop"})
    sign_in(client, "+14155550199")
    page = client.get("/embedded-connect/auth/choose").content.decode()
    assert "Second Shop" in page
    # Only the listed businesses can be chosen.
    stranger = make_account(platform_with_keys().platform, individual={"first_name": "S", "phone": "+14155550166"})
    assert client.post("/embedded-connect/auth/choose", {"account": stranger.pk}).status_code == 400
    response = client.post("/embedded-connect/auth/choose", {"account": second.pk})
    assert response.status_code == 302
    assert me(client)["account"]["id"] == second.pk


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/console/", "/embedded-connect\\@x"])
def test_next_never_leaves_the_support_site(client: Client, account: Any, target: str) -> None:
    request_code(client, "owner@business.example", next_url=target)
    response = client.post("/embedded-connect/auth/code", {"code": last_code(PHONE)})
    assert response["Location"] == "/embedded-connect/"


def test_a_deleted_account_is_signed_out(client: Client, account: Any) -> None:
    sign_in(client)
    account.deleted_at = timezone.now()
    account.save(update_fields=["deleted_at"])
    assert me(client)["signed_in"] is False


def test_a_failed_text_is_explained_and_retried(
    client: Client, account: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from huey.contrib.djhuey import HUEY

    from connect_support.identity.models import OtpChallenge
    from tests.identity.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

    fake = FakeTwilio(statuses=[503]).start()
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_FROM_NUMBER = "+15005550006"
    settings.TWILIO_API_BASE = fake.url
    was, HUEY.immediate = HUEY.immediate, True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = request_code(client, "owner@business.example")
        assert response.status_code == 302
        page = client.get("/embedded-connect/auth/code")
        assert page.status_code == 200
        assert "We couldn&#x27;t send the text message just now" in page.content.decode()
    finally:
        HUEY.immediate = was
        fake.stop()
    assert len(fake.requests) == 2  # the failed send, then the job's successful retry
    assert OtpChallenge.objects.get().delivery == OtpChallenge.Delivery.SENT
    retried_code = fake.requests[1]["form"]["Body"][:6]
    assert client.post("/embedded-connect/auth/code", {"code": retried_code}).status_code == 302


def test_the_panel_state_is_cheap_to_read(client: Client, account: Any, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        assert me(client)["signed_in"] is False  # no cookie: no work at all
    sign_in(client)
    # The Django session, the sign-in session with its account, platform and person, and
    # the account's persons for its display name.
    with django_assert_num_queries(3):
        assert me(client)["signed_in"] is True

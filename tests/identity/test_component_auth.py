"""The components' authentication: claiming a session, the popup, step-up and the hand-off."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from connect_support.embedded.claims import (
    ClaimError,
    StepUpRequiredError,
    account_session_claim,
    account_session_from_page_token,
    account_session_require_step_up,
)
from connect_support.embedded.models import AccountSession
from connect_support.embedded.sessions import account_session_create
from connect_support.identity.handoff import handoff_issue
from connect_support.identity.models import HandoffToken
from tests.factories import make_account, platform_with_keys
from tests.identity.fixtures import last_code

pytestmark = pytest.mark.django_db
PHONE = "+14155550199"
OPENER = "https://app.platform.example"


@pytest.fixture
def account() -> Any:
    platform = platform_with_keys(allowed_origins=[OPENER, "http://127.0.0.1:8123/"]).platform
    return make_account(platform)


def new_session(account: Any) -> tuple[AccountSession, str]:
    created = account_session_create(
        account=account, components={"account_management": {"enabled": True}}, known_components=("account_management",)
    )
    return created.session, created.client_secret


def page_token(account: Any) -> tuple[AccountSession, str]:
    session, secret = new_session(account)
    return session, account_session_claim(client_secret=secret).page_token


def authenticate_in_popup(client: Client, token: str, origin: str = OPENER) -> Any:
    response = client.get("/embedded/auth/", {"token": token, "origin": origin})
    assert response.status_code == 302
    assert client.post("/embedded/auth/send").status_code == 302
    return client.post("/embedded/auth/code", {"code": last_code(PHONE)})


def test_a_client_secret_is_claimed_once(account: Any) -> None:
    session, secret = new_session(account)
    claim = account_session_claim(client_secret=secret)
    assert account_session_from_page_token(token=claim.page_token) == session
    with pytest.raises(ClaimError) as again:
        account_session_claim(client_secret=secret)
    assert again.value.code == "claimed"
    with pytest.raises(ClaimError) as unknown:
        account_session_claim(client_secret=secret + "x")
    assert unknown.value.code == "unknown"


def test_expired_sessions_cannot_be_claimed_or_used(account: Any) -> None:
    session, secret = new_session(account)
    AccountSession.objects.filter(pk=session.pk).update(expires_at=0)
    with pytest.raises(ClaimError) as expired:
        account_session_claim(client_secret=secret)
    assert expired.value.code == "expired"
    session, token = page_token(account)
    AccountSession.objects.filter(pk=session.pk).update(expires_at=0)
    assert account_session_from_page_token(token=token) is None


def test_forged_page_tokens_are_refused(account: Any) -> None:
    _session, token = page_token(account)
    assert account_session_from_page_token(token=token[:-2] + ("AA" if not token.endswith("AA") else "BB")) is None
    assert account_session_from_page_token(token="") is None
    assert account_session_from_page_token(token="x" * 10_000) is None


def test_the_popup_authenticates_the_session(client: Client, account: Any) -> None:
    session, token = page_token(account)
    response = client.get("/embedded/auth/", {"token": token, "origin": OPENER})
    assert response["Location"] == "/embedded/auth/"  # the token leaves the address bar
    page = client.get("/embedded/auth/")
    assert page["Cross-Origin-Opener-Policy"] == "unsafe-none"
    assert "•••• 0199" in page.content.decode()
    client.post("/embedded/auth/send")
    wrong = client.post("/embedded/auth/code", {"code": "00000a"})
    assert wrong.status_code == 400
    response = client.post("/embedded/auth/code", {"code": last_code(PHONE)})
    assert response["Location"] == "/embedded/auth/done"
    done = client.get("/embedded/auth/done")
    html = done.content.decode()
    assert done["Cross-Origin-Opener-Policy"] == "unsafe-none"
    assert f'"origin": "{OPENER}"' in html
    assert '"type": "connect-support:authenticated"' in html
    session.refresh_from_db()
    assert session.authenticated_at is not None
    assert session.authenticated_person == account.representative


def test_the_popup_reports_only_to_a_registered_origin(client: Client, account: Any) -> None:
    _session, token = page_token(account)
    for origin in ("https://evil.example", "https://app.platform.example.evil.example", "null", "", "*"):
        response = client.get("/embedded/auth/", {"token": token, "origin": origin})
        assert response.status_code == 403
        assert "not registered" in response.content.decode()
    # The registered origin is matched exactly, after normalizing case and default ports.
    assert (
        client.get("/embedded/auth/", {"token": token, "origin": "HTTPS://App.Platform.Example:443"}).status_code == 302
    )
    assert client.get("/embedded/auth/", {"token": token, "origin": "http://127.0.0.1:8123"}).status_code == 302


def test_the_popup_without_a_valid_token_explains(client: Client, account: Any) -> None:
    assert "This window has expired" in client.get("/embedded/auth/").content.decode()
    response = client.get("/embedded/auth/", {"token": "forged", "origin": OPENER})
    assert response.status_code == 400
    assert "This window has expired" in response.content.decode()


def test_the_popup_code_belongs_to_its_own_account(client: Client, account: Any) -> None:
    other = make_account(account.platform, individual={"first_name": "O", "phone": "+14155550188"})
    _s, token = page_token(account)
    _o, other_token = page_token(other)
    client.get("/embedded/auth/", {"token": token, "origin": OPENER})
    client.post("/embedded/auth/send")
    stranger = Client()
    stranger.get("/embedded/auth/", {"token": other_token, "origin": OPENER})
    stranger.post("/embedded/auth/send")
    other_code = last_code("+14155550188")
    if other_code != last_code(PHONE):
        assert client.post("/embedded/auth/code", {"code": other_code}).status_code == 400


def test_step_up_needs_a_recent_authentication(client: Client, account: Any) -> None:
    session, token = page_token(account)
    with pytest.raises(StepUpRequiredError):
        account_session_require_step_up(session=session)
    authenticate_in_popup(client, token)
    session.refresh_from_db()
    account_session_require_step_up(session=session)
    AccountSession.objects.filter(pk=session.pk).update(authenticated_at=timezone.now() - timedelta(minutes=11))
    session.refresh_from_db()
    with pytest.raises(StepUpRequiredError):
        account_session_require_step_up(session=session)


def handoff_url(
    client: Client, token: str, origin: str | None = OPENER, next_url: str = "/embedded-connect/payouts/"
) -> Any:
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    return client.post("/embedded/auth/handoff", {"token": token, "next": next_url}, **headers)


def test_the_hand_off_opens_the_support_site_signed_in(account: Any) -> None:
    popup, support_site = Client(), Client()
    _session, token = page_token(account)
    refused = handoff_url(popup, token)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "authentication_required"
    authenticate_in_popup(popup, token)
    response = handoff_url(popup, token)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == OPENER
    link = urlsplit(response.json()["url"])
    assert link.path == "/embedded-connect/auth/handoff"
    landing = support_site.get(link.path, parse_qs(link.query))
    assert landing["Location"] == "/embedded-connect/payouts/"
    state = support_site.get("/embedded-connect/auth/me").json()
    assert state["signed_in"] is True
    assert state["account"]["id"] == account.pk
    assert state["method"] == "handoff"
    # Replayed: the second browser opens signed out, with an offer to sign in.
    replay = Client().get(link.path, parse_qs(link.query))
    assert replay["Location"].startswith("/embedded-connect/auth/?reason=handoff")
    offer = Client().get(replay["Location"]).content.decode()
    assert "That link has expired or was already used" in offer


def test_the_hand_off_endpoint_refuses_other_origins_and_bad_tokens(client: Client, account: Any) -> None:
    _session, token = page_token(account)
    authenticate_in_popup(client, token)
    evil = handoff_url(client, token, origin="https://evil.example")
    assert evil.status_code == 403
    assert "Access-Control-Allow-Origin" not in evil
    assert handoff_url(client, token + "x").status_code == 401
    assert handoff_url(client, token, origin=None).status_code == 200  # same-origin callers send no Origin


@pytest.mark.parametrize("problem", ["expired", "tampered", "forged", "empty"])
def test_bad_hand_off_tokens_open_the_site_signed_out(client: Client, account: Any, problem: str) -> None:
    raw = handoff_issue(account=account, person=account.representative, authenticated_at=timezone.now())
    if problem == "expired":
        HandoffToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    token = {"expired": raw, "tampered": raw[:-1] + ("A" if raw[-1] != "A" else "B"), "forged": "hot_" + "x" * 43}.get(
        problem, ""
    )
    response = client.get("/embedded-connect/auth/handoff", {"token": token, "next": "/embedded-connect/disputes/"})
    assert response.status_code == 302
    assert response["Location"] == "/embedded-connect/auth/?reason=handoff&next=%2Fembedded-connect%2Fdisputes%2F"
    assert client.get("/embedded-connect/auth/me").json()["signed_in"] is False


def test_a_hand_off_token_is_bound_to_its_account(client: Client, account: Any) -> None:
    other = make_account(account.platform, individual={"first_name": "O", "phone": "+14155550188"})
    raw = handoff_issue(account=account, person=other.representative, authenticated_at=timezone.now())
    response = client.get("/embedded-connect/auth/handoff", {"token": raw})
    assert "reason=handoff" in response["Location"]
    assert client.get("/embedded-connect/auth/me").json()["signed_in"] is False

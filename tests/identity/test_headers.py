"""Security headers on every page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client

from connect_support.accounts.platform_settings import origin_normalize
from connect_support.identity.headers import allow_framing_by

pytestmark = pytest.mark.django_db
PAGES = ["/", "/embedded-connect/auth/", "/console/login/", "/embedded/auth/", "/no-such-page"]


def directives(response: Any) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else "" for part in policy.split("; ")}


@pytest.mark.parametrize("path", PAGES)
def test_every_page_carries_the_headers(client: Client, path: str) -> None:
    response = client.get(path)
    csp = directives(response)
    assert csp["default-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'none'"
    assert csp["form-action"] == "'self'"
    assert "'unsafe-inline'" not in csp["script-src"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_script_tags_carry_the_nonce_of_the_header(client: Client, settings: Any) -> None:
    from connect_support.embedded.claims import account_session_claim
    from connect_support.embedded.sessions import account_session_create
    from tests.factories import make_account, platform_with_keys

    account = make_account(platform_with_keys(allowed_origins=["https://app.example"]).platform)
    created = account_session_create(account=account, components={}, known_components=())
    token = account_session_claim(client_secret=created.client_secret).page_token
    client.get("/embedded/auth/", {"token": token, "origin": "https://app.example"})
    response = client.get("/embedded/auth/")
    nonce = re.search(r"'nonce-([^']+)'", directives(response)["script-src"])
    assert nonce
    assert f'nonce="{nonce.group(1)}"' in response.content.decode()
    assert client.get("/embedded/auth/")["Content-Security-Policy"] != response["Content-Security-Policy"]


def test_hsts_under_https(client: Client, settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000
    assert client.get("/console/login/", secure=True)["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/console/login/")


def test_component_frames_can_be_framed_by_the_platform_only() -> None:
    response = allow_framing_by(HttpResponse(), ["https://app.example/", "javascript:alert(1)", "*"])
    assert response._csp_replace == {"frame-ancestors": ["https://app.example"]}  # type: ignore[attr-defined]
    assert response.xframe_options_exempt  # type: ignore[attr-defined]
    closed = allow_framing_by(HttpResponse(), [])
    assert closed._csp_replace == {"frame-ancestors": ["'none'"]}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://App.Example", "https://app.example"),
        ("https://app.example:443/", "https://app.example"),
        ("http://127.0.0.1:8123", "http://127.0.0.1:8123"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("https://app.example/path", None),
        ("https://user:pw@app.example", None),
        ("https://*.example", None),
        ("javascript:alert(1)", None),
        ("null", None),
        ("https://app.example:99999", None),
        ("", None),
    ],
)
def test_origins_are_compared_exactly(value: str, expected: str | None) -> None:
    assert origin_normalize(value) == expected

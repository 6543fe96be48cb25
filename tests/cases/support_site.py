"""Helpers for driving the support site's case pages with Django's test client."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from connect_support.accounts.models import ConnectedAccount
from tests.factories import make_account, platform_with_keys
from tests.identity.fixtures import last_code


def account_with(*, email: str, phone: str, first_name: str = "Robin") -> ConnectedAccount:
    return make_account(
        platform_with_keys().platform,
        email=email,
        individual={"first_name": first_name, "last_name": "Owner", "phone": phone, "email": email},
    )


def sign_in(client: Client, *, email: str, phone: str) -> None:
    """Sign the client in on the support site the way a person does: email → texted code."""
    assert client.post("/embedded-connect/auth/", {"identifier": email}).status_code == 302
    response = client.post("/embedded-connect/auth/code", {"code": last_code(phone)})
    assert response.status_code == 302, response.content[:500]


def form_fields(client: Client, path: str = "/embedded-connect/cases/new/", **headers: Any) -> dict[str, str]:
    """The hidden fields the form page hands out (form token, context)."""
    html = client.get(path, **headers).content.decode()
    fields: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]+>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="hidden"' in tag and name.group(1) != "csrfmiddlewaretoken":
            fields[name.group(1)] = value.group(1).replace("&quot;", '"') if value else ""
    return fields


def case_form(client: Client, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        **form_fields(client),
        "name": "Robin Owner",
        "email": "robin@shop.example",
        "topic": "payouts",
        "subject": "Payout missing",
        "description": "My payout of 1 June did not arrive.",
    }
    data.update(overrides)
    return data

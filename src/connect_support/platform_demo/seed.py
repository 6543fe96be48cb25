"""``seed-demo``: the operator's demo world, created once and found again on later runs."""

from __future__ import annotations

import base64
from typing import Any

from django.conf import settings
from django.db import transaction

from connect_support.accounts.eligibility import support_eligibility
from connect_support.accounts.models import ApiKey, ConnectedAccount, Platform
from connect_support.accounts.onboarding import account_details_submit
from connect_support.accounts.services import account_create, api_key_create, key_digest, platform_create
from connect_support.helpcenter.loader import load_content
from connect_support.identity.agents import agent_ensure
from connect_support.platform_demo.keys import (
    DEMO_PLATFORMS,
    DemoPlatform,
    demo_publishable_key,
    demo_secret_key,
    derived_secret,
)

DEMO_AGENT_EMAIL = "agent@connect-support.test"
_CONTROLLERS = {
    True: {  # supported: no dashboard, operator liable
        "stripe_dashboard": {"type": "none"},
        "losses": {"payments": "stripe"},
        "fees": {"payer": "application"},
        "requirement_collection": "stripe",
    },
    False: {  # platform liable: the platform supports its accounts
        "stripe_dashboard": {"type": "none"},
        "losses": {"payments": "application"},
        "fees": {"payer": "application"},
        "requirement_collection": "application",
    },
}
_CAPABILITIES = {"card_payments": {"requested": True}, "transfers": {"requested": True}}


def _complete_individual(first: str, last: str, email: str, phone: str, line1: str) -> dict[str, Any]:
    return {
        "first_name": first,
        "last_name": last,
        "email": email,
        "phone": phone,
        "dob": {"day": 14, "month": 3, "year": 1986},
        "address": {"line1": line1, "city": "San Francisco", "state": "CA", "postal_code": "94110", "country": "US"},
        "ssn_last_4": "0000",
        "id_number": "000000000",
    }


def _demo_accounts(platform: DemoPlatform) -> list[dict[str, Any]]:
    """Three accounts per platform: active, restricted (a failed address check), new."""
    domain = f"{platform.slug}.example"
    phones = (
        ("+14155550101", "+14155550102", "+14155550103")
        if platform.supported
        else ("+14155550111", "+14155550112", "+14155550113")
    )
    tos = {"date": 1767225600, "ip": "203.0.113.10"}
    bank = {
        "object": "bank_account",
        "country": "US",
        "currency": "usd",
        "account_number": "000123456789",
        "routing_number": "110000000",
        "account_holder_name": "Owner",
    }
    names = (
        ("Blue Fern Studio", "Ana", "Silva", "Olive & Thread", "Kofi", "Mensah")
        if platform.supported
        else ("Harbor Bikes", "Sam", "Okafor", "Quill Paper Co", "Lena", "Park")
    )
    third = ("Copperleaf Ceramics", "Mei", "Tanaka") if platform.supported else ("Northwind Tea", "Omar", "Haddad")
    return [
        {
            "demo": f"{platform.slug}-active",
            "email": f"{names[1].lower()}@{domain}",
            "business_type": "individual",
            "business_profile": {
                "name": names[0],
                "mcc": "5734",
                "url": f"https://{names[0].split()[0].lower()}.{domain}",
            },
            "individual": _complete_individual(
                names[1], names[2], f"{names[1].lower()}@{domain}", phones[0], "510 Townsend St"
            ),
            "external_account": bank,
            "tos_acceptance": tos,
        },
        {
            "demo": f"{platform.slug}-restricted",
            "email": f"{names[4].lower()}@{domain}",
            "business_type": "individual",
            "business_profile": {"name": names[3], "mcc": "5399", "product_description": "Handmade goods"},
            "individual": _complete_individual(
                names[4], names[5], f"{names[4].lower()}@{domain}", phones[1], "address_no_match"
            ),
            "external_account": bank,
            "tos_acceptance": tos,
        },
        {
            "demo": f"{platform.slug}-new",
            "email": f"{third[1].lower()}@{domain}",
            "business_profile": {"name": third[0]},
            "individual": {
                "first_name": third[1],
                "last_name": third[2],
                "email": f"{third[1].lower()}@{domain}",
                "phone": phones[2],
            },
        },
    ]


def _ensure_platform(spec: DemoPlatform, base_url: str) -> tuple[Platform, str, str]:
    platform = Platform.objects.filter(name=spec.name).first()
    if platform is None:
        platform = platform_create(
            name=spec.name,
            business_name=spec.name,
            brand_color="#0f766e" if spec.supported else "#7c3aed",
            accent_color="#f59e0b" if spec.supported else "#06b6d4",
            support_url=f"https://help.{spec.slug}.example/",
            support_email=f"help@{spec.slug}.example",
            notification_banner_url=f"{base_url}/demo/?platform={spec.slug}",
            account_management_url=f"{base_url}/demo/?platform={spec.slug}",
            allowed_origins=[base_url],
        )
    secret, publishable = demo_secret_key(spec), demo_publishable_key(spec)
    for kind, raw in ((ApiKey.Kind.SECRET, secret), (ApiKey.Kind.PUBLISHABLE, publishable)):
        if not ApiKey.objects.filter(digest=key_digest(raw)).exists():
            api_key_create(platform=platform, kind=kind, raw_key=raw)
    return platform, secret, publishable


def _ensure_account(platform: Platform, spec: dict[str, Any], supported: bool) -> ConnectedAccount:
    demo_tag = spec["demo"]
    existing = ConnectedAccount.objects.filter(platform=platform, metadata__demo=demo_tag, deleted_at__isnull=True)
    found = existing.prefetch_related("persons").first()
    if found is not None:
        return found
    params = {key: value for key, value in spec.items() if key != "demo"}
    params.update(
        {
            "country": "US",
            "controller": _CONTROLLERS[supported],
            "capabilities": _CAPABILITIES,
            "metadata": {"demo": demo_tag},
        }
    )
    account = account_create(platform=platform, params=params)
    if "tos_acceptance" in spec:
        # These sellers went through onboarding to the end (the restricted one still has a
        # failed address check to fix from the notification banner).
        account = account_details_submit(account=account, tos_acceptance=spec["tos_acceptance"])
    return account


def totp_secret_for_demo() -> str:
    raw = derived_secret("demo-agent:totp", 32).encode()
    return base64.b32encode(raw)[:32].decode()


@transaction.atomic
def seed_demo(*, base_url: str) -> dict[str, Any]:
    base_url = base_url.rstrip("/")
    result: dict[str, Any] = {"platforms": []}
    for spec in DEMO_PLATFORMS:
        platform, secret, publishable = _ensure_platform(spec, base_url)
        accounts = []
        for account_spec in _demo_accounts(spec):
            account = _ensure_account(platform, account_spec, spec.supported)
            person = account.representative
            accounts.append(
                {
                    "id": account.id,
                    "eligible": support_eligibility(account).eligible,
                    "email": account.email,
                    "phone": person.phone if person else "",
                    "state": account_spec["demo"].split("-", 1)[1],
                    "business_name": account.business_name,
                }
            )
        result["platforms"].append(
            {
                "name": platform.name,
                "id": platform.id,
                "supported": spec.supported,
                "secret_key": secret,
                "publishable_key": publishable,
                "accounts": accounts,
            }
        )
    password = derived_secret("demo-agent:password", 20)
    totp_secret = totp_secret_for_demo()
    agent_ensure(
        email=DEMO_AGENT_EMAIL,
        password=password,
        name="Avery Agent",
        roles=("support agent", "risk agent", "content editor", "admin"),
        totp_secret=totp_secret,
    )
    result["agent"] = {"email": DEMO_AGENT_EMAIL, "password": password, "totp_secret": totp_secret}
    # The support site's topics and articles (idempotent: unchanged files change nothing).
    load_content()
    result["urls"] = {
        "home": f"{base_url}/",
        "support_site": f"{base_url}/embedded-connect/",
        "console": f"{base_url}/console/",
        "demo": f"{base_url}/demo/",
        "api": f"{base_url}/v1",
        "openapi": f"{base_url}/v1/openapi.json",
        "outbox": str(settings.OUTBOX_DIR),
    }
    return result

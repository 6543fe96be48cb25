from __future__ import annotations

from typing import Any

import pytest

from connect_support.accounts.models import ConnectedAccount
from connect_support.accounts.onboarding import account_details_submit
from tests.factories import make_account, platform_with_keys

ORIGIN = "https://app.platform.example"
ACTIVE: dict[str, Any] = {
    "email": "robin@shop.example",
    "business_type": "individual",
    "business_profile": {"mcc": "5734", "url": "https://shop.example", "name": "Robin's Shop"},
    "individual": {
        "first_name": "Robin",
        "last_name": "Owner",
        "email": "robin@shop.example",
        "phone": "+14155550199",
        "dob": {"day": 14, "month": 3, "year": 1986},
        "address": {"line1": "1 Market St", "city": "San Francisco", "state": "CA", "postal_code": "94105"},
        "ssn_last_4": "0000",
    },
    "external_account": {"object": "bank_account", "account_number": "000123456789", "routing_number": "110000000"},
    "tos_acceptance": {"date": 1767225600, "ip": "203.0.113.10"},
    "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}},
}


@pytest.fixture
def keys() -> Any:
    return platform_with_keys(
        allowed_origins=[ORIGIN],
        business_name="Acme Marketplace",
        logo_url="https://acme.example/logo.png",
        brand_color="#aa2200",
        notification_banner_url="https://app.platform.example/notifications?tab=risk",
    )


@pytest.fixture
def active_account(keys: Any) -> ConnectedAccount:
    account = account_details_submit(account=make_account(keys.platform, **ACTIVE), tos_acceptance={})
    assert account.charges_enabled
    assert account.payouts_enabled
    return account

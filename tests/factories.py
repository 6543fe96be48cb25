"""Factories for the domain objects, built through the services where rules apply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import factory

from connect_support.accounts.models import ApiKey, ConnectedAccount, Platform
from connect_support.accounts.services import account_create, api_key_create


class PlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Platform

    name = factory.Sequence(lambda n: f"Platform {n}")
    business_name = factory.LazyAttribute(lambda o: o.name)
    support_url = "https://help.platform.example/"
    support_email = "help@platform.example"
    allowed_origins = factory.LazyFunction(lambda: ["http://127.0.0.1"])


@dataclass
class PlatformWithKeys:
    platform: Platform
    secret_key: str
    publishable_key: str

    @property
    def auth(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.secret_key}"}


def platform_with_keys(**kwargs: Any) -> PlatformWithKeys:
    platform = PlatformFactory(**kwargs)
    _, secret = api_key_create(platform=platform, kind=ApiKey.Kind.SECRET)
    _, publishable = api_key_create(platform=platform, kind=ApiKey.Kind.PUBLISHABLE)
    return PlatformWithKeys(platform, secret, publishable)


SUPPORTED_CONTROLLER = {
    "stripe_dashboard": {"type": "none"},
    "losses": {"payments": "stripe"},
    "fees": {"payer": "application"},
    "requirement_collection": "stripe",
}
PLATFORM_LIABLE_CONTROLLER = {
    "stripe_dashboard": {"type": "none"},
    "losses": {"payments": "application"},
    "fees": {"payer": "application"},
    "requirement_collection": "application",
}


def make_account(platform: Platform, *, supported: bool = True, **params: Any) -> ConnectedAccount:
    defaults: dict[str, Any] = {
        "email": "owner@business.example",
        "country": "US",
        "controller": SUPPORTED_CONTROLLER if supported else PLATFORM_LIABLE_CONTROLLER,
        "individual": {"first_name": "Robin", "last_name": "Owner", "phone": "+14155550199"},
    }
    defaults.update(params)
    return account_create(platform=platform, params=defaults)


def complete_individual_params() -> dict[str, Any]:
    """Everything an individual's account needs for card payments and payouts to be active."""
    return {
        "business_type": "individual",
        "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}},
        "business_profile": {"mcc": "5734", "url": "https://shop.example"},
        "individual": {
            "first_name": "Robin",
            "last_name": "Owner",
            "email": "robin@shop.example",
            "phone": "+14155550199",
            "dob": {"day": 1, "month": 2, "year": 1990},
            "address": {"line1": "1 Main St", "city": "Springfield", "postal_code": "94110"},
            "ssn_last_4": "0000",
        },
        "external_account": {"account_number": "000123456789", "routing_number": "110000000"},
        "tos_acceptance": {"date": 1767225600, "ip": "203.0.113.9"},
    }

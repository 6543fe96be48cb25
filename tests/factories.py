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

"""The demo platforms and their keys.

Demo keys are derived from ``SECRET_KEY`` so that ``seed-demo`` can be run again and print
the same keys, while the database keeps only their digests like any other key.
"""

from __future__ import annotations

import hashlib
import hmac
import string
from dataclasses import dataclass

from django.conf import settings

_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class DemoPlatform:
    slug: str
    name: str
    supported: bool  # whether the operator supports this platform's accounts


DEMO_PLATFORMS = (
    DemoPlatform("juniper", "Juniper Market", supported=True),
    DemoPlatform("ledgerly", "Ledgerly", supported=False),
)


def derived_secret(purpose: str, length: int = 48) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), purpose.encode(), hashlib.sha512).digest()
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(length):
        number, index = divmod(number, len(_ALPHABET))
        chars.append(_ALPHABET[index])
    return "".join(chars)


def demo_secret_key(platform: DemoPlatform) -> str:
    return "sk_test_" + derived_secret(f"demo-platform:{platform.slug}:secret")


def demo_publishable_key(platform: DemoPlatform) -> str:
    return "pk_test_" + derived_secret(f"demo-platform:{platform.slug}:publishable")


def demo_platform(slug: str) -> DemoPlatform:
    for platform in DEMO_PLATFORMS:
        if platform.slug == slug:
            return platform
    return DEMO_PLATFORMS[0]

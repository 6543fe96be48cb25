"""Fixtures and helpers shared by the identity, console and sign-in browser tests."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pyotp
import pytest
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.models import User

from connect_support.identity.agents import agent_ensure

AGENT_PASSWORD = "correct horse battery staple"


class LightArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with small costs: the same code path as production, a hundredth of the time."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1


@pytest.fixture(autouse=True)
def fresh_rate_limits(settings: Any) -> None:
    """Each test counts from zero in the shared cache (Redis in scale-out) without flushing
    what other tests or processes keep there; passwords hash quickly."""
    settings.RATE_LIMIT_CACHE_PREFIX = f"rl-test-{uuid.uuid4().hex[:12]}"
    settings.PASSWORD_HASHERS = ["tests.identity.fixtures.LightArgon2PasswordHasher"]


def sms_lines() -> list[dict[str, Any]]:
    path = Path(settings.OUTBOX_DIR) / "sms.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def last_code(phone: str) -> str:
    """The code in the newest text to ``phone``, read from the dev outbox file."""
    for line in reversed(sms_lines()):
        if line["to"] == phone:
            match = re.search(r"\b(\d{6})\b", line["body"])
            assert match, line
            return match.group(1)
    raise AssertionError(f"no text to {phone} in the outbox")


def texts_to(phone: str) -> int:
    return sum(1 for line in sms_lines() if line["to"] == phone)


def make_agent(
    email: str = "avery@operator.test", roles: tuple[str, ...] = ("support agent",), totp: bool = True
) -> tuple[User, str]:
    """An agent with a password and (unless ``totp`` is false) a confirmed TOTP secret."""
    secret = pyotp.random_base32()
    user = agent_ensure(email=email, password=AGENT_PASSWORD, name="Avery Agent", roles=roles, totp_secret=secret)
    if not totp:
        user.totp_device.delete()
    return user, secret

"""Prefixed, unguessable identifiers (``acct_…``, ``case_…``): 128 bits of randomness."""

from __future__ import annotations

import secrets
import string

_ALPHABET = string.ascii_letters + string.digits
_LENGTH = 24  # 62**24 ≈ 2**143


def new_id(prefix: str) -> str:
    return f"{prefix}_{''.join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))}"


def new_secret(prefix: str, length: int = 32) -> str:
    return f"{prefix}{''.join(secrets.choice(_ALPHABET) for _ in range(length))}"

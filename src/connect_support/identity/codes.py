"""One-time code values: generating, keyed digests, reading what people type, masking.

Codes come from ``secrets``; only an HMAC keyed by a key derived from ``SECRET_KEY`` and
bound to the challenge id is stored, so a database dump neither reveals a code nor lets a
code of one challenge answer another. Comparisons are constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
import unicodedata

from django.conf import settings

from connect_support.identity.policy import CODE_DIGITS

_SEPARATORS = {" ", "-", "\u00a0", "\u2009", "\u202f", "\t"}
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud and typed safely


class CodeFormatError(ValueError):
    """What was typed cannot be a code; the message says what is expected."""


def _key(purpose: str) -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), f"connect-support:{purpose}".encode(), hashlib.sha256).digest()


def keyed_digest(*, purpose: str, value: str) -> str:
    return hmac.new(_key(purpose), value.encode(), hashlib.sha256).hexdigest()


def digests_match(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def new_numeric_code() -> str:
    return "".join(secrets.choice(string.digits) for _ in range(CODE_DIGITS))


def code_digest(*, challenge_id: str, code: str) -> str:
    return keyed_digest(purpose="otp", value=f"{challenge_id}:{code}")


def normalize_code(raw: str, *, digits: int = CODE_DIGITS) -> str:
    """The code as ASCII digits. Spaces and dashes are dropped; any script's decimal digits
    (full-width, Arabic-Indic, …) read as the same digits; anything else is refused."""
    if len(raw) > 64:
        raise CodeFormatError(f"Enter the {digits}-digit code from the text message.")
    result = []
    for char in raw.strip():
        if char in _SEPARATORS:
            continue
        if unicodedata.category(char) != "Nd":
            raise CodeFormatError(f"The code is {digits} digits (0–9), with no letters or symbols.")
        result.append(str(unicodedata.decimal(char)))
    if len(result) != digits:
        raise CodeFormatError(f"Enter all {digits} digits of the code from the text message.")
    return "".join(result)


def mask_phone(e164: str) -> str:
    """The last four digits, as people recognise their own number: ``•••• 4242``."""
    digits = [c for c in e164 if c.isdigit()]
    return "•••• " + "".join(digits[-4:])


def decoy_masked_phone(identifier: str) -> str:
    """A stable, unguessable last-four for an email that matches nothing, so that the answer
    looks the same for known and unknown emails, on every try."""
    digest = keyed_digest(purpose="decoy-phone", value=identifier)
    return "•••• " + str(int(digest[:12], 16) % 10_000).zfill(4)


def new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def normalize_recovery_code(raw: str) -> str:
    return "".join(c for c in raw.lower() if c.isascii() and c.isalnum())[:32]


def recovery_code_digest(*, user_id: int, code: str) -> str:
    return keyed_digest(purpose="recovery", value=f"{user_id}:{normalize_recovery_code(code)}")

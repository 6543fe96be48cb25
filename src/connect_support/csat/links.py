"""The signed rating link mailed when a case is solved.

A leaf module (Django's signing only) so that the case mail can carry the link without the
cases package depending on this one's models. The token names the case and expires after
``CSAT_LINK_DAYS``; a forged or altered token fails the signature check.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing

SALT = "connect_support.csat.rating-link"
RATING_PATH = "/embedded-connect/rate/"


def link_max_age_seconds() -> int:
    return int(getattr(settings, "CSAT_LINK_DAYS", 30)) * 24 * 3600


def rating_token(*, case_id: str) -> str:
    return signing.dumps({"case": case_id}, salt=SALT)


def rating_url(*, case_id: str, base_url: str) -> str:
    return f"{base_url.rstrip('/')}{RATING_PATH}{rating_token(case_id=case_id)}/"


@dataclass(frozen=True)
class TokenCheck:
    """``case_id`` when the token is good; otherwise why not (``expired`` or ``invalid``)."""

    case_id: str | None
    problem: str = ""


def rating_token_check(token: str) -> TokenCheck:
    try:
        payload = signing.loads(token, salt=SALT, max_age=link_max_age_seconds())
    except signing.SignatureExpired:
        return TokenCheck(None, "expired")
    except signing.BadSignature:
        return TokenCheck(None, "invalid")
    case_id = payload.get("case") if isinstance(payload, dict) else None
    if not isinstance(case_id, str) or not case_id.startswith("case_"):
        return TokenCheck(None, "invalid")
    return TokenCheck(case_id)

"""Hand-off tokens: a Contact support link from an authenticated component opens the
support site signed in.

A token is 256 random bits, stored only as its SHA-256, bound to one account and one
person, good for 60 seconds and redeemed at most once (an atomic conditional update).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from connect_support.accounts.models import ConnectedAccount, Person
from connect_support.identity import policy
from connect_support.identity.models import HandoffToken

TOKEN_PREFIX = "hot_"


@dataclass(frozen=True)
class HandoffResult:
    token: HandoffToken | None
    # "", "malformed", "unknown", "used", "expired" or "account": why it was refused.
    problem: str


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def handoff_issue(
    *, account: ConnectedAccount, person: Person | None, authenticated_at: datetime, source: str = ""
) -> str:
    """A new token for this account and person; returns the raw token (never stored)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    HandoffToken.objects.create(
        digest=_digest(raw),
        account=account,
        person=person,
        source=source[:40],
        authenticated_at=authenticated_at,
        created_at=now,
        expires_at=now + timedelta(seconds=policy.HANDOFF_TTL_SECONDS),
    )
    return raw


def handoff_redeem(*, raw_token: str) -> HandoffResult:
    """Use the token once. Replayed, expired, forged or tampered tokens are refused."""
    if not raw_token.startswith(TOKEN_PREFIX) or not 20 <= len(raw_token) <= 100:
        return HandoffResult(None, "malformed")
    digest = _digest(raw_token)
    now = timezone.now()
    with transaction.atomic():
        used = HandoffToken.objects.filter(digest=digest, used_at__isnull=True, expires_at__gt=now).update(used_at=now)
        token = HandoffToken.objects.select_related("account", "person").filter(digest=digest).first()
    if token is None:
        return HandoffResult(None, "unknown")
    if not used:
        return HandoffResult(None, "used" if token.used_at is not None else "expired")
    account = token.account
    if account.deleted_at is not None or (token.person is not None and token.person.account_id != account.pk):
        return HandoffResult(None, "account")
    return HandoffResult(token, "")

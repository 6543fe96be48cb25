"""Claiming an account session, the page token, and the session's authentication state.

The platform's page receives a client secret; the component exchanges it **once** for a
page token (single use: the first claim wins, a second claim of the same secret fails).
The page token is a signed, expiring reference to the session that component endpoints
and the authentication popup accept. When the representative proves the phone in the
popup, the session is marked authenticated; sensitive actions (payout details, legal
entity data, risk answers) then need that authentication to be under ten minutes old.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.db import transaction
from django.utils import timezone

from connect_support.accounts.models import Person
from connect_support.accounts.services import key_digest
from connect_support.embedded.models import AccountSession
from connect_support.identity import policy

PAGE_TOKEN_SALT = "connect_support.embedded.page_token"
MAX_SECRET_LENGTH = 200


class ClaimError(Exception):
    """The secret cannot be exchanged. ``code`` is ``unknown``, ``claimed`` or ``expired``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class StepUpRequiredError(Exception):
    """The action needs an authentication younger than ``STEP_UP_MAX_AGE_SECONDS``."""


@dataclass(frozen=True)
class SessionClaim:
    session: AccountSession
    page_token: str
    expires_at: int


def page_token_for(*, session: AccountSession) -> str:
    return signing.dumps({"s": session.pk}, salt=PAGE_TOKEN_SALT, compress=False)


def account_session_claim(*, client_secret: str) -> SessionClaim:
    """Exchange the client secret for a page token, once."""
    if not client_secret or len(client_secret) > MAX_SECRET_LENGTH:
        raise ClaimError("unknown", "This account session's client secret is not valid.")
    digest = key_digest(client_secret)
    now_unix = int(time.time())
    with transaction.atomic():
        claimed = AccountSession.objects.filter(
            secret_digest=digest, claimed_at__isnull=True, expires_at__gt=now_unix
        ).update(claimed_at=timezone.now())
    session = AccountSession.objects.select_related("account", "platform").filter(secret_digest=digest).first()
    if session is None:
        raise ClaimError("unknown", "This account session's client secret is not valid.")
    if not claimed:
        if session.expires_at <= now_unix:
            raise ClaimError("expired", "This account session has expired. Fetch a new client secret.")
        raise ClaimError("claimed", "This account session was already used. Fetch a new client secret.")
    return SessionClaim(session=session, page_token=page_token_for(session=session), expires_at=session.expires_at)


def account_session_from_page_token(*, token: str) -> AccountSession | None:
    """The claimed, unexpired session the token names, or None for anything else."""
    if not token or len(token) > 300:
        return None
    try:
        payload = signing.loads(token, salt=PAGE_TOKEN_SALT, max_age=timedelta(hours=2))
    except signing.BadSignature:
        return None
    session_id = payload.get("s") if isinstance(payload, dict) else None
    if not isinstance(session_id, str):
        return None
    session = (
        AccountSession.objects.select_related("account", "platform", "authenticated_person")
        .filter(pk=session_id, claimed_at__isnull=False, expires_at__gt=int(time.time()))
        .first()
    )
    if session is None or session.account.deleted_at is not None:
        return None
    return session


def account_session_mark_authenticated(*, session: AccountSession, person: Person) -> AccountSession:
    """Record that the account's representative just proved the phone for this session."""
    now = timezone.now()
    AccountSession.objects.filter(pk=session.pk).update(authenticated_at=now, authenticated_person=person)
    session.authenticated_at = now
    session.authenticated_person = person
    return session


def account_session_is_authenticated(*, session: AccountSession) -> bool:
    return session.authenticated_at is not None


def account_session_recently_authenticated(
    *, session: AccountSession, max_age_seconds: int = policy.STEP_UP_MAX_AGE_SECONDS
) -> bool:
    if session.authenticated_at is None:
        return False
    return (timezone.now() - session.authenticated_at).total_seconds() <= max_age_seconds


def account_session_require_step_up(*, session: AccountSession) -> None:
    """Call before a sensitive action; ``StepUpRequiredError`` means: open the popup again."""
    if not account_session_recently_authenticated(session=session):
        raise StepUpRequiredError("Confirm it's you: this change needs a code sent to your phone.")

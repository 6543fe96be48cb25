"""Keys for the operator's risk API: made and revoked from the command line, kept only as
a SHA-256 digest (the raw key is shown once), checked on each request."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from connect_support.risk.models import OperatorKey

PREFIX = "opk_"


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def operator_key_create(*, name: str) -> tuple[OperatorKey, str]:
    name = " ".join(name.split())[:100]
    if not name:
        raise ValueError("Name the key after who or what uses it.")
    raw = PREFIX + secrets.token_urlsafe(36)
    key = OperatorKey.objects.create(name=name, digest=_digest(raw), last4=raw[-4:], created_at=timezone.now())
    return key, raw


def operator_key_find(*, raw: str) -> OperatorKey | None:
    if not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    key = OperatorKey.objects.filter(digest=_digest(raw), revoked_at=None).first()
    if key is not None:
        now = timezone.now()
        # Touch at most once a minute, so a busy caller does not write on every request.
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
            OperatorKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


def operator_key_revoke(*, key_id: str) -> bool:
    return bool(OperatorKey.objects.filter(pk=key_id, revoked_at=None).update(revoked_at=timezone.now()))

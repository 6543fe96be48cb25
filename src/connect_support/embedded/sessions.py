"""Creating account sessions: which components a page may render, for how long."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from connect_support.accounts.errors import InvalidParameterError
from connect_support.accounts.ids import new_secret
from connect_support.accounts.models import ConnectedAccount
from connect_support.accounts.services import key_digest
from connect_support.embedded.models import AccountSession

IMPLEMENTED_COMPONENTS = ("account_onboarding", "account_management", "notification_banner")
DEFAULT_FEATURES = {"external_account_collection": True, "disable_stripe_user_authentication": False}


@dataclass(frozen=True)
class CreatedSession:
    session: AccountSession
    client_secret: str


def resolve_components(
    *, account: ConnectedAccount, requested: Mapping[str, Mapping[str, Any]], known: tuple[str, ...]
) -> dict[str, dict[str, Any]]:
    """Every known component with ``enabled`` and ``features``, defaults filled in."""
    resolved: dict[str, dict[str, Any]] = {}
    for name in known:
        asked = requested.get(name, {})
        enabled = bool(asked.get("enabled", False))
        features = dict(asked.get("features", {}))
        if name in IMPLEMENTED_COMPONENTS:
            features = {**DEFAULT_FEATURES, **features}
            if features["disable_stripe_user_authentication"] and account.requirement_collection != "application":
                raise InvalidParameterError(
                    f"components[{name}][features][disable_stripe_user_authentication]",
                    "`disable_stripe_user_authentication` can be true only for accounts whose "
                    "`controller[requirement_collection]` is `application`.",
                )
        resolved[name] = {"enabled": enabled, "features": features}
    return resolved


def account_session_create(
    *, account: ConnectedAccount, components: Mapping[str, Mapping[str, Any]], known_components: tuple[str, ...]
) -> CreatedSession:
    resolved = resolve_components(account=account, requested=components, known=known_components)
    now = int(time.time())
    secret = new_secret(f"{'accs_live' if account.livemode else 'accs'}_secret__", 40)
    session = AccountSession.objects.create(
        account=account,
        platform_id=account.platform_id,
        livemode=account.livemode,
        secret_digest=key_digest(secret),
        components=resolved,
        created=now,
        expires_at=now + settings.ACCOUNT_SESSION_TTL_SECONDS,
    )
    return CreatedSession(session=session, client_secret=secret)

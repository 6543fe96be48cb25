"""What the components do for an account session: boot, and show the account.

Surfaces (``component_views``) parse the request and call one function here (writes are
in ``component_writes``). Every
function takes the claimed ``AccountSession`` (from the page token) and checks that the
component asking is enabled in it; writes go through ``accounts.services.account_update``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connect_support.accounts.eligibility import support_eligibility
from connect_support.accounts.models import ApiKey, ConnectedAccount
from connect_support.accounts.selectors import api_key_find
from connect_support.accounts.services import key_digest
from connect_support.embedded.catalogue import (
    BUSINESS_TYPE,
    PAYOUT_DETAILS,
    PERSONAL_DETAILS,
    PROFESSIONAL_DETAILS,
    PUBLIC_DETAILS,
)
from connect_support.embedded.claims import (
    ClaimError,
    account_session_claim,
    account_session_recently_authenticated,
)
from connect_support.embedded.models import AccountSession
from connect_support.embedded.notifications import (
    BannerOptions,
    notification_counts,
    notification_items,
)
from connect_support.embedded.sections import SectionContext
from connect_support.identity import policy
from connect_support.identity.headers import origin_allowed

COMPONENTS = ("account_onboarding", "account_management", "notification_banner")
MANAGEMENT_SECTIONS = (PROFESSIONAL_DETAILS, PUBLIC_DETAILS, PERSONAL_DETAILS, PAYOUT_DETAILS)
ONBOARDING_SECTIONS = (BUSINESS_TYPE, PROFESSIONAL_DETAILS, PERSONAL_DETAILS, PAYOUT_DETAILS)


class ComponentError(Exception):
    """A refusal the component shows; ``type`` is one of the loader's error types."""

    def __init__(
        self,
        status: int,
        type_: str,
        code: str,
        message: str,
        *,
        fields: Mapping[str, str] | None = None,
        readable_by: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.type = type_
        self.code = code
        self.message = message
        self.fields = dict(fields or {})
        # At boot, the registered origin that may read this refusal (CORS), if known.
        self.readable_by = readable_by

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.type, "code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = self.fields
        return {"error": error}


def _session_expired() -> ComponentError:
    return ComponentError(
        401, "authentication_error", "account_session_expired", "This account session has expired or was ended."
    )


# --- booting ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Boot:
    session: AccountSession
    page_token: str


def session_boot(*, client_secret: str, publishable_key: str, origin: str | None) -> Boot:
    """Check the page and the key, then claim the session (which spends the secret).

    The checks come first so that a page on an unregistered origin or with another
    platform's key learns why and leaves the secret unspent."""
    session = (
        AccountSession.objects.select_related("platform", "account")
        .filter(secret_digest=key_digest(client_secret))
        .first()
        if client_secret and len(client_secret) <= 200
        else None
    )
    if session is None:
        raise ComponentError(
            401, "authentication_error", "account_session_invalid", "This account session's client secret is not valid."
        )
    if origin is not None and origin_allowed(platform=session.platform, origin=origin) is None:
        raise ComponentError(
            403,
            "invalid_request_error",
            "origin_not_allowed",
            f"This page's origin ({origin[:100]}) is not registered by {session.platform.display_name}. "
            "Add it to the platform's allowed origins.",
        )
    readable_by = origin_allowed(platform=session.platform, origin=origin) if origin is not None else None
    key = api_key_find(raw_key=publishable_key)
    if (
        key is None
        or key.kind != ApiKey.Kind.PUBLISHABLE
        or key.platform_id != session.platform_id
        or key.livemode != session.livemode
    ):
        raise ComponentError(
            401,
            "invalid_request_error",
            "publishable_key_mismatch",
            "The publishable key does not belong to the platform that created this account session.",
            readable_by=readable_by,
        )
    try:
        claim = account_session_claim(client_secret=client_secret)
    except ClaimError as refused:
        raise ComponentError(
            401, "authentication_error", f"account_session_{refused.code}", refused.message, readable_by=readable_by
        ) from None
    return Boot(session=claim.session, page_token=claim.page_token)


def authentication_state(session: AccountSession) -> dict[str, Any]:
    features = session_features(session)
    recent = account_session_recently_authenticated(session=session)
    until = None
    if session.authenticated_at is not None and recent:
        until = int(session.authenticated_at.timestamp()) + policy.STEP_UP_MAX_AGE_SECONDS
    return {
        "required": not features.get("disable_stripe_user_authentication", False),
        "authenticated": session.authenticated_at is not None,
        "recent": recent,
        "recentUntil": until,
    }


def session_features(session: AccountSession, component: str | None = None) -> dict[str, Any]:
    """The features of ``component``, or the strictest union over the enabled components."""
    components: Mapping[str, Any] = session.components or {}
    if component is not None:
        return dict((components.get(component) or {}).get("features") or {})
    merged: dict[str, Any] = {"disable_stripe_user_authentication": True}
    for name in COMPONENTS:
        config = components.get(name) or {}
        if config.get("enabled"):
            features = config.get("features") or {}
            merged["disable_stripe_user_authentication"] &= bool(features.get("disable_stripe_user_authentication"))
    if not any((components.get(name) or {}).get("enabled") for name in COMPONENTS):
        merged["disable_stripe_user_authentication"] = False
    return merged


def session_description(*, session: AccountSession, support_site_url: str) -> dict[str, Any]:
    """What every component of this page needs to know, sent once after the claim."""
    account = session.account
    platform = session.platform
    eligibility = support_eligibility(account)
    return {
        "session": {"id": session.pk, "expiresAt": session.expires_at, "livemode": session.livemode},
        "account": {"id": account.pk, "businessName": account.business_name},
        "components": {
            name: {
                "enabled": bool((session.components.get(name) or {}).get("enabled")),
                "features": (session.components.get(name) or {}).get("features") or {},
            }
            for name in COMPONENTS
        },
        "platform": {
            "name": platform.display_name,
            "brandColor": platform.brand_color,
            "iconUrl": platform.icon_url,
        },
        "support": {
            "eligible": eligibility.eligible,
            "siteUrl": support_site_url,
            "platform": {"name": platform.display_name, "url": platform.support_url, "email": platform.support_email},
        },
        "authentication": authentication_state(session),
    }


def component_check(*, session: AccountSession, component: str) -> None:
    if component not in COMPONENTS or not (session.components.get(component) or {}).get("enabled"):
        raise ComponentError(
            403,
            "invalid_request_error",
            "component_not_enabled",
            f"The account session does not enable the {component.replace('_', ' ')} component. "
            f"Create it with components[{component}][enabled]=true.",
        )


def fresh_account(session: AccountSession) -> ConnectedAccount:
    account = ConnectedAccount.objects.prefetch_related("persons").filter(pk=session.account_id).first()
    if account is None or account.deleted_at is not None:
        raise _session_expired()
    return account


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ViewOptions:
    fields: str = "currently_due"
    future_requirements: str = "omit"


def _requirements_view(account: ConnectedAccount) -> dict[str, Any]:
    requirements = account.requirements or {}
    return {
        key: requirements.get(key)
        for key in (
            "currently_due",
            "eventually_due",
            "past_due",
            "pending_verification",
            "errors",
            "current_deadline",
            "disabled_reason",
        )
    }


def _account_view(account: ConnectedAccount) -> dict[str, Any]:
    return {
        "id": account.pk,
        "businessName": account.business_name,
        "businessType": account.business_type,
        "country": account.country,
        "detailsSubmitted": account.details_submitted,
        "chargesEnabled": account.charges_enabled,
        "payoutsEnabled": account.payouts_enabled,
        "requirements": _requirements_view(account),
    }


def collects_bank_accounts(session: AccountSession, component: str) -> bool:
    return bool(session_features(session, component).get("external_account_collection", True))


_STEP_CODES: dict[str, tuple[str, ...]] = {
    "business_type": ("business_type",),
    "business_details": ("business_profile.", "company."),
    "representative": ("individual.", "representative."),
    "external_account": ("external_account",),
}


def _onboarding_steps(
    session: AccountSession, account: ConnectedAccount, context: SectionContext
) -> list[dict[str, Any]]:
    due = context.due
    failed = {e.get("requirement") for e in (account.requirements or {}).get("errors", []) or []}
    steps: list[dict[str, Any]] = []
    auth = authentication_state(session)
    if auth["required"]:
        steps.append({"id": "stripe_user_authentication", "title": "Verify it's you", "complete": bool(auth["recent"])})
    representative_title = "Personal details" if account.business_type == "individual" else "Representative"
    plan = [
        ("business_type", BUSINESS_TYPE, "Business type"),
        ("business_details", PROFESSIONAL_DETAILS, "Business details"),
        ("representative", PERSONAL_DETAILS, representative_title),
    ]
    if collects_bank_accounts(session, "account_onboarding"):
        plan.append(("external_account", PAYOUT_DETAILS, "Payout details"))
    for step_id, section, title in plan:
        codes = [c for c in due if c.startswith(_STEP_CODES[step_id])]
        # What the later steps need depends on the business type: until it is chosen,
        # they cannot be complete.
        chosen = bool(account.business_type) or (step_id == "external_account" and bool(account.external_accounts))
        steps.append(
            {
                "id": step_id,
                "title": title,
                "section": section.id,
                "complete": not codes and chosen,
                "missing": [c for c in codes if c not in failed],
                "failed": [c for c in codes if c in failed],
            }
        )
    steps.append({"id": "summary", "title": "Review and submit", "complete": account.details_submitted})
    return steps


def component_view(*, session: AccountSession, component: str, options: ViewOptions) -> dict[str, Any]:
    """The account as ``component`` shows it."""
    component_check(session=session, component=component)
    account = fresh_account(session)
    context = SectionContext(account=account, fields=options.fields)
    view: dict[str, Any] = {"account": _account_view(account), "authentication": authentication_state(session)}
    if component == "account_onboarding":
        view["steps"] = _onboarding_steps(session, account, context)
        sections = [
            s for s in ONBOARDING_SECTIONS if s is not PAYOUT_DETAILS or collects_bank_accounts(session, component)
        ]
        view["sections"] = {s.id: s.describe(context) for s in sections}
        view["canSubmit"] = all(
            not step.get("missing")
            for step in view["steps"]
            if step["id"] not in {"summary", "stripe_user_authentication"}
        )
    elif component == "account_management":
        sections = [
            s for s in MANAGEMENT_SECTIONS if s is not PAYOUT_DETAILS or collects_bank_accounts(session, component)
        ]
        view["sections"] = {s.id: s.describe(context) for s in sections}
        bank = (account.external_accounts or [{}])[0] if account.external_accounts else {}
        view["payoutProblem"] = (
            "Your bank rejected the last payout. Update your payout details or contact support."
            if bank.get("status") in {"errored", "verification_failed"}
            else None
        )
    else:
        banner = BannerOptions(
            fields=options.fields,
            future_requirements=options.future_requirements,
            external_account_collection=collects_bank_accounts(session, component),
        )
        items = notification_items(account=account, options=banner) if account.details_submitted else []
        view["items"] = items
        view["counts"] = notification_counts(items)
    return view


def session_end(*, session: AccountSession) -> None:
    """``logout()``: the page token and the session stop working at once."""
    now = int(time.time())
    AccountSession.objects.filter(pk=session.pk).update(expires_at=min(session.expires_at, now))
    session.expires_at = min(session.expires_at, now)

"""What open interventions do to the account: the enabled flags, capability statuses,
``requirements.disabled_reason`` and the payout delay.

The account's own state is recomputed from its requirements first (accounts/requirements.py)
and the effects of every intervention in force are laid on top, so lifting one
intervention never re-enables what another, or a missing requirement, still blocks.
"""

from __future__ import annotations

from typing import Any

from connect_support.accounts.models import ConnectedAccount
from connect_support.accounts.requirements import apply_requirements
from connect_support.risk.models import Intervention

SLOW_PAYOUT_DELAY_DAYS = 14
_PAYMENT_CAPABILITIES = ("card_payments",)
_PAYOUT_CAPABILITIES = ("transfers",)


def blocks_payments(intervention: Intervention) -> bool:
    return intervention.kind in (Intervention.Kind.OFFBOARDING, Intervention.Kind.PAUSE_CHARGES)


def blocks_payouts(intervention: Intervention) -> bool:
    return intervention.kind in (Intervention.Kind.OFFBOARDING, Intervention.Kind.PAUSE_PAYOUTS)


def _disabled_reason(intervention: Intervention) -> str:
    if intervention.kind == Intervention.Kind.OFFBOARDING:
        return "rejected.fraud" if intervention.cause == Intervention.Cause.FRAUD else "rejected.other"
    return "under_review"


def in_force(account: ConnectedAccount) -> list[Intervention]:
    """Interventions whose effect applies now: effective and not resolved (offboarding stays)."""
    return list(
        Intervention.objects.filter(account=account, effective=True)
        .exclude(status=Intervention.Status.RESOLVED)
        .order_by("created_at")
    )


def account_effects_sync(*, account: ConnectedAccount) -> ConnectedAccount:
    """Recompute and save the account's flags with every intervention in force (locks it)."""
    account = ConnectedAccount.objects.select_for_update().prefetch_related("persons").get(pk=account.pk)
    apply_requirements(account)
    account_risk_overlay(account)
    account.save()
    return account


def account_risk_overlay(account: ConnectedAccount) -> None:
    """Lay the interventions in force over flags just computed from requirements (not saved).
    ``accounts.services`` should call this after each ``apply_requirements``, or an API update
    would re-enable what risk paused."""
    active = in_force(account)
    capabilities: dict[str, Any] = {name: dict(cap) for name, cap in account.capabilities.items()}
    requirements = dict(account.requirements)
    for intervention in active:
        if blocks_payments(intervention):
            account.charges_enabled = False
            for name in _PAYMENT_CAPABILITIES:
                if name in capabilities:
                    capabilities[name]["status"] = "inactive"
        if blocks_payouts(intervention):
            account.payouts_enabled = False
            for name in _PAYOUT_CAPABILITIES:
                if name in capabilities:
                    capabilities[name]["status"] = "inactive"
        if blocks_payments(intervention) or blocks_payouts(intervention):
            reason = _disabled_reason(intervention)
            # A rejection outranks a review.
            if not str(requirements.get("disabled_reason") or "").startswith("rejected."):
                requirements["disabled_reason"] = reason
    account.capabilities = capabilities
    account.requirements = requirements
    settings: dict[str, Any] = dict(account.settings or {})
    payouts = dict(settings.get("payouts") or {})
    schedule = dict(payouts.get("schedule") or {})
    _sync_payout_delay(account, active, schedule)
    payouts["schedule"] = schedule
    settings["payouts"] = payouts
    account.settings = settings


def _sync_payout_delay(account: ConnectedAccount, active: list[Intervention], schedule: dict[str, Any]) -> None:
    """Slow payouts while a slow-payouts intervention is in force; the delay the account had
    before is kept on the intervention that first slowed it and restored on lift."""
    slowing = [i for i in active if i.kind == Intervention.Kind.SLOW_PAYOUTS]
    if slowing:
        if not any("previous_delay_days" in i.applied_state for i in slowing):
            first = slowing[0]
            first.applied_state = {"previous_delay_days": schedule.get("delay_days")}
            first.save(update_fields=["applied_state"])
        schedule["delay_days"] = max(int(schedule.get("delay_days") or 0), SLOW_PAYOUT_DELAY_DAYS)
        return
    pending = list(
        Intervention.objects.filter(
            account=account, kind=Intervention.Kind.SLOW_PAYOUTS, applied_state__has_key="previous_delay_days"
        ).order_by("created_at")
    )
    if not pending:
        return
    previous = pending[0].applied_state["previous_delay_days"]
    if previous is None:
        schedule.pop("delay_days", None)
    else:
        schedule["delay_days"] = previous
    for intervention in pending:
        intervention.applied_state = {"restored_delay_days": previous}
        intervention.save(update_fields=["applied_state"])

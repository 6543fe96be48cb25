"""Who supports an account: the operator or the platform. One rule, used everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class _HasController(Protocol):
    dashboard_type: str
    losses_payments: str


@dataclass(frozen=True)
class SupportEligibility:
    eligible: bool
    reason: str

    def __bool__(self) -> bool:
        return self.eligible


def support_eligibility(account: _HasController) -> SupportEligibility:
    """The operator supports an account directly iff the account has no operator-hosted
    dashboard and the platform is not liable for the account's negative balances."""
    has_dashboard = account.dashboard_type != "none"
    platform_liable = account.losses_payments == "application"
    if has_dashboard and platform_liable:
        return SupportEligibility(
            False,
            f"the account has the {account.dashboard_type} dashboard and the platform is liable for negative balances",
        )
    if has_dashboard:
        return SupportEligibility(
            False, f"the account has the {account.dashboard_type} dashboard, where it gets help itself"
        )
    if platform_liable:
        return SupportEligibility(False, "the platform is liable for negative balances")
    return SupportEligibility(True, "no operator dashboard and the operator is liable for negative balances")

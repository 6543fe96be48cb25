"""What an agent sees beside a chat about the customer's account: its open risk
interventions and what it still has to provide (requirements), as they stand now."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connect_support.accounts.models import ConnectedAccount
from connect_support.accounts.requirements import compute_requirements
from connect_support.risk.models import Intervention
from connect_support.risk.selectors import interventions_shown


@dataclass(frozen=True)
class RequirementsSummary:
    past_due: list[str] = field(default_factory=list)
    currently_due: list[str] = field(default_factory=list)
    eventually_due: list[str] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    disabled_reason: str | None = None

    @property
    def nothing_due(self) -> bool:
        return not (self.past_due or self.currently_due or self.eventually_due or self.errors)


@dataclass(frozen=True)
class AccountPanel:
    account: ConnectedAccount
    interventions: list[Intervention]
    requirements: RequirementsSummary


def _codes(value: Any) -> list[str]:
    return [str(code) for code in value] if isinstance(value, list) else []


def account_panel_for(*, account: ConnectedAccount) -> AccountPanel:
    computed = compute_requirements(account)
    past_due = _codes(computed.get("past_due"))
    currently_due = [code for code in _codes(computed.get("currently_due")) if code not in past_due]
    eventually_due = [
        code for code in _codes(computed.get("eventually_due")) if code not in past_due and code not in currently_due
    ]
    errors = [error for error in computed.get("errors") or [] if isinstance(error, dict)]
    requirements = RequirementsSummary(
        past_due=past_due,
        currently_due=currently_due,
        eventually_due=eventually_due,
        errors=errors,
        disabled_reason=computed.get("disabled_reason"),
    )
    return AccountPanel(account=account, interventions=interventions_shown(account=account), requirements=requirements)

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from connect_support.accounts.eligibility import support_eligibility


@dataclass
class Controller:
    dashboard_type: str
    losses_payments: str
    fees_payer: str = "account"
    requirement_collection: str = "stripe"


@pytest.mark.parametrize(
    ("dashboard", "losses", "fees", "collection"),
    list(
        itertools.product(
            ("full", "express", "none"),
            ("stripe", "application"),
            ("account", "application"),
            ("stripe", "application"),
        )
    ),
)
def test_truth_table(dashboard: str, losses: str, fees: str, collection: str) -> None:
    result = support_eligibility(Controller(dashboard, losses, fees, collection))
    # Only the dashboard and the liability decide; fees and requirement collection never do.
    assert result.eligible is (dashboard == "none" and losses == "stripe")
    assert bool(result) is result.eligible
    assert result.reason


def test_reasons_name_the_cause() -> None:
    assert "liable for negative balances" in support_eligibility(Controller("none", "application")).reason
    assert "express dashboard" in support_eligibility(Controller("express", "stripe")).reason
    both = support_eligibility(Controller("full", "application")).reason
    assert "full dashboard" in both
    assert "liable" in both
    assert support_eligibility(Controller("none", "stripe")).reason.startswith("no operator dashboard")

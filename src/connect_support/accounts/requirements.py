"""What an account still has to provide before its capabilities can be active.

The rule set is declarative: each entry names a requirement (in the Accounts API's dotted
form), the business types it applies to, and how to tell it is satisfied. The result is
the ``requirements`` hash of the Accounts API, plus capability statuses and the
``charges_enabled``/``payouts_enabled`` flags derived from it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from connect_support.accounts.models import ConnectedAccount, Person

# The address test trigger: a line 1 containing this fails address verification.
ADDRESS_NO_MATCH = "address_no_match"

_INDIVIDUAL_TYPES = frozenset({"individual"})
_ENTITY_TYPES = frozenset({"company", "non_profit", "government_entity"})
_ALL_TYPES = _INDIVIDUAL_TYPES | _ENTITY_TYPES


CARD_PAYMENTS = frozenset({"card_payments"})
TRANSFERS = frozenset({"transfers"})


@dataclass(frozen=True)
class _Rule:
    code: str
    business_types: frozenset[str]
    satisfied: Callable[[ConnectedAccount, Person | None], bool]
    # "currently" blocks activation now; "eventually" is due later (higher volume).
    when: str = "currently"
    countries: frozenset[str] | None = None
    # The capabilities that need it (None: every capability).
    capabilities: frozenset[str] | None = None


def _person_field(*path: str) -> Callable[[ConnectedAccount, Person | None], bool]:
    def check(_account: ConnectedAccount, person: Person | None) -> bool:
        if person is None:
            return False
        value: Any = person
        for part in path:
            value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
        return bool(value)

    return check


def _profile(key: str) -> Callable[[ConnectedAccount, Person | None], bool]:
    return lambda account, _person: bool(account.business_profile.get(key))


def _company(key: str) -> Callable[[ConnectedAccount, Person | None], bool]:
    return lambda account, _person: bool(account.company.get(key))


def _company_address(account: ConnectedAccount, _person: Person | None) -> bool:
    address = account.company.get("address") or {}
    return bool(address.get("line1") and address.get("city") and address.get("postal_code"))


def _website_or_description(account: ConnectedAccount, _person: Person | None) -> bool:
    return bool(account.business_profile.get("url") or account.business_profile.get("product_description"))


def _address_ok(account: ConnectedAccount, person: Person | None) -> bool:
    if person is None:
        return False
    line1 = str(person.address.get("line1", ""))
    return bool(line1) and ADDRESS_NO_MATCH not in line1


US = frozenset({"US"})
GB = frozenset({"GB"})
# The member states of the European Economic Area the operator onboards.
EEA = frozenset({"AT", "BE", "DE", "DK", "ES", "FI", "FR", "IE", "IT", "LU", "NL", "NO", "PL", "PT", "SE"})
NOT_US = GB | EEA


def _rules_for(prefix: str) -> list[_Rule]:
    """The representative's requirements, named ``individual.*`` or ``representative.*``."""
    types = _INDIVIDUAL_TYPES if prefix == "individual" else _ENTITY_TYPES
    return [
        _Rule(f"{prefix}.first_name", types, _person_field("first_name")),
        _Rule(f"{prefix}.last_name", types, _person_field("last_name")),
        _Rule(f"{prefix}.dob.day", types, _person_field("dob", "day")),
        _Rule(f"{prefix}.dob.month", types, _person_field("dob", "month")),
        _Rule(f"{prefix}.dob.year", types, _person_field("dob", "year")),
        _Rule(f"{prefix}.address.line1", types, _address_ok),
        _Rule(f"{prefix}.address.city", types, _person_field("address", "city")),
        _Rule(f"{prefix}.address.postal_code", types, _person_field("address", "postal_code")),
        _Rule(f"{prefix}.email", types, _person_field("email")),
        _Rule(f"{prefix}.phone", types, _person_field("phone")),
        _Rule(
            f"{prefix}.ssn_last_4",
            types,
            lambda _a, p: bool(p and (p.ssn_last_4_provided or p.id_number_provided)),
            countries=US,
        ),
        # The full SSN in the US once volume grows; elsewhere an identity document.
        _Rule(f"{prefix}.id_number", types, lambda _a, p: bool(p and p.id_number_provided), "eventually", US),
        _Rule(f"{prefix}.verification.document", types, lambda _a, _p: False, "eventually", NOT_US),
    ]


RULES: list[_Rule] = [
    _Rule("business_type", _ALL_TYPES | {""}, lambda a, _p: bool(a.business_type)),
    _Rule("business_profile.mcc", _ALL_TYPES, _profile("mcc"), capabilities=CARD_PAYMENTS),
    _Rule("business_profile.url", _ALL_TYPES, _website_or_description, capabilities=CARD_PAYMENTS),
    _Rule("company.name", _ENTITY_TYPES, _company("name")),
    # US: the EIN. GB: the Companies House registration number. EEA: the registry or VAT number.
    _Rule("company.tax_id", _ENTITY_TYPES, lambda a, _p: bool(a.company.get("tax_id_provided"))),
    _Rule("company.address.line1", _ENTITY_TYPES, _company_address),
    _Rule("company.phone", _ENTITY_TYPES, _company("phone")),
    # Who owns and runs the company: asked once the company processes (anti-money-laundering rules).
    _Rule("company.owners_provided", frozenset({"company"}), _company("owners_provided"), "eventually"),
    _Rule("company.directors_provided", _ENTITY_TYPES, _company("directors_provided"), "eventually", NOT_US),
    *_rules_for("individual"),
    *_rules_for("representative"),
    _Rule("external_account", _ALL_TYPES, lambda a, _p: bool(a.external_accounts), capabilities=TRANSFERS),
    _Rule("tos_acceptance.date", _ALL_TYPES, lambda a, _p: bool(a.tos_acceptance.get("date"))),
    _Rule("tos_acceptance.ip", _ALL_TYPES, lambda a, _p: bool(a.tos_acceptance.get("ip"))),
]


def rules_for(*, country: str, business_type: str) -> list[tuple[str, str]]:
    """``(code, when)`` of every rule that applies to such an account (docs and tests)."""
    return [
        (rule.code, rule.when)
        for rule in RULES
        if (business_type in rule.business_types or rule.code == "business_type")
        and (rule.countries is None or country in rule.countries)
    ]


def _errors(account: ConnectedAccount, person: Person | None) -> list[dict[str, str]]:
    if person is None or ADDRESS_NO_MATCH not in str(person.address.get("line1", "")):
        return []
    prefix = "individual" if account.business_type == "individual" else "representative"
    return [
        {
            "code": "verification_failed_address_match",
            "reason": "The address could not be verified. Correct it or upload a document that shows this address.",
            "requirement": f"{prefix}.address.line1",
        }
    ]


def _requested(account: ConnectedAccount) -> list[str]:
    return [name for name, cap in account.capabilities.items() if cap.get("requested")]


def _was_active(account: ConnectedAccount) -> bool:
    return any(cap.get("status") == "active" for cap in account.capabilities.values() if cap.get("requested"))


@dataclass(frozen=True)
class Evaluation:
    requirements: dict[str, Any]
    # The codes each capability still waits for (past their deadline or never activated).
    blocking: dict[str, list[str]]
    due_since: dict[str, int]


def evaluate(account: ConnectedAccount, *, now: float | None = None) -> Evaluation:
    """The ``requirements`` hash, what blocks each capability, and when each code became due.

    An account that never was active needs everything currently due before it can work
    (``past_due`` at once, as the Accounts API reports it). An active account that owes
    something new (a failed verification, a changed rule) keeps working until
    ``current_deadline``, ``REQUIREMENTS_GRACE_DAYS`` after the first of them became due;
    then they are past due and the capabilities that need them stop."""
    moment = int(now if now is not None else time.time())
    person = account.representative
    business_type = account.business_type or ""
    currently: list[str] = []
    eventually: list[str] = []
    needed_by: dict[str, frozenset[str] | None] = {}
    for rule in RULES:
        if business_type not in rule.business_types and rule.code != "business_type":
            continue
        if rule.countries is not None and account.country not in rule.countries:
            continue
        if rule.code == "business_type" and business_type:
            continue
        if rule.satisfied(account, person):
            continue
        eventually.append(rule.code)
        if rule.when == "currently":
            currently.append(rule.code)
            needed_by[rule.code] = rule.capabilities
    previous = account.requirements_due_since if isinstance(account.requirements_due_since, dict) else {}
    due_since = {code: int(previous.get(code, moment)) for code in currently}
    requested = _requested(account)
    deadline: int | None = None
    if requested and currently and _was_active(account):
        deadline = min(due_since.values()) + int(getattr(settings, "REQUIREMENTS_GRACE_DAYS", 14)) * 86400
        past_due = list(currently) if moment >= deadline else []
    else:
        # Before a capability is active, what it needs is already overdue: nothing can be
        # processed until it is provided (the Accounts API reports it the same way).
        past_due = list(currently) if requested else []
    blocking = {
        name: [code for code in past_due if needed_by[code] is None or name in (needed_by[code] or ())]
        for name in requested
    }
    requirements = {
        "alternatives": [],
        "current_deadline": deadline if deadline is not None and not past_due else None,
        "currently_due": currently,
        "disabled_reason": "requirements.past_due" if past_due else None,
        "errors": _errors(account, person),
        "eventually_due": eventually,
        "past_due": past_due,
        "pending_verification": [],
    }
    return Evaluation(requirements, blocking, due_since)


def compute_requirements(account: ConnectedAccount) -> dict[str, Any]:
    """The ``requirements`` hash for the account as it stands."""
    return evaluate(account).requirements


def apply_requirements(account: ConnectedAccount, *, now: float | None = None) -> None:
    """Recompute requirements, capability statuses and the enabled flags (not saved)."""
    evaluation = evaluate(account, now=now)
    requirements = evaluation.requirements
    account.requirements = requirements
    account.requirements_due_since = evaluation.due_since
    account.future_requirements = {
        "alternatives": [],
        "current_deadline": None,
        "currently_due": [],
        "disabled_reason": None,
        "errors": [],
        "eventually_due": [],
        "past_due": [],
        "pending_verification": [],
    }
    capabilities: dict[str, Any] = {}
    for name, cap in account.capabilities.items():
        if cap.get("requested"):
            capabilities[name] = {"requested": True, "status": "inactive" if evaluation.blocking[name] else "active"}
        else:
            capabilities[name] = {"requested": False, "status": "inactive"}
    account.capabilities = capabilities
    any_active = any(cap["status"] == "active" for cap in capabilities.values())
    account.details_submitted = account.details_submitted or (any_active and not requirements["past_due"])
    account.charges_enabled = capabilities.get("card_payments", {}).get("status") == "active"
    account.payouts_enabled = bool(account.external_accounts) and any_active

"""The requirement rule set as truth tables: what each country and business type owes now
and later, what blocks which capability, and deadlines for accounts that were active."""

from __future__ import annotations

import time
from typing import Any

import pytest

from connect_support.accounts.models import ConnectedAccount
from connect_support.accounts.requirements import apply_requirements, evaluate, rules_for
from connect_support.accounts.services import account_deadlines_enforce, account_update
from tests.factories import complete_individual_params, make_account, platform_with_keys

pytestmark = pytest.mark.django_db

PERSON = ["first_name", "last_name", "dob.day", "dob.month", "dob.year"]
PERSON += ["address.line1", "address.city", "address.postal_code", "email", "phone"]
COMMON = [
    "business_profile.mcc",
    "business_profile.url",
    "external_account",
    "tos_acceptance.date",
    "tos_acceptance.ip",
]
COMPANY = ["company.name", "company.tax_id", "company.address.line1", "company.phone"]


def _person(prefix: str, *extra: str) -> set[str]:
    return {f"{prefix}.{field}" for field in (*PERSON, *extra)}


# (country, business type) → (due now, due later)
TABLE: dict[tuple[str, str], tuple[set[str], set[str]]] = {
    ("US", "individual"): ({*COMMON, *_person("individual", "ssn_last_4")}, {"individual.id_number"}),
    ("US", "company"): (
        {*COMMON, *COMPANY, *_person("representative", "ssn_last_4")},
        {"company.owners_provided", "representative.id_number"},
    ),
    ("US", "government_entity"): (
        {*COMMON, *COMPANY, *_person("representative", "ssn_last_4")},
        {"representative.id_number"},
    ),
    ("GB", "individual"): ({*COMMON, *_person("individual")}, {"individual.verification.document"}),
    ("GB", "company"): (
        {*COMMON, *COMPANY, *_person("representative")},
        {"company.owners_provided", "company.directors_provided", "representative.verification.document"},
    ),
    ("GB", "non_profit"): (
        {*COMMON, *COMPANY, *_person("representative")},
        {"company.directors_provided", "representative.verification.document"},
    ),
    ("DE", "individual"): ({*COMMON, *_person("individual")}, {"individual.verification.document"}),
    ("FR", "company"): (
        {*COMMON, *COMPANY, *_person("representative")},
        {"company.owners_provided", "company.directors_provided", "representative.verification.document"},
    ),
}


@pytest.mark.parametrize(("country", "business_type"), sorted(TABLE))
def test_rules_by_country_and_business_type(country: str, business_type: str) -> None:
    now, later = TABLE[(country, business_type)]
    rules = rules_for(country=country, business_type=business_type)
    assert {code for code, when in rules if when == "currently" and code != "business_type"} == now
    assert {code for code, when in rules if when == "eventually"} == later


@pytest.mark.parametrize(("country", "business_type"), sorted(TABLE))
def test_an_empty_account_owes_the_table(country: str, business_type: str) -> None:
    keys = platform_with_keys()
    requested = {"card_payments": {"requested": True}, "transfers": {"requested": True}}
    account = make_account(
        keys.platform, country=country, business_type=business_type, individual={}, capabilities=requested
    )
    now, later = TABLE[(country, business_type)]
    requirements = account.requirements
    assert set(requirements["currently_due"]) == now
    assert set(requirements["eventually_due"]) == now | later
    # Nothing can be processed before it is provided: all of it is past due at once.
    assert set(requirements["past_due"]) == now
    assert requirements["disabled_reason"] == "requirements.past_due"
    assert requirements["current_deadline"] is None
    assert account.charges_enabled is False
    assert account.payouts_enabled is False


def _complete(country: str) -> dict[str, Any]:
    params = complete_individual_params()
    params["country"] = country
    params["individual"] = {k: v for k, v in params["individual"].items() if k not in {"ssn_last_4", "id_number"}}
    params["individual"]["address"] = {"line1": "1 High Street", "city": "London", "postal_code": "SW1A 1AA"}
    return params


@pytest.mark.parametrize("country", ["GB", "DE"])
def test_outside_the_us_no_social_security_number_is_asked(country: str) -> None:
    keys = platform_with_keys()
    account = make_account(keys.platform, **_complete(country))
    assert account.requirements["currently_due"] == []
    assert account.requirements["eventually_due"] == ["individual.verification.document"]
    assert account.charges_enabled is True
    assert account.payouts_enabled is True


def test_the_same_details_without_an_ssn_are_not_enough_in_the_us() -> None:
    keys = platform_with_keys()
    account = make_account(keys.platform, **_complete("US"))
    assert account.requirements["currently_due"] == ["individual.ssn_last_4"]
    assert account.charges_enabled is False


def test_requirements_block_only_the_capabilities_that_need_them() -> None:
    keys = platform_with_keys()
    params = complete_individual_params()
    params["business_profile"] = {}  # no merchant category, no website
    account = make_account(keys.platform, **params)
    assert set(account.requirements["currently_due"]) == {"business_profile.mcc", "business_profile.url"}
    assert account.capabilities["card_payments"]["status"] == "inactive"
    assert account.capabilities["transfers"]["status"] == "active"
    assert account.charges_enabled is False
    assert account.payouts_enabled is True  # transfers to the bank account need neither


def _active_account() -> ConnectedAccount:
    keys = platform_with_keys()
    account = make_account(keys.platform, **complete_individual_params())
    assert account.charges_enabled
    assert account.payouts_enabled
    return account


def test_an_active_account_gets_a_deadline_then_is_restricted(settings: Any) -> None:
    settings.REQUIREMENTS_GRACE_DAYS = 3
    account = _active_account()
    started = time.time()
    account = account_update(account=account, params={"individual": {"address": {"line1": "address_no_match"}}})
    requirements = account.requirements
    assert requirements["currently_due"] == ["individual.address.line1"]
    assert requirements["past_due"] == []
    assert 3 * 86400 - 5 <= requirements["current_deadline"] - started <= 3 * 86400 + 5
    assert account.charges_enabled
    assert account.payouts_enabled

    # A second problem later does not move the deadline: it counts from the first.
    account = account_update(account=account, params={"business_profile": {"mcc": "", "url": ""}})
    assert account.requirements["current_deadline"] == requirements["current_deadline"]

    assert account_deadlines_enforce(now=requirements["current_deadline"] - 60) == 0
    assert account_deadlines_enforce(now=requirements["current_deadline"]) == 1
    account.refresh_from_db()
    assert set(account.requirements["past_due"]) == {
        "individual.address.line1",
        "business_profile.mcc",
        "business_profile.url",
    }
    assert account.charges_enabled is False
    assert account.payouts_enabled is False
    # Run again (another machine): nothing left to do.
    assert account_deadlines_enforce(now=requirements["current_deadline"] + 60) == 0


def test_the_evaluation_is_pure() -> None:
    account = _active_account()
    account.requirements_due_since = {"individual.address.line1": 1_000}
    account.persons.first().address["line1"] = "address_no_match"  # not saved: not seen
    before = dict(account.requirements)
    evaluate(account, now=2_000)
    assert account.requirements == before
    apply_requirements(account, now=2_000)
    assert account.requirements_due_since == {}

"""Objects as the API shows them, in the shape of the Stripe API."""

from __future__ import annotations

from typing import Any

from connect_support.accounts.models import ConnectedAccount, Person
from connect_support.embedded.models import AccountSession

_PROFILE_KEYS = (
    "mcc",
    "name",
    "product_description",
    "support_address",
    "support_email",
    "support_phone",
    "support_url",
    "url",
)
_EMPTY_REQUIREMENTS: dict[str, Any] = {
    "alternatives": [],
    "current_deadline": None,
    "currently_due": [],
    "disabled_reason": None,
    "errors": [],
    "eventually_due": [],
    "past_due": [],
    "pending_verification": [],
}


def _legacy_type(account: ConnectedAccount) -> str:
    shape = (account.dashboard_type, account.losses_payments, account.fees_payer, account.requirement_collection)
    return {
        ("full", "stripe", "account", "stripe"): "standard",
        ("express", "application", "application", "stripe"): "express",
        ("none", "application", "application", "application"): "custom",
    }.get(shape, "none")


def person_object(person: Person) -> dict[str, Any]:
    address = {key: person.address.get(key) for key in ("city", "country", "line1", "line2", "postal_code", "state")}
    return {
        "id": person.id,
        "object": "person",
        "account": person.account_id,
        "address": address,
        "created": person.created,
        "dob": {key: person.dob.get(key) for key in ("day", "month", "year")},
        "email": person.email or None,
        "first_name": person.first_name or None,
        "id_number_provided": person.id_number_provided,
        "last_name": person.last_name or None,
        "metadata": person.metadata,
        "phone": person.phone or None,
        "relationship": {
            "director": False,
            "executive": False,
            "owner": False,
            "percent_ownership": None,
            "representative": person.is_representative,
            "title": None,
            **person.relationship,
        },
        "ssn_last_4_provided": person.ssn_last_4_provided,
        "verification": {"status": "unverified", **person.verification},
    }


def account_object(account: ConnectedAccount) -> dict[str, Any]:
    external = account.external_accounts
    data: dict[str, Any] = {
        "id": account.id,
        "object": "account",
        "business_profile": {key: account.business_profile.get(key) for key in _PROFILE_KEYS},
        "business_type": account.business_type or None,
        "capabilities": {name: cap.get("status", "inactive") for name, cap in account.capabilities.items()},
        "charges_enabled": account.charges_enabled,
        "controller": {
            "fees": {"payer": account.fees_payer},
            "is_controller": True,
            "losses": {"payments": account.losses_payments},
            "requirement_collection": account.requirement_collection,
            "stripe_dashboard": {"type": account.dashboard_type},
            "type": "application",
        },
        "country": account.country,
        "created": account.created,
        "default_currency": account.default_currency,
        "details_submitted": account.details_submitted,
        "email": account.email or None,
        "external_accounts": {
            "object": "list",
            "data": [{**item, "account": account.id} for item in external],
            "has_more": False,
            "total_count": len(external),
            "url": f"/v1/accounts/{account.id}/external_accounts",
        },
        "future_requirements": account.future_requirements or dict(_EMPTY_REQUIREMENTS),
        "livemode": account.livemode,
        "metadata": account.metadata,
        "payouts_enabled": account.payouts_enabled,
        "requirements": account.requirements or dict(_EMPTY_REQUIREMENTS),
        "settings": account.settings,
        "tos_acceptance": {key: account.tos_acceptance.get(key) for key in ("date", "ip", "user_agent")},
        "type": _legacy_type(account),
    }
    if account.business_type in {"company", "non_profit", "government_entity"}:
        company = dict(account.company)
        data["company"] = {
            "address": company.get("address", {}),
            "name": company.get("name"),
            "phone": company.get("phone"),
            "structure": company.get("structure"),
            "tax_id_provided": bool(company.get("tax_id_provided")),
        }
    representative = account.representative
    if account.business_type == "individual" and representative is not None:
        data["individual"] = person_object(representative)
    return data


def account_session_object(session: AccountSession, client_secret: str) -> dict[str, Any]:
    return {
        "object": "account_session",
        "account": session.account_id,
        "client_secret": client_secret,
        "components": session.components,
        "expires_at": session.expires_at,
        "livemode": session.livemode,
    }


def list_object(url: str, data: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    return {"object": "list", "data": data, "has_more": has_more, "url": url}

"""Payout details: the bank account (sensitive: recent authentication)."""

from __future__ import annotations

from typing import Any

from connect_support.embedded import fields as f
from connect_support.embedded.fields import Field, Group
from connect_support.embedded.sections import (
    ENTITY_TYPES,
    Section,
    SectionContext,
    SectionError,
)

# --- payout details ------------------------------------------------------------------------------


def _bank_account(context: SectionContext) -> dict[str, Any] | None:
    accounts = context.account.external_accounts or []
    return accounts[0] if accounts else None


def _payout_groups(context: SectionContext) -> list[Group]:
    account = context.account
    holder = Field(
        "account_holder_name",
        "Account holder name",
        param="external_account[account_holder_name]",
        autocomplete="name",
        requirements=("external_account",),
    )
    if account.country == "US":
        bank = [
            holder,
            Field(
                "routing_number",
                "Routing number",
                param="external_account[routing_number]",
                inputmode="numeric",
                max_length=11,
                width="half",
                clean=f.clean_routing_number,
                autocomplete="off",
                requirements=("external_account",),
            ),
            Field(
                "account_number",
                "Account number",
                param="external_account[account_number]",
                inputmode="numeric",
                max_length=20,
                width="half",
                sensitive=True,
                clean=f.clean_us_account_number,
                autocomplete="off",
                requirements=("external_account",),
            ),
            Field(
                "account_number_confirmation",
                "Confirm account number",
                inputmode="numeric",
                max_length=20,
                width="half",
                sensitive=True,
                autocomplete="off",
                requirements=("external_account",),
            ),
        ]
    else:
        bank = [
            holder,
            Field(
                "iban",
                "IBAN",
                param="external_account[account_number]",
                max_length=42,
                sensitive=True,
                clean=f.clean_iban,
                autocomplete="off",
                requirements=("external_account",),
                help="Starts with a two-letter country code, for example FR76 3000 6000 0112 3456 7890 189.",
            ),
        ]
    current = _bank_account(context)
    description = "Where we send your payouts."
    if current is not None and current.get("last4"):
        description = f"Payouts go to the account ending in {current['last4']}. Enter new details to change it."
    return [Group(bank, legend="Bank account", description=description)]


def _payout_values(context: SectionContext) -> dict[str, Any]:
    current = _bank_account(context) or {}
    return {
        "account_holder_name": current.get("account_holder_name") or "",
        "routing_number": current.get("routing_number") or "",
    }


def _payout_params(context: SectionContext, cleaned: dict[str, Any]) -> dict[str, Any]:
    account = context.account
    holder_type = "company" if account.business_type in ENTITY_TYPES else "individual"
    external: dict[str, Any] = {
        "object": "bank_account",
        "account_holder_name": cleaned["account_holder_name"],
        "account_holder_type": holder_type,
        "currency": account.default_currency,
    }
    if "iban" in cleaned:
        external["account_number"] = cleaned["iban"]
        external["country"] = cleaned["iban"][:2]
    else:
        if cleaned.get("account_number") != cleaned.get("account_number_confirmation"):
            raise SectionError({"account_number_confirmation": "The account numbers don't match."})
        external["account_number"] = cleaned["account_number"]
        external["routing_number"] = cleaned["routing_number"]
        external["country"] = "US"
    return {"external_account": external}


def _payout_summary(context: SectionContext) -> list[tuple[str, str]]:
    current = _bank_account(context)
    if current is None:
        return [("Bank account", "Not provided")]
    rows = [("Bank account", f"•••• {current.get('last4', '')}")]
    if current.get("routing_number"):
        rows.append(("Routing number", str(current["routing_number"])))
    rows.append(("Account holder", str(current.get("account_holder_name") or "")))
    return rows


PAYOUT_DETAILS = Section(
    id="payout_details",
    title="Payout details",
    description="The bank account that receives your payouts.",
    groups=_payout_groups,
    values=_payout_values,
    to_params=_payout_params,
    summary=_payout_summary,
    sensitive=True,
)

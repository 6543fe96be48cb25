"""Personal details of the account's representative (sensitive: recent authentication)."""

from __future__ import annotations

from typing import Any

from connect_support.embedded import fields as f
from connect_support.embedded.fields import Field, Group
from connect_support.embedded.sections import (
    Section,
    SectionContext,
    address_fields,
    address_param,
    address_values,
    representative_prefixes,
)

# --- personal details ----------------------------------------------------------------------------


def _personal_groups(context: SectionContext) -> list[Group]:
    account = context.account
    person = context.representative
    us = account.country == "US"
    prefixes = ("individual", "representative")
    identity: list[Field] = [
        Field(
            "first_name",
            "First name",
            param="individual[first_name]",
            autocomplete="given-name",
            width="half",
            requirements=representative_prefixes("first_name"),
        ),
        Field(
            "last_name",
            "Last name",
            param="individual[last_name]",
            autocomplete="family-name",
            width="half",
            requirements=representative_prefixes("last_name"),
        ),
        Field(
            "email",
            "Email",
            kind="email",
            param="individual[email]",
            autocomplete="email",
            width="half",
            requirements=representative_prefixes("email"),
        ),
        Field(
            "phone",
            "Mobile phone",
            kind="tel",
            param="individual[phone]",
            autocomplete="tel",
            width="half",
            requirements=representative_prefixes("phone"),
            help="We text sign-in codes to this number.",
        ),
        Field(
            "dob",
            "Date of birth",
            kind="date",
            param="individual[dob]",
            autocomplete="bday",
            width="half",
            requirements=tuple(f"{p}.dob.{part}" for p in prefixes for part in ("day", "month", "year")),
        ),
    ]
    ssn_on_file = bool(person and (person.ssn_last_4_provided or person.id_number_provided))
    id_on_file = bool(person and person.id_number_provided)
    if us:
        identity.append(
            Field(
                "ssn_last_4",
                "Last 4 digits of SSN",
                param="individual[ssn_last_4]",
                required=not ssn_on_file,
                inputmode="numeric",
                max_length=4,
                width="half",
                sensitive=True,
                clean=f.clean_ssn_last_4,
                autocomplete="off",
                requirements=representative_prefixes("ssn_last_4"),
                help="On file. Enter it again only to change it." if ssn_on_file else "",
            ),
        )
    id_codes = set(representative_prefixes("id_number"))
    if id_codes & context.due or id_on_file:
        identity.append(
            Field(
                "id_number",
                "Social Security number" if us else "National ID number",
                param="individual[id_number]",
                required=bool(id_codes & context.due) and not id_on_file,
                sensitive=True,
                max_length=20,
                inputmode="numeric" if us else "",
                autocomplete="off",
                clean=f.clean_ssn if us else f.clean_national_id,
                requirements=tuple(id_codes),
                help="On file. Enter it again only to change it."
                if id_on_file
                else "We use it to verify your identity.",
            ),
        )
    return [
        Group(identity, legend="About you"),
        Group(
            address_fields(country=account.country, prefix="address_", requirement_prefixes=prefixes),
            legend="Home address",
            together=True,
        ),
    ]


def _personal_values(context: SectionContext) -> dict[str, Any]:
    person = context.representative
    if person is None:
        return {}
    dob = person.dob or {}
    born = ""
    if dob.get("year") and dob.get("month") and dob.get("day"):
        born = f"{int(dob['year']):04d}-{int(dob['month']):02d}-{int(dob['day']):02d}"
    values = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "phone": person.phone,
        "dob": born,
    }
    values.update(address_values(person.address or {}, "address_"))
    return values


def _personal_params(context: SectionContext, cleaned: dict[str, Any]) -> dict[str, Any]:
    individual: dict[str, Any] = {}
    for key in ("first_name", "last_name", "email", "phone", "dob"):
        if key in cleaned and cleaned[key] is not None:
            individual[key] = cleaned[key]
    for key in ("ssn_last_4", "id_number"):
        if cleaned.get(key):
            individual[key] = cleaned[key]
    address = address_param(cleaned, "address_", context.account.country)
    if address is not None:
        individual["address"] = address
    return {"individual": individual} if individual else {}


def _personal_summary(context: SectionContext) -> list[tuple[str, str]]:
    person = context.representative
    if person is None:
        return [("Name", "Not provided")]
    address = person.address or {}
    where = ", ".join(str(address[key]) for key in ("line1", "city", "state", "postal_code") if address.get(key))
    dob = person.dob or {}
    born = f"{dob.get('month')}/{dob.get('day')}/{dob.get('year')}" if dob.get("year") else "Not provided"
    return [
        ("Name", person.full_name or "Not provided"),
        ("Email", person.email or "Not provided"),
        ("Mobile phone", person.phone or "Not provided"),
        ("Date of birth", born),
        ("Home address", where or "Not provided"),
    ]


PERSONAL_DETAILS = Section(
    id="personal_details",
    title="Personal details",
    description="The person who runs the account. We verify this information to keep payments safe.",
    groups=_personal_groups,
    values=_personal_values,
    to_params=_personal_params,
    summary=_personal_summary,
    sensitive=True,
)

"""The forms of the components: what each one shows, and how its answers become an update.

Onboarding steps, the four edit dialogs of account management and the banner's compliance
forms are all sections of one catalogue (``catalogue.py``). A section describes itself for
the component (groups of fields with current values) and turns cleaned values into the
parameters of ``accounts.services.account_update``, in the same shape as
``POST /v1/accounts/:id``. A compliance form is a section narrowed to the fields that
answer its requirements. The sections themselves live in ``business_sections.py``,
``personal_sections.py`` and ``payout_sections.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from connect_support.accounts.models import ConnectedAccount, Person
from connect_support.embedded import fields as f
from connect_support.embedded.fields import Field, Group

ENTITY_TYPES = frozenset({"company", "non_profit", "government_entity"})


def representative_prefixes(code_suffix: str) -> tuple[str, ...]:
    return (f"individual.{code_suffix}", f"representative.{code_suffix}")


def address_fields(*, country: str, prefix: str, requirement_prefixes: tuple[str, ...]) -> list[Field]:
    def reqs(part: str) -> tuple[str, ...]:
        return tuple(f"{p}.address.{part}" for p in requirement_prefixes)

    us = country == "US"
    return [
        Field(
            f"{prefix}line1",
            "Street address",
            param="address[line1]",
            autocomplete="address-line1",
            requirements=reqs("line1"),
        ),
        Field(
            f"{prefix}line2",
            "Apartment, suite, etc.",
            param="address[line2]",
            required=False,
            autocomplete="address-line2",
        ),
        Field(
            f"{prefix}city",
            "City",
            param="address[city]",
            autocomplete="address-level2",
            width="third",
            requirements=reqs("city"),
        ),
        Field(
            f"{prefix}state",
            "State" if us else "Region",
            param="address[state]",
            autocomplete="address-level1",
            width="third",
            required=us,
            max_length=40,
        ),
        Field(
            f"{prefix}postal_code",
            "ZIP code" if us else "Postal code",
            param="address[postal_code]",
            autocomplete="postal-code",
            width="third",
            max_length=12,
            clean=f.clean_us_postal_code if us else f.clean_postal_code,
            requirements=reqs("postal_code"),
        ),
    ]


def address_values(address: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    return {f"{prefix}{key}": address.get(key, "") for key in ("line1", "line2", "city", "state", "postal_code")}


def address_param(cleaned: Mapping[str, Any], prefix: str, country: str) -> dict[str, Any] | None:
    keys = ("line1", "line2", "city", "state", "postal_code")
    if not any(f"{prefix}{key}" in cleaned for key in keys):
        return None
    address = {key: cleaned.get(f"{prefix}{key}") or "" for key in keys if f"{prefix}{key}" in cleaned}
    address["country"] = country
    return address


@dataclass(frozen=True)
class SectionContext:
    account: ConnectedAccount
    # "currently_due" or "eventually_due" (the components' collection options).
    fields: str = "currently_due"

    @property
    def representative(self) -> Person | None:
        return self.account.representative

    @property
    def due(self) -> set[str]:
        requirements = self.account.requirements or {}
        return set(requirements.get(self.fields, []) or []) | set(requirements.get("currently_due", []) or [])


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    description: str
    groups: Callable[[SectionContext], list[Group]]
    values: Callable[[SectionContext], dict[str, Any]]
    to_params: Callable[[SectionContext, dict[str, Any]], dict[str, Any]]
    summary: Callable[[SectionContext], list[tuple[str, str]]]
    # Personal and payout details need an authentication under ten minutes old.
    sensitive: bool = False

    def all_fields(self, context: SectionContext) -> list[Field]:
        return [item for group in self.groups(context) for item in group.fields]

    def describe(self, context: SectionContext, *, only: frozenset[str] | None = None) -> dict[str, Any]:
        values = self.values(context)
        groups = []
        for group in self.groups(context):
            shown = [item for item in group.fields if only is None or item.name in only]
            if shown:
                groups.append(
                    {
                        "legend": group.legend,
                        "description": group.description,
                        "fields": [item.describe(values.get(item.name, "")) for item in shown],
                        **group.extra,
                    }
                )
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "groups": groups,
            "requiresAuthentication": self.sensitive,
            "summary": [{"label": label, "value": value} for label, value in self.summary(context)],
        }

    def fields_for(self, context: SectionContext, requirements: set[str]) -> frozenset[str]:
        """The names of the fields that answer any of ``requirements`` (whole groups for
        groups answered together, such as an address)."""
        names: set[str] = set()
        for group in self.groups(context):
            matching = [item.name for item in group.fields if requirements.intersection(item.requirements)]
            if matching and group.together:
                names.update(item.name for item in group.fields)
            else:
                names.update(matching)
        return frozenset(names)


class SectionError(Exception):
    """Errors that involve more than one field, found after each field was cleaned."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors

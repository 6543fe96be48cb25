"""Business type, professional details and public details."""

from __future__ import annotations

from typing import Any

from connect_support.embedded import fields as f
from connect_support.embedded.fields import Field, Group
from connect_support.embedded.sections import (
    ENTITY_TYPES,
    Section,
    SectionContext,
    SectionError,
    address_fields,
    address_param,
    address_values,
)

BUSINESS_TYPES = (
    ("individual", "Individual or sole proprietor"),
    ("company", "Company"),
    ("non_profit", "Non-profit organization"),
)

# Merchant category codes offered as "industry": the common ones for small businesses.
INDUSTRIES = (
    ("5734", "Software"),
    ("5399", "General merchandise"),
    ("5691", "Clothing and accessories"),
    ("5944", "Jewelry and watches"),
    ("5945", "Toys, hobbies and games"),
    ("5942", "Books"),
    ("5970", "Art and craft supplies"),
    ("5971", "Art galleries"),
    ("5977", "Cosmetics and beauty products"),
    ("5499", "Food and grocery"),
    ("5812", "Restaurants and cafés"),
    ("5732", "Electronics"),
    ("5712", "Furniture and home goods"),
    ("5992", "Florists"),
    ("5995", "Pet supplies"),
    ("7230", "Hair and beauty salons"),
    ("7299", "Personal services"),
    ("7392", "Consulting and professional services"),
    ("8299", "Education and classes"),
    ("7997", "Fitness and sports clubs"),
    ("4121", "Transport and delivery"),
    ("8398", "Charitable organizations"),
    ("5999", "Other retail"),
)


# --- business type ------------------------------------------------------------------------------


def _business_type_groups(_context: SectionContext) -> list[Group]:
    return [
        Group(
            [
                Field(
                    "business_type",
                    "Type of business",
                    kind="select",
                    options=BUSINESS_TYPES,
                    param="business_type",
                    requirements=("business_type",),
                    help="Choose individual if you sell on your own, without a registered company.",
                ),
            ]
        )
    ]


BUSINESS_TYPE = Section(
    id="business_type",
    title="Tell us about your business",
    description="This decides which details we need to verify.",
    groups=_business_type_groups,
    values=lambda c: {"business_type": c.account.business_type},
    to_params=lambda _c, cleaned: {"business_type": cleaned["business_type"]},
    summary=lambda c: [("Type of business", dict(BUSINESS_TYPES).get(c.account.business_type, "Not provided"))],
)


# --- professional details ------------------------------------------------------------------------


def _professional_groups(context: SectionContext) -> list[Group]:
    account = context.account
    groups: list[Group] = []
    if account.business_type in ENTITY_TYPES:
        tax_on_file = bool(account.company.get("tax_id_provided"))
        us = account.country == "US"
        company_fields = [
            Field(
                "company_name",
                "Legal business name",
                param="company[name]",
                autocomplete="organization",
                requirements=("company.name",),
            ),
            Field(
                "company_tax_id",
                "Employer Identification Number (EIN)" if us else "Business tax ID",
                param="company[tax_id]",
                required=not tax_on_file,
                sensitive=True,
                max_length=20,
                clean=f.clean_ein if us else f.clean_tax_id,
                requirements=("company.tax_id",),
                help="On file. Enter it again only to change it." if tax_on_file else "",
            ),
            Field(
                "company_phone",
                "Business phone",
                kind="tel",
                param="company[phone]",
                autocomplete="tel",
                requirements=("company.phone",),
                width="half",
            ),
        ]
        groups.append(Group(company_fields, legend="Legal entity"))
        groups.append(
            Group(
                address_fields(country=account.country, prefix="company_address_", requirement_prefixes=("company",)),
                legend="Business address",
                together=True,
            )
        )
    groups.append(
        Group(
            [
                Field(
                    "mcc",
                    "Industry",
                    kind="select",
                    options=INDUSTRIES,
                    param="business_profile[mcc]",
                    requirements=("business_profile.mcc",),
                ),
                Field(
                    "url",
                    "Business website",
                    kind="url",
                    param="business_profile[url]",
                    required=False,
                    autocomplete="url",
                    inputmode="url",
                    requirements=("business_profile.url",),
                    help="Or describe what you sell below if you have no website.",
                ),
                Field(
                    "product_description",
                    "What you sell",
                    kind="textarea",
                    param="business_profile[product_description]",
                    required=False,
                    max_length=500,
                    requirements=("business_profile.url",),
                ),
            ],
            legend="What your business does",
        )
    )
    return groups


def _professional_values(context: SectionContext) -> dict[str, Any]:
    account = context.account
    profile = account.business_profile
    values = {
        "mcc": profile.get("mcc", ""),
        "url": profile.get("url", ""),
        "product_description": profile.get("product_description", ""),
        "company_name": account.company.get("name", ""),
        "company_phone": account.company.get("phone", ""),
    }
    values.update(address_values(account.company.get("address") or {}, "company_address_"))
    return values


def _professional_params(context: SectionContext, cleaned: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    profile = {key: cleaned[key] or "" for key in ("mcc", "url", "product_description") if key in cleaned}
    if "url" in cleaned and "product_description" in cleaned and not (cleaned["url"] or cleaned["product_description"]):
        raise SectionError({"url": "Enter your business website, or describe what you sell."})
    if profile:
        params["business_profile"] = profile
    company: dict[str, Any] = {}
    for name, key in (("company_name", "name"), ("company_phone", "phone"), ("company_tax_id", "tax_id")):
        if cleaned.get(name):
            company[key] = cleaned[name]
    address = address_param(cleaned, "company_address_", context.account.country)
    if address is not None:
        company["address"] = address
    if company:
        params["company"] = company
    return params


def _professional_summary(context: SectionContext) -> list[tuple[str, str]]:
    account = context.account
    profile = account.business_profile
    rows: list[tuple[str, str]] = []
    if account.business_type in ENTITY_TYPES:
        rows.append(("Legal business name", str(account.company.get("name") or "Not provided")))
        rows.append(("Tax ID", "Provided" if account.company.get("tax_id_provided") else "Not provided"))
    rows.append(("Industry", dict(INDUSTRIES).get(str(profile.get("mcc", "")), "Not provided")))
    rows.append(("Website", str(profile.get("url") or profile.get("product_description") or "Not provided")))
    return rows


PROFESSIONAL_DETAILS = Section(
    id="professional_details",
    title="Professional details",
    description="What your business is and what it does.",
    groups=_professional_groups,
    values=_professional_values,
    to_params=_professional_params,
    summary=_professional_summary,
)


# --- public details ------------------------------------------------------------------------------


def _public_groups(_context: SectionContext) -> list[Group]:
    return [
        Group(
            [
                Field(
                    "public_name",
                    "Public business name",
                    param="business_profile[name]",
                    autocomplete="organization",
                    help="The name your customers know you by.",
                ),
                Field(
                    "statement_descriptor",
                    "Statement descriptor",
                    param="settings[payments][statement_descriptor]",
                    max_length=22,
                    required=False,
                    clean=f.clean_statement_descriptor,
                    help="Shown on your customers' card statements: 5 to 22 characters.",
                ),
                Field(
                    "support_email",
                    "Customer support email",
                    kind="email",
                    param="business_profile[support_email]",
                    required=False,
                    autocomplete="email",
                    width="half",
                ),
                Field(
                    "support_phone",
                    "Customer support phone",
                    kind="tel",
                    param="business_profile[support_phone]",
                    required=False,
                    autocomplete="tel",
                    width="half",
                ),
                Field(
                    "support_url",
                    "Customer support website",
                    kind="url",
                    param="business_profile[support_url]",
                    required=False,
                    inputmode="url",
                ),
            ]
        )
    ]


def _public_values(context: SectionContext) -> dict[str, Any]:
    profile = context.account.business_profile
    payments = (context.account.settings or {}).get("payments", {})
    return {
        "public_name": profile.get("name", ""),
        "statement_descriptor": payments.get("statement_descriptor", ""),
        "support_email": profile.get("support_email", ""),
        "support_phone": profile.get("support_phone", ""),
        "support_url": profile.get("support_url", ""),
    }


def _public_params(_context: SectionContext, cleaned: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    profile = {
        key: cleaned[name] or ""
        for name, key in (
            ("public_name", "name"),
            ("support_email", "support_email"),
            ("support_phone", "support_phone"),
            ("support_url", "support_url"),
        )
        if name in cleaned
    }
    if profile:
        params["business_profile"] = profile
    if "statement_descriptor" in cleaned:
        params["settings"] = {"payments": {"statement_descriptor": cleaned["statement_descriptor"] or ""}}
    return params


def _public_summary(context: SectionContext) -> list[tuple[str, str]]:
    values = _public_values(context)
    return [
        ("Public business name", str(values["public_name"] or "Not provided")),
        ("Statement descriptor", str(values["statement_descriptor"] or "Not provided")),
        ("Support email", str(values["support_email"] or "Not provided")),
        ("Support phone", str(values["support_phone"] or "Not provided")),
    ]


PUBLIC_DETAILS = Section(
    id="public_details",
    title="Public details",
    description="What your customers see on receipts and card statements.",
    groups=_public_groups,
    values=_public_values,
    to_params=_public_params,
    summary=_public_summary,
)

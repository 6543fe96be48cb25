"""The parameters of each operation, declared once for parsing and for the OpenAPI document."""

from __future__ import annotations

from connect_support.api.params import Boolean, Hash, Integer, MapOf, Metadata, OneOf, Params, String

COUNTRY = String(max_length=2, pattern=r"[A-Za-z]{2}", upper=True, description="ISO 3166-1 alpha-2 country code")
CURRENCY = String(max_length=3, pattern=r"[A-Za-z]{3}", lower=True, description="ISO 4217 currency code")
SHORT = String(max_length=200)

ADDRESS = Hash(
    {
        "line1": SHORT,
        "line2": SHORT,
        "city": SHORT,
        "state": SHORT,
        "postal_code": String(max_length=20),
        "country": COUNTRY,
    }
)
DOB = Hash(
    {
        "day": Integer(minimum=1, maximum=31),
        "month": Integer(minimum=1, maximum=12),
        "year": Integer(minimum=1900, maximum=2100),
    }
)
INDIVIDUAL = Hash(
    {
        "first_name": String(max_length=100),
        "last_name": String(max_length=100),
        "email": String(max_length=254, pattern=r"[^@\s]+@[^@\s]+\.[^@\s]+"),
        "phone": String(max_length=40),
        "dob": DOB,
        "address": ADDRESS,
        "id_number": String(max_length=40),
        "ssn_last_4": String(max_length=4, pattern=r"\d{4}"),
        "metadata": Metadata(),
    }
)
BUSINESS_PROFILE = Hash(
    {
        "name": SHORT,
        "url": String(max_length=500),
        "mcc": String(max_length=4, pattern=r"\d{4}"),
        "product_description": String(max_length=2000),
        "support_email": String(max_length=254, pattern=r"[^@\s]+@[^@\s]+\.[^@\s]+"),
        "support_phone": String(max_length=40),
        "support_url": String(max_length=500),
        "support_address": ADDRESS,
    }
)
COMPANY = Hash(
    {
        "name": SHORT,
        "phone": String(max_length=40),
        "tax_id": String(max_length=40),
        "address": ADDRESS,
        "structure": String(max_length=60),
    }
)
CAPABILITY_NAMES = (
    "card_payments",
    "transfers",
    "us_bank_account_ach_payments",
    "sepa_debit_payments",
    "bacs_debit_payments",
    "link_payments",
    "tax_reporting_us_1099_k",
)
CONTROLLER = Hash(
    {
        "stripe_dashboard": Hash({"type": String(choices=("full", "express", "none"), allow_empty=False)}),
        "losses": Hash({"payments": String(choices=("stripe", "application"), allow_empty=False)}),
        "fees": Hash({"payer": String(choices=("account", "application"), allow_empty=False)}),
        "requirement_collection": String(choices=("stripe", "application"), allow_empty=False),
    }
)
BANK_ACCOUNT = Hash(
    {
        "object": String(choices=("bank_account",), allow_empty=False),
        "country": COUNTRY,
        "currency": CURRENCY,
        "account_number": String(max_length=40, pattern=r"[A-Za-z0-9 ]{4,40}"),
        "routing_number": String(max_length=20, pattern=r"[0-9A-Za-z-]{0,20}"),
        "account_holder_name": SHORT,
        "account_holder_type": String(choices=("individual", "company")),
    },
    required=("account_number",),
)
TOS = Hash(
    {
        "date": Integer(minimum=0, maximum=4102444800),
        "ip": String(max_length=45),
        "user_agent": String(max_length=500),
        "service_agreement": String(choices=("full", "recipient")),
    }
)
SETTINGS = Hash(
    {
        "payouts": Hash(
            {
                "schedule": Hash(
                    {
                        "interval": String(choices=("manual", "daily", "weekly", "monthly")),
                        "delay_days": String(max_length=7, pattern=r"minimum|\d{1,2}"),
                        "weekly_anchor": String(
                            choices=("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
                        ),
                        "monthly_anchor": Integer(minimum=1, maximum=31),
                    }
                ),
                "statement_descriptor": String(max_length=22),
            }
        ),
        "payments": Hash({"statement_descriptor": String(max_length=22)}),
    }
)

_ACCOUNT_FIELDS = {
    "email": String(max_length=254, pattern=r"[^@\s]+@[^@\s]+\.[^@\s]+"),
    "business_type": String(choices=("individual", "company", "non_profit", "government_entity")),
    "business_profile": BUSINESS_PROFILE,
    "company": COMPANY,
    "individual": INDIVIDUAL,
    "capabilities": MapOf(CAPABILITY_NAMES, Hash({"requested": Boolean()})),
    "default_currency": CURRENCY,
    "external_account": OneOf(String(max_length=200), BANK_ACCOUNT),
    "tos_acceptance": TOS,
    "settings": SETTINGS,
    "metadata": Metadata(),
}

ACCOUNT_CREATE = Params(
    {
        "type": String(choices=("standard", "express", "custom"), allow_empty=False),
        "controller": CONTROLLER,
        "country": COUNTRY,
        **_ACCOUNT_FIELDS,
    }
)
ACCOUNT_UPDATE = Params(dict(_ACCOUNT_FIELDS))
LIST = Params(
    {
        "limit": Integer(minimum=1, maximum=100),
        "starting_after": String(max_length=100),
        "ending_before": String(max_length=100),
        "created": Hash(
            {"gt": Integer(minimum=0), "gte": Integer(minimum=0), "lt": Integer(minimum=0), "lte": Integer(minimum=0)}
        ),
    }
)
EMPTY = Params({})

# Components of the Account Sessions API. The first three are implemented here; the rest
# are accepted and echoed so that platforms sharing code with other setups do not break.
IMPLEMENTED_COMPONENTS = ("account_onboarding", "account_management", "notification_banner")
OTHER_COMPONENTS = (
    "balances",
    "disputes_list",
    "documents",
    "financial_account",
    "financial_account_transactions",
    "instant_payouts_promotion",
    "issuing_card",
    "issuing_cards_list",
    "payment_details",
    "payment_disputes",
    "payments",
    "payouts",
    "payouts_list",
    "tax_registrations",
    "tax_settings",
)
_IMPLEMENTED_COMPONENT = Hash(
    {
        "enabled": Boolean(),
        "features": Hash({"external_account_collection": Boolean(), "disable_stripe_user_authentication": Boolean()}),
    },
    required=("enabled",),
)
_OTHER_FEATURES = (
    "capture_payments",
    "destination_on_behalf_of_charge_management",
    "dispute_management",
    "refund_management",
    "edit_payout_schedule",
    "instant_payouts",
    "standard_payouts",
    "external_account_collection",
    "disable_stripe_user_authentication",
)
_OTHER_COMPONENT = Hash(
    {"enabled": Boolean(), "features": MapOf(_OTHER_FEATURES, Boolean())},
    required=("enabled",),
)
ACCOUNT_SESSION_CREATE = Params(
    {
        "account": String(max_length=100, allow_empty=False),
        "components": Hash(
            {
                **dict.fromkeys(IMPLEMENTED_COMPONENTS, _IMPLEMENTED_COMPONENT),
                **dict.fromkeys(OTHER_COMPONENTS, _OTHER_COMPONENT),
            }
        ),
    },
    required=("account", "components"),
)

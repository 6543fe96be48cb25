"""The fields the components collect, and how each value is checked.

A field is described once: the components render it from this description (label, input
type, autocomplete, options) and the server parses what comes back with the same object.
Checks that need a standard (IBAN, US routing numbers, EINs, SSNs) use python-stdnum.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator, URLValidator
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.us import ein as stdnum_ein
from stdnum.us import rtn as stdnum_rtn
from stdnum.us import ssn as stdnum_ssn


class FieldError(Exception):
    """The value of one field cannot be accepted; the message is shown under the field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


Cleaner = Callable[[str], Any]


@dataclass(frozen=True)
class Field:
    """One input. ``param`` is the bracket name the account services report errors with."""

    name: str
    label: str
    kind: str = "text"  # text, email, tel, url, select, date, textarea, checkbox
    param: str = ""
    required: bool = True
    autocomplete: str = ""
    inputmode: str = ""
    options: tuple[tuple[str, str], ...] = ()
    help: str = ""
    max_length: int = 200
    width: str = "full"  # full, half, third
    clean: Cleaner | None = None
    # Requirements (dotted, as in the Accounts API) that this field answers.
    requirements: tuple[str, ...] = ()
    sensitive: bool = False

    def describe(self, value: Any = "") -> dict[str, Any]:
        described: dict[str, Any] = {
            "name": self.name,
            "label": self.label,
            "type": self.kind,
            "required": self.required,
            "value": "" if self.sensitive else value,
            "width": self.width,
            "maxlength": self.max_length,
        }
        for key, present in (("autocomplete", self.autocomplete), ("inputmode", self.inputmode), ("help", self.help)):
            if present:
                described[key] = present
        if self.options:
            described["options"] = [{"value": v, "label": label} for v, label in self.options]
        return described

    def parse(self, raw: Any) -> Any:
        """The cleaned value, ``None`` for an empty optional field, or ``FieldError``."""
        if self.kind == "checkbox":
            checked = raw in (True, "true", "on", "1", 1)
            if self.required and not checked:
                raise FieldError("Check this box to continue.")
            return checked
        text = raw.strip() if isinstance(raw, str) else ""
        if not text:
            if self.required:
                raise FieldError(f"Enter {_article(self.label)}." if self.kind != "select" else "Choose an option.")
            return None
        if len(text) > self.max_length:
            raise FieldError(f"Use at most {self.max_length} characters.")
        if self.options and text not in {value for value, _label in self.options}:
            raise FieldError("Choose one of the options.")
        if self.kind == "email":
            text = clean_email(text)
        elif self.kind == "url":
            text = clean_url(text)
        elif self.kind == "date":
            return clean_birth_date(text)
        return self.clean(text) if self.clean is not None else text


def _article(label: str) -> str:
    # "Enter your city", but "Enter your IBAN": acronyms keep their case.
    first = label.split(" ", maxsplit=1)[0]
    return f"your {label if first.isupper() else label[0].lower() + label[1:]}"


def parse_fields(fields: list[Field], values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Clean every field; returns the cleaned values and the errors by field name."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for item in fields:
        try:
            cleaned[item.name] = item.parse(values.get(item.name, ""))
        except FieldError as problem:
            errors[item.name] = problem.message
    return cleaned, errors


# --- value checks -------------------------------------------------------------------------------

_EMAIL = EmailValidator()
_URL = URLValidator(schemes=["http", "https"])


def clean_email(text: str) -> str:
    try:
        _EMAIL(text)
    except DjangoValidationError as exc:
        raise FieldError("Enter an email address like name@example.com.") from exc
    return text


def clean_url(text: str) -> str:
    candidate = text if "://" in text else f"https://{text}"
    try:
        _URL(candidate)
    except DjangoValidationError as exc:
        raise FieldError("Enter a web address like https://example.com.") from exc
    return candidate


def clean_birth_date(text: str, *, today: datetime.date | None = None) -> dict[str, int]:
    try:
        born = datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise FieldError("Enter the date as year-month-day, for example 1986-03-14.") from exc
    today = today or datetime.date.today()
    if born.year < 1900 or born >= today:
        raise FieldError("Enter a real date of birth.")
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if age < 13:
        raise FieldError("The person must be at least 13 years old.")
    return {"day": born.day, "month": born.month, "year": born.year}


def clean_routing_number(text: str) -> str:
    compact = re.sub(r"[\s-]", "", text)
    try:
        return str(stdnum_rtn.validate(compact))
    except StdnumValidationError as exc:
        raise FieldError(
            "This routing number isn't valid. It has 9 digits; check it on a cheque or with your bank."
        ) from exc


def clean_us_account_number(text: str) -> str:
    compact = re.sub(r"[\s-]", "", text)
    if not re.fullmatch(r"\d{4,17}", compact):
        raise FieldError("An account number has 4 to 17 digits.")
    return compact


def clean_iban(text: str) -> str:
    try:
        return str(stdnum_iban.validate(text))
    except StdnumValidationError as exc:
        raise FieldError("This IBAN isn't valid. Check it against your bank statement.") from exc


def clean_ein(text: str) -> str:
    try:
        return str(stdnum_ein.validate(text))
    except StdnumValidationError as exc:
        raise FieldError("Enter the 9-digit Employer Identification Number (EIN), like 12-3456789.") from exc


def clean_tax_id(text: str) -> str:
    compact = re.sub(r"[\s.-]", "", text).upper()
    if not re.fullmatch(r"[A-Z0-9]{5,20}", compact):
        raise FieldError("Enter the business's tax ID (5 to 20 letters and digits).")
    return compact


def clean_ssn(text: str) -> str:
    try:
        return str(stdnum_ssn.validate(text))
    except StdnumValidationError as exc:
        raise FieldError("Enter the 9-digit Social Security number, like 123-45-6789.") from exc


def clean_ssn_last_4(text: str) -> str:
    if not re.fullmatch(r"\d{4}", text):
        raise FieldError("Enter the last 4 digits of the Social Security number.")
    return text


def clean_national_id(text: str) -> str:
    compact = re.sub(r"[\s.-]", "", text).upper()
    if not re.fullmatch(r"[A-Z0-9]{4,20}", compact):
        raise FieldError("Enter the ID number as it appears on the document (4 to 20 letters and digits).")
    return compact


def clean_us_postal_code(text: str) -> str:
    if not re.fullmatch(r"\d{5}(-\d{4})?", text):
        raise FieldError("Enter a 5-digit ZIP code, like 94110.")
    return text


def clean_postal_code(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 -]{1,11}", text):
        raise FieldError("Enter a postal code.")
    return text.upper()


_DESCRIPTOR = re.compile(r"[A-Za-z0-9 .,&-]{5,22}")


def clean_statement_descriptor(text: str) -> str:
    text = text.upper()
    if not _DESCRIPTOR.fullmatch(text) or not re.search(r"[A-Z]", text):
        raise FieldError("Use 5 to 22 letters, digits or spaces (at least one letter); no < > \\ ' \" or *.")
    return text


@dataclass(frozen=True)
class Group:
    """Fields shown together under a legend (an address, the bank account)."""

    fields: list[Field]
    legend: str = ""
    description: str = ""
    # Answered as a whole: a compliance form about one of its fields shows all of them.
    together: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

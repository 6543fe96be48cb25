"""The checks behind the components' fields: bank numbers, tax and identity numbers, dates."""

from __future__ import annotations

import datetime

import pytest

from connect_support.embedded import fields
from connect_support.embedded.fields import Field, FieldError, parse_fields


@pytest.mark.parametrize("routing", ["110000000", "021000021", "0210-00021", " 011401533 "])
def test_valid_us_routing_numbers_are_accepted(routing: str) -> None:
    assert fields.clean_routing_number(routing) == routing.strip().replace("-", "")


@pytest.mark.parametrize("routing", ["110000001", "12345678", "abcdefghi", "0210000210"])
def test_invalid_us_routing_numbers_are_refused(routing: str) -> None:
    with pytest.raises(FieldError, match="routing number isn't valid"):
        fields.clean_routing_number(routing)


def test_ibans_are_checked_and_compacted() -> None:
    assert fields.clean_iban("FR76 3000 6000 0112 3456 7890 189") == "FR7630006000011234567890189"
    assert fields.clean_iban("de89370400440532013000") == "DE89370400440532013000"
    for wrong in ("FR76 3000 6000 0112 3456 7890 188", "XX00 1234", "DE8937040044053201300"):
        with pytest.raises(FieldError, match="IBAN isn't valid"):
            fields.clean_iban(wrong)


def test_us_account_numbers_are_digits() -> None:
    assert fields.clean_us_account_number("000 123-456 789") == "000123456789"
    for wrong in ("123", "12345678901234567890", "12ab5678"):
        with pytest.raises(FieldError):
            fields.clean_us_account_number(wrong)


def test_ein_and_ssn_use_their_standards() -> None:
    assert fields.clean_ein("12-3456789") == "123456789"
    with pytest.raises(FieldError):
        fields.clean_ein("00-0000000")
    assert fields.clean_ssn("123-45-6789") == "123456789"
    with pytest.raises(FieldError):
        fields.clean_ssn("000-00-0000")  # never issued


def test_birth_dates() -> None:
    today = datetime.date(2026, 6, 1)
    assert fields.clean_birth_date("1986-03-14", today=today) == {"day": 14, "month": 3, "year": 1986}
    for wrong, message in (
        ("14/03/1986", "year-month-day"),
        ("2030-01-01", "real date"),
        ("1899-12-31", "real date"),
        ("2020-01-01", "at least 13"),
    ):
        with pytest.raises(FieldError, match=message):
            fields.clean_birth_date(wrong, today=today)


def test_statement_descriptors() -> None:
    assert fields.clean_statement_descriptor("Fern and Fig") == "FERN AND FIG"
    for wrong in ("abc", "<script>", "12345", "A" * 23, 'FERN "FIG"'):
        with pytest.raises(FieldError):
            fields.clean_statement_descriptor(wrong)


def test_parse_fields_reports_each_field() -> None:
    form = [
        Field("email", "Email", kind="email"),
        Field("line2", "Apartment", required=False),
        Field("kind", "Type", kind="select", options=(("a", "A"),)),
        Field("accept", "I agree", kind="checkbox"),
        Field("url", "Website", kind="url", required=False),
    ]
    cleaned, errors = parse_fields(form, {"email": "nope", "line2": "  ", "kind": "b", "url": "shop.example"})
    assert errors == {
        "email": "Enter an email address like name@example.com.",
        "kind": "Choose one of the options.",
        "accept": "Check this box to continue.",
    }
    assert cleaned["line2"] is None
    assert cleaned["url"] == "https://shop.example"
    _cleaned, errors = parse_fields([Field("city", "City")], {"city": "x" * 201})
    assert errors == {"city": "Use at most 200 characters."}
    _cleaned, errors = parse_fields([Field("iban", "IBAN")], {})
    assert errors == {"iban": "Enter your IBAN."}

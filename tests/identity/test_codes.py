from __future__ import annotations

import pytest

from connect_support.identity.codes import (
    CodeFormatError,
    code_digest,
    decoy_masked_phone,
    digests_match,
    mask_phone,
    new_numeric_code,
    new_recovery_code,
    normalize_code,
    normalize_recovery_code,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("123456", "123456"),
        (" 123 456 ", "123456"),
        ("123-456", "123456"),
        ("１２３４５６", "123456"),  # full-width digits from an East Asian keyboard
        ("١٢٣٤٥٦", "123456"),  # Arabic-Indic digits
        ("12\u00a034\u202f56", "123456"),  # no-break spaces pasted from a message
    ],
)
def test_codes_people_type_are_read_as_digits(typed: str, expected: str) -> None:
    assert normalize_code(typed) == expected


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("12345", "all 6 digits"),
        ("1234567", "all 6 digits"),
        ("12345a", "no letters"),
        ("12345²", "no letters"),  # superscript two is a digit-like symbol, not a decimal digit
        ("123.456", "no letters"),
        ("", "all 6 digits"),
        ("1" * 10_000, "6-digit code"),
    ],
)
def test_malformed_codes_get_a_clear_message(typed: str, says: str) -> None:
    with pytest.raises(CodeFormatError, match=says):
        normalize_code(typed)


def test_codes_are_six_random_digits() -> None:
    codes = {new_numeric_code() for _ in range(200)}
    assert all(len(code) == 6 and code.isascii() and code.isdigit() for code in codes)
    assert len(codes) > 190  # 200 draws from a million rarely collide


def test_a_digest_is_bound_to_its_challenge() -> None:
    digest = code_digest(challenge_id="otp_a", code="123456")
    assert "123456" not in digest
    assert digests_match(digest, code_digest(challenge_id="otp_a", code="123456"))
    assert not digests_match(digest, code_digest(challenge_id="otp_b", code="123456"))
    assert not digests_match(digest, code_digest(challenge_id="otp_a", code="123457"))


def test_masks_show_only_the_last_four_digits() -> None:
    assert mask_phone("+14155550101") == "•••• 0101"
    decoy = decoy_masked_phone("nobody@example.com")
    assert decoy == decoy_masked_phone("nobody@example.com")  # the same answer on every try
    assert decoy.startswith("•••• ")
    assert len(decoy) == len("•••• 0101")


def test_recovery_codes_are_read_forgivingly() -> None:
    code = new_recovery_code()
    assert len(code) == 11
    assert code[5] == "-"
    assert normalize_recovery_code(code.upper().replace("-", " ")) == code.replace("-", "")

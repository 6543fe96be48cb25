from __future__ import annotations

import pytest

from connect_support.api.encoding import decode_body, decode_form
from connect_support.api.errors import ApiError


def test_bracket_nesting_builds_hashes_and_arrays() -> None:
    raw = (
        "email=a%40b.example&controller[losses][payments]=stripe&controller[fees][payer]=application"
        "&metadata[order]=42&expand[]=individual&expand[]=company&items[0][id]=x&items[1][id]=y"
    )
    assert decode_form(raw) == {
        "email": "a@b.example",
        "controller": {"losses": {"payments": "stripe"}, "fees": {"payer": "application"}},
        "metadata": {"order": "42"},
        "expand": ["individual", "company"],
        "items": [{"id": "x"}, {"id": "y"}],
    }


def test_unicode_and_empty_values_survive() -> None:
    assert decode_form("business_profile[name]=Caf%C3%A9%20%E2%98%95&metadata[note]=") == {
        "business_profile": {"name": "Café ☕"},
        "metadata": {"note": ""},
    }


@pytest.mark.parametrize(
    ("raw", "param"),
    [
        ("a=1&a[b]=2", "a"),
        ("a[b]=2&a=1", "a"),
        ("a[b[c]=1", "a[b[c]"),
        ("a[x][y][z][w][v][u][t][s][r]=1", "a[x][y][z][w][v][u][t][s][r]"),
    ],
)
def test_conflicting_or_broken_names_are_refused_with_the_param(raw: str, param: str) -> None:
    with pytest.raises(ApiError) as caught:
        decode_form(raw)
    assert caught.value.status == 400
    assert caught.value.param == param


def test_json_bodies_and_bad_bodies() -> None:
    assert decode_body(b'{"email": "x@y.example"}', "application/json") == {"email": "x@y.example"}
    with pytest.raises(ApiError) as caught:
        decode_body(b"{not json", "application/json")
    assert caught.value.status == 400
    with pytest.raises(ApiError) as caught:
        decode_body(b"[1, 2]", "application/json")
    assert caught.value.status == 400
    with pytest.raises(ApiError) as caught:
        decode_body(b"\xff\xfe", "application/x-www-form-urlencoded")
    assert caught.value.status == 400
    with pytest.raises(ApiError) as caught:
        decode_body(b"<xml/>", "application/xml")
    assert caught.value.status == 415


def test_too_many_fields_is_a_clear_error() -> None:
    with pytest.raises(ApiError) as caught:
        decode_body("&".join(f"metadata[k{i}]=v" for i in range(1200)).encode(), "application/x-www-form-urlencoded")
    assert caught.value.status == 400

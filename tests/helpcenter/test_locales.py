from __future__ import annotations

import pytest

from connect_support.helpcenter.locales import accept_language_locale, negotiate_locale, requested_locale


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("de-DE,de;q=0.9,fr;q=0.5,en;q=0.4", "fr"),
        ("de-DE,de;q=0.9", "en"),
        ("en-GB,fr;q=0.9", "en"),
        ("fr;q=0, en", "en"),
        ("*", "en"),
        ("fr;q=abc", "en"),
        ("", "en"),
        ("x" * 5000, "en"),
    ],
)
def test_accept_language(header: str, expected: str) -> None:
    assert accept_language_locale(header) == expected


def test_query_wins_over_header_and_unknown_values_are_ignored() -> None:
    assert negotiate_locale(query_locale="fr", accept_language="en") == "fr"
    assert negotiate_locale(query_locale="FR_ca", accept_language=None) == "fr"
    assert negotiate_locale(query_locale="xx", accept_language="fr") == "fr"
    assert negotiate_locale(query_locale=None, accept_language=None) == "en"
    assert requested_locale("<script>") is None

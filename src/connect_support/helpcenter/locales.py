"""Which language a support-site page is shown in.

``?locale=xx`` wins, then the browser's ``Accept-Language``, then English. The ASGI page
cache and the Django views both call :func:`negotiate_locale`, so a cached page is always
the one Django would have rendered for that request.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

DEFAULT_LOCALE = "en"


def supported_locales() -> tuple[str, ...]:
    return tuple(code for code, _name in settings.LANGUAGES)


def locale_names() -> dict[str, str]:
    return dict(settings.LANGUAGES)


def requested_locale(value: str | None) -> str | None:
    """A supported locale named by ``?locale=``, or None."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-")
    if code in supported_locales():
        return code
    base = code.split("-", 1)[0]
    return base if base in supported_locales() else None


@lru_cache(maxsize=512)
def accept_language_locale(header: str) -> str:
    """The best supported locale for an ``Accept-Language`` header (RFC 9110 weights)."""
    choices: list[tuple[float, int, str]] = []
    for position, part in enumerate(header[:500].split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                weight = float(params[2:])
            except ValueError:
                weight = 0.0
        if tag and weight > 0:
            choices.append((-weight, position, tag.strip().lower()))
    for _weight, _position, tag in sorted(choices):
        if tag == "*":
            return DEFAULT_LOCALE
        found = requested_locale(tag)
        if found:
            return found
    return DEFAULT_LOCALE


def negotiate_locale(*, query_locale: str | None, accept_language: str | None) -> str:
    return requested_locale(query_locale) or (
        accept_language_locale(accept_language) if accept_language else DEFAULT_LOCALE
    )

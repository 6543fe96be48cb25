"""Per-response adjustments of the security headers set for every page.

The defaults (``settings.CONTENT_SECURITY_POLICY``, ``X-Frame-Options: DENY``, COOP
``same-origin``) forbid framing and cross-origin openers. Two kinds of pages need less:
component frames, framed only by the platform's own allowed origins, and the
authentication popup, which must keep its cross-origin opener to report back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.http import HttpResponseBase

from connect_support.accounts.models import Platform
from connect_support.accounts.platform_settings import origin_normalize


def platform_origins(*, platform: Platform) -> list[str]:
    origins = (origin_normalize(str(value)) for value in platform.allowed_origins or [])
    return sorted({origin for origin in origins if origin})


def origin_allowed(*, platform: Platform, origin: str) -> str | None:
    """The normalized origin when the platform registered it, else None."""
    normalized = origin_normalize(origin)
    if normalized is None or normalized not in platform_origins(platform=platform):
        return None
    return normalized


def allow_framing_by(response: HttpResponseBase, origins: Iterable[str]) -> HttpResponseBase:
    """Let only these origins frame the response (component frames)."""
    allowed = [origin for origin in (origin_normalize(o) for o in origins) if origin]
    response._csp_replace = {"frame-ancestors": allowed or ["'none'"]}  # type: ignore[attr-defined]
    if allowed:
        response.xframe_options_exempt = True  # type: ignore[attr-defined]
    return response


def keep_cross_origin_opener(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Pages of the authentication popup: a ``same-origin`` COOP would sever the link to
    the platform's window, and the popup could not report back."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(*args, **kwargs)
        response.headers["Cross-Origin-Opener-Policy"] = "unsafe-none"
        return response

    return wrapped

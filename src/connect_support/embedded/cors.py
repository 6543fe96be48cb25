"""Cross-origin access to the component endpoints: only the platforms' registered origins.

The components run in the platform's page, so their requests come from the platform's
origin. A real request is answered with ``Access-Control-Allow-Origin`` only when its
``Origin`` is one the session's platform registered (exact match after normalizing); a
request from any other origin is refused before anything is read or written. A preflight
carries no token, so it is allowed for origins that some platform registered.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from connect_support.accounts.models import Platform
from connect_support.accounts.platform_settings import origin_normalize
from connect_support.identity.headers import platform_origins

ALLOWED_METHODS = "GET, POST, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type"
PREFLIGHT_MAX_AGE = "600"


def request_origin(request: HttpRequest) -> str | None:
    """The request's ``Origin`` header, or None for same-origin reads that send none."""
    raw = request.headers.get("Origin")
    return raw if raw else None


def origin_registered_by_any_platform(origin: str) -> str | None:
    normalized = origin_normalize(origin)
    if normalized is None:
        return None
    # The text search narrows the platforms cheaply; the exact comparison decides.
    candidates = Platform.objects.filter(allowed_origins__icontains=normalized.split("://", 1)[1])
    for platform in candidates:
        if normalized in platform_origins(platform=platform):
            return normalized
    return None


def allow_origin(response: HttpResponse, origin: str | None) -> HttpResponse:
    response["Vary"] = "Origin"
    if origin:
        response["Access-Control-Allow-Origin"] = origin
    return response


def preflight(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(status=204)
    origin = origin_registered_by_any_platform(request.headers.get("Origin", ""))
    allow_origin(response, origin)
    if origin:
        response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return response

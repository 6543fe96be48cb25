"""A platform's Connect settings: branding, site links and the origins allowed to embed.

Site links are the platform's pages that host components: co-branded emails send account
owners to the notification banner's page, with ``?stripe_account_id=acct_…`` appended.
Live-mode account sessions are refused until that link is set, so that no live email can
point nowhere. Allowed origins are ``scheme://host[:port]`` values; the component frames
may be framed by them only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction

from connect_support.accounts.errors import InvalidParameterError
from connect_support.accounts.models import Platform

MAX_ORIGINS = 20
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
SITE_LINKS = {"notification_banner": "notification_banner_url", "account_management": "account_management_url"}
BRANDING = {
    "business_name": "business_name",
    "logo": "logo_url",
    "icon": "icon_url",
    "primary_color": "brand_color",
    "secondary_color": "accent_color",
}
SUPPORT = {"url": "support_url", "email": "support_email"}


def origin_normalize(value: str) -> str | None:
    """``scheme://host[:port]`` in lower case without a default port, or None if ``value``
    is not an http(s) origin (paths, queries, credentials and wildcards are refused)."""
    if not value or len(value) > 300 or any(c in value for c in " *\\\n\r\t"):
        return None
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.username or parts.password:
        return None
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def _is_local(host: str) -> bool:
    return host in {"localhost", "127.0.0.1", "::1", "[::1]"} or host.endswith(".localhost")


def clean_site_url(value: Any, param: str) -> str:
    """An absolute https URL without credentials or fragment (http only for localhost)."""
    text = str(value or "").strip()
    if not text:
        return ""
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (raises on a malformed port)
    except ValueError as exc:
        raise InvalidParameterError(param, f"Invalid URL for {param}: {exc}.", "url_invalid") from exc
    host = (parts.hostname or "").lower()
    secure = parts.scheme == "https" or (parts.scheme == "http" and _is_local(host))
    if not host or not secure or parts.username or parts.password or parts.fragment or len(text) > 2000:
        raise InvalidParameterError(
            param,
            f"Invalid URL for {param}: give an absolute https URL without credentials or fragment "
            "(http is accepted for localhost only).",
            "url_invalid",
        )
    return text


def clean_origins(values: Any, param: str = "allowed_origins") -> list[str]:
    if isinstance(values, str):
        values = [values] if values else []
    if not isinstance(values, (list, tuple)):
        raise InvalidParameterError(param, f"Invalid array: {param} must be a list of origins.")
    if len(values) > MAX_ORIGINS:
        raise InvalidParameterError(param, f"A platform may allow at most {MAX_ORIGINS} origins.")
    cleaned: list[str] = []
    for index, value in enumerate(values):
        origin = origin_normalize(str(value))
        if origin is None:
            raise InvalidParameterError(
                f"{param}[{index}]",
                f"Invalid origin {str(value)[:100]!r}: give scheme://host[:port], e.g. https://app.example.com, "
                "without a path or wildcard.",
            )
        cleaned.append(origin)
    return list(dict.fromkeys(cleaned))


def _clean_color(value: Any, param: str) -> str:
    text = str(value or "").strip()
    if not _COLOR.fullmatch(text):
        raise InvalidParameterError(param, f"Invalid color for {param}: give a hex color such as #4f46e5.")
    return text.lower()


@transaction.atomic
def platform_settings_update(*, platform: Platform, params: Mapping[str, Any]) -> Platform:
    """Apply a partial update; every value is checked before anything is written."""
    platform = Platform.objects.select_for_update().get(pk=platform.pk)
    changes: dict[str, Any] = {}
    for key, field in SITE_LINKS.items():
        if key in params.get("site_links", {}):
            changes[field] = clean_site_url(params["site_links"][key], f"site_links[{key}]")
    branding = params.get("branding", {})
    for key, field in BRANDING.items():
        if key not in branding:
            continue
        param = f"branding[{key}]"
        if key.endswith("_color"):
            changes[field] = _clean_color(branding[key], param)
        elif key == "business_name":
            name = str(branding[key]).strip()
            if not name:
                raise InvalidParameterError(param, "The business name cannot be empty.")
            changes[field] = name[:200]
        else:
            changes[field] = clean_site_url(branding[key], param)
    support = params.get("support", {})
    if "url" in support:
        changes["support_url"] = clean_site_url(support["url"], "support[url]")
    if "email" in support:
        email = str(support["email"]).strip()
        if email and not re.fullmatch(r"[^@\s]{1,64}@[^@\s]{1,250}\.[^@\s]{2,}", email):
            raise InvalidParameterError("support[email]", "Invalid email address for support[email].")
        changes["support_email"] = email
    if "allowed_origins" in params:
        changes["allowed_origins"] = clean_origins(params["allowed_origins"])
    for field, value in changes.items():
        setattr(platform, field, value)
    if changes:
        platform.save(update_fields=list(changes))
    return platform


def live_sessions_blocker(*, platform: Platform, fresh: bool = False) -> str | None:
    """Why live-mode account sessions are refused for this platform, or None. ``fresh``
    reads the link from the database when the given (possibly remembered) row lacks it."""
    link = platform.notification_banner_url
    if not link and fresh:
        link = Platform.objects.filter(pk=platform.pk).values_list("notification_banner_url", flat=True).first() or ""
    if not link:
        return (
            "Set the notification banner site link (POST /v1/connect_settings with "
            "site_links[notification_banner]) before creating live-mode account sessions: "
            "emails to your accounts link to that page."
        )
    return None

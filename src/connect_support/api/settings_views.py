"""``/v1/connect_settings``: the calling platform's branding, site links and allowed origins.

Not a Stripe resource: Stripe keeps these in its dashboard. The shape follows the API's
conventions (form-encoded writes, partial updates, empty strings unset a link).
"""

from __future__ import annotations

from typing import Any

from connect_support.accounts.models import Platform
from connect_support.accounts.platform_settings import live_sessions_blocker, platform_settings_update
from connect_support.api.params import Hash, Params, String
from connect_support.api.pipeline import ApiRequest, api_endpoint
from connect_support.api.webhook_views import StringList

_URL = String(max_length=2000)
UPDATE = Params(
    {
        "branding": Hash(
            {
                "business_name": String(max_length=200),
                "logo": _URL,
                "icon": _URL,
                "primary_color": String(max_length=7),
                "secondary_color": String(max_length=7),
            }
        ),
        "site_links": Hash({"notification_banner": _URL, "account_management": _URL}),
        "support": Hash({"url": _URL, "email": String(max_length=254)}),
        "allowed_origins": StringList(max_items=20, allow_empty=True),
    }
)
EMPTY = Params({})


def settings_object(platform: Platform) -> dict[str, Any]:
    blocker = live_sessions_blocker(platform=platform)
    return {
        "object": "connect_settings",
        "platform": platform.pk,
        "branding": {
            "business_name": platform.display_name,
            "logo": platform.logo_url or None,
            "icon": platform.icon_url or None,
            "primary_color": platform.brand_color,
            "secondary_color": platform.accent_color,
        },
        "site_links": {
            "notification_banner": platform.notification_banner_url or None,
            "account_management": platform.account_management_url or None,
        },
        "support": {"url": platform.support_url or None, "email": platform.support_email or None},
        "allowed_origins": list(platform.allowed_origins or []),
        "live_account_sessions": {"allowed": blocker is None, "reason": blocker},
    }


def retrieve_settings(request: ApiRequest) -> dict[str, Any]:
    EMPTY.parse(request.params)
    return settings_object(request.key.platform)


def update_settings(request: ApiRequest) -> dict[str, Any]:
    params = UPDATE.parse(request.params)
    return settings_object(platform_settings_update(platform=request.key.platform, params=params))


connect_settings = api_endpoint(GET=retrieve_settings, POST=update_settings)

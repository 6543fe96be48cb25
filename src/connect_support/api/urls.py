from django.urls import path, re_path

from connect_support.api import settings_views, views, webhook_views
from connect_support.api.pipeline import not_found
from connect_support.embedded import loader

urlpatterns = [
    path("openapi.json", views.openapi, name="api-openapi"),
    path("accounts", views.accounts, name="api-accounts"),
    path("accounts/<str:account_id>", views.account, name="api-account"),
    path("account_sessions", views.account_sessions, name="api-account-sessions"),
    # The components' loader (docs/embedding.md): a stable entry, versioned immutable modules.
    path("connect.js", loader.entry, name="connect-js"),
    re_path(
        r"^connect/(?P<version>[0-9a-f]{16})/(?P<name>[a-z][a-z0-9_-]*\.js)$", loader.module, name="connect-module"
    ),
    # Platform webhooks (webhooks/): Stripe's webhook endpoint resource.
    path("webhook_endpoints", webhook_views.webhook_endpoints, name="api-webhook-endpoints"),
    path("webhook_endpoints/<str:endpoint_id>", webhook_views.webhook_endpoint, name="api-webhook-endpoint"),
    # The platform's own settings: branding, site links, allowed origins (not a Stripe resource).
    path("connect_settings", settings_views.connect_settings, name="api-connect-settings"),
    re_path(r"^(?P<rest>.*)$", not_found),
]

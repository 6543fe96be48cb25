"""The ASGI application: Django for HTTP, Channels for WebSockets."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connect_support.settings")

from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator

from connect_support.http_handler import sync_chain_asgi_application

django_application = sync_chain_asgi_application()

# Anonymous support-site pages are answered from rendered bytes before Django is entered.
# Static files come from memory, compressed, before Django too.
from connect_support.helpcenter.page_cache import HelpPageCache  # noqa: E402 (needs Django set up)
from connect_support.static_assets import StaticAssets  # noqa: E402

http_application = StaticAssets(HelpPageCache(django_application))

from connect_support.chat.ws_urls import websocket_urlpatterns as chat_websocket_routes  # noqa: E402
from connect_support.console.inbox_live import websocket_urlpatterns as inbox_websocket_routes  # noqa: E402

websocket_routes: list[object] = [*chat_websocket_routes, *inbox_websocket_routes]

application = ProtocolTypeRouter(
    {
        "http": http_application,
        "websocket": AllowedHostsOriginValidator(URLRouter(websocket_routes)),
    }
)

if os.environ.get("CONNECT_SUPPORT_SERVING") == "1":
    # Set by ``connect-support serve`` for its web processes (not for tests importing this).
    from connect_support.collector import collector_tune

    collector_tune()

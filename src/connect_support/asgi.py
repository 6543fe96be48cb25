"""The ASGI application: Django for HTTP, Channels for WebSockets."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connect_support.settings")

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402  (settings first)
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

django_application = get_asgi_application()

websocket_routes: list[object] = []

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": AllowedHostsOriginValidator(URLRouter(websocket_routes)),
    }
)

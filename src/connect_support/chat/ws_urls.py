"""WebSocket routes of live chat (mounted by ``connect_support.asgi``)."""

from django.urls import path

from connect_support.chat.consumers import AgentConsumer, CustomerConsumer

websocket_urlpatterns = [
    path("embedded-connect/chat/ws", CustomerConsumer.as_asgi()),
    path("console/chats/ws", AgentConsumer.as_asgi()),
]

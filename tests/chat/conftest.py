"""Chat fixtures: signed-in customers and agents (through identity's own sign-in services),
WebSocket clients on the real ASGI application (Channels' communicator), and the chat
settings reset between tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from tests.chat.support import ChatWorld
from tests.identity.fixtures import fresh_rate_limits

__all__ = ["fresh_rate_limits"]


@pytest.fixture
def world(transactional_db: None, settings: Any) -> ChatWorld:
    """Accounts, agents and their sessions; every chat timer at its default."""
    cache.delete("chat:queue-snapshot")
    return ChatWorld()

"""The numbers of live chat, kept in one place; ``docs/chat-protocol.md`` quotes them.

Each can be overridden by a Django setting of the same name prefixed with ``CHAT_``
(tests shorten the timers that way).
"""

from __future__ import annotations

from django.conf import settings

from connect_support.identity.policy import Limit

PROTOCOL_VERSION = 1

# Frames and text.
MAX_FRAME_BYTES = 16 * 1024
MAX_TEXT_CHARS = 4000
MAX_CLIENT_ID_CHARS = 64
MAX_ATTACHMENTS_PER_MESSAGE = 5
MAX_ATTACHMENTS_PER_CONVERSATION = 20

# The client pings every HEARTBEAT_SECONDS; a connection silent for SILENT_CLOSE_SECONDS
# is closed (browsers slow timers in background tabs down to once a minute).
HEARTBEAT_SECONDS = 25
SILENT_CLOSE_SECONDS = 90
# How often a connection re-checks its sign-in session (revoked, expired, idle).
SESSION_RECHECK_SECONDS = 60
# An agent's workspace counts as connected this long after its last heartbeat.
AGENT_PRESENCE_SECONDS = 120

# Per connection: a token bucket for all frames, and a stricter one for stored messages.
FRAMES_PER_SECOND = 10.0
FRAME_BURST = 30
MESSAGES_PER_SECOND = 3.0
MESSAGE_BURST = 10
# Frames refused for the rate beyond which the connection is closed (4429).
FLOOD_CLOSE_AFTER = 50

# New connections per signed-in session (reconnect storms).
CONNECTS_PER_SESSION = Limit("chat-connect-session", 30, 60)
# Generous: many people behind one office or carrier NAT share an address.
CONNECTS_PER_IP = Limit("chat-connect-ip", 3000, 60)
UPLOADS_PER_CONVERSATION = Limit("chat-upload", 20, 60 * 60)

# Agents' capacity: how many chats at once.
DEFAULT_CAPACITY = 3
MAX_CAPACITY = 50

# Threads for the database work of chat connections in each process, and how long each
# keeps a database connection open (chat/threads.py).
DB_THREADS = 3
DB_KEEP_SECONDS = 300

# The periodic sweep (idle closing, no-answer offers, queue upkeep) in each web process.
CLOCK_SECONDS = 15


def tunable(name: str) -> float:
    """``CHAT_<NAME>`` from the settings, else the constant above."""
    value = getattr(settings, f"CHAT_{name}", None)
    return float(value) if value is not None else float(globals()[name])

"""The wire protocol's small parts: close codes, frame decoding, per-connection rate limits.
``docs/chat-protocol.md`` is the reference for clients."""

from __future__ import annotations

import json
import time
from typing import Any

from connect_support.chat.errors import ChatRefusedError


class Close:
    """WebSocket close codes. 4xxx mirror the HTTP status with the same meaning."""

    NORMAL = 1000
    TOO_LARGE = 1009
    BAD_PROTOCOL = 4400
    NOT_SIGNED_IN = 4401
    FORBIDDEN = 4403
    NOT_FOUND = 4404
    SILENT = 4408
    SEQ_AHEAD = 4409
    TOO_MANY = 4429


def frame_decode(text: str) -> dict[str, Any]:
    """A JSON object with a string ``type``, or a refusal the client can read."""
    try:
        frame = json.loads(text)
    except ValueError:
        raise ChatRefusedError("bad_json", "Frames are JSON objects.") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise ChatRefusedError("bad_frame", 'Frames are JSON objects with a "type".')
    return frame


def frame_encode(frame: dict[str, Any]) -> str:
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


def whole_number(frame: dict[str, Any], name: str) -> int:
    value = frame.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value > 2**31:
        raise ChatRefusedError("bad_frame", f"{name} must be a whole number.")
    return value


def conversation_id(frame: dict[str, Any]) -> str:
    value = frame.get("conversation")
    if not isinstance(value, str) or not value.startswith("chat_") or len(value) > 40:
        raise ChatRefusedError("bad_frame", "conversation must be a chat id (chat_…).")
    return value


def attachment_ids(frame: dict[str, Any], limit: int) -> tuple[str, ...]:
    value = frame.get("attachments", [])
    if not isinstance(value, list) or len(value) > limit or not all(isinstance(v, str) and len(v) <= 40 for v in value):
        raise ChatRefusedError("bad_frame", f"attachments must be a list of at most {limit} file ids.")
    return tuple(dict.fromkeys(value))


class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` saved up."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def retry_after(self) -> float:
        return round(max(0.0, (1 - self.tokens) / self.rate), 2)

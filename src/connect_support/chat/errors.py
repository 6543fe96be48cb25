"""The one error a chat service raises when it refuses: a code clients can act on (listed
in ``docs/chat-protocol.md``), a sentence people can read, and optional details."""

from __future__ import annotations

from typing import Any


class ChatRefusedError(Exception):
    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def frame(self, **extra: Any) -> dict[str, Any]:
        return {"type": "error", "code": self.code, "message": self.message, **self.details, **extra}

"""The dev outbox: in the embedded mode every email is written to disk instead of sent.

Each message becomes one ``.eml`` file under ``$CONNECT_SUPPORT_DATA_DIR/outbox/`` so that a
person running the demo (or a test) can read what would have been sent.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage


def outbox_dir() -> Path:
    path = Path(settings.OUTBOX_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


class EmailOutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        directory = outbox_dir()
        sent = 0
        for message in email_messages:
            name = f"{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(4)}.eml"
            tmp = directory / (name + ".tmp")
            tmp.write_bytes(message.message().as_bytes(linesep="\r\n"))
            tmp.rename(directory / name)  # readers never see a half-written file
            sent += 1
        return sent

    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)

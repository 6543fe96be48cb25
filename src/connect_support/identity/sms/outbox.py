"""The dev outbox: messages are kept for the console and appended to ``sms.jsonl``.

The JSON lines file is the interface contract (``to`` and ``body`` per line); the rows
let the console show messages sent by any process, on any machine sharing the database.
"""

from __future__ import annotations

import fcntl
import json
import os

from django.utils import timezone

from connect_support.identity.models import OutboxSms
from connect_support.identity.sms import SmsReceipt
from connect_support.outbox import outbox_dir


class OutboxSmsBackend:
    def send(self, *, to: str, body: str) -> SmsReceipt:
        row = OutboxSms.objects.create(to=to, body=body)
        line = json.dumps(
            {"id": row.pk, "to": to, "body": body, "created": timezone.now().isoformat()}, ensure_ascii=False
        )
        path = outbox_dir() / "sms.jsonl"
        # One write of a whole line under an exclusive lock: concurrent workers never interleave.
        with path.open("a", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                handle.write(line + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return SmsReceipt(provider_id=f"outbox_{row.pk}")

"""Reading the dev outbox: texts kept by the ``outbox`` SMS backend and the ``.eml`` files
written by the email outbox backend under ``$OUTBOX_DIR``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from connect_support.identity.models import OutboxSms

EML_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.eml$")
MAX_EMAIL_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class OutboxEmail:
    name: str
    subject: str
    sender: str
    to: str
    sent_at: datetime
    size: int


@dataclass(frozen=True)
class OutboxEmailBody:
    summary: OutboxEmail
    text: str
    has_html: bool
    attachments: list[str]


def outbox_enabled() -> tuple[bool, bool]:
    """Whether texts and emails go to the outbox in this deployment."""
    return (
        settings.SMS_BACKEND == "outbox",
        settings.EMAIL_BACKEND == "connect_support.outbox.EmailOutboxBackend",
    )


def outbox_sms_recent(*, limit: int = 50) -> list[OutboxSms]:
    return list(OutboxSms.objects.order_by("-created_at", "-pk")[:limit])


def _directory() -> Path:
    return Path(settings.OUTBOX_DIR)


def _parse(path: Path) -> EmailMessage:
    with path.open("rb") as handle:
        message = BytesParser(policy=policy.default).parse(handle, headersonly=False)
    assert isinstance(message, EmailMessage)  # noqa: S101 (policy.default always builds EmailMessage)
    return message


def _summary(path: Path, message: EmailMessage) -> OutboxEmail:
    stat = path.stat()
    return OutboxEmail(
        name=path.name,
        subject=str(message.get("Subject", "(no subject)")),
        sender=str(message.get("From", "")),
        to=str(message.get("To", "")),
        sent_at=datetime.fromtimestamp(stat.st_mtime, tz=timezone.get_current_timezone()),
        size=stat.st_size,
    )


def outbox_emails_recent(*, limit: int = 50) -> list[OutboxEmail]:
    directory = _directory()
    if not directory.is_dir():
        return []
    paths = sorted(
        (p for p in directory.iterdir() if EML_NAME.match(p.name)), key=lambda p: p.stat().st_mtime, reverse=True
    )
    emails = []
    for path in paths[:limit]:
        try:
            emails.append(_summary(path, _parse(path)))
        except (OSError, ValueError):
            continue  # a file being removed, or one the parser cannot read: skip it, show the rest
    return emails


def outbox_email_read(*, name: str) -> OutboxEmailBody | None:
    """One email by file name; names are matched against the outbox's own pattern, so no
    path outside the outbox can be read."""
    if not EML_NAME.match(name):
        return None
    path = _directory() / name
    if not path.is_file() or path.stat().st_size > MAX_EMAIL_BYTES:
        return None
    message = _parse(path)
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    text = text_part.get_content() if text_part is not None else ""
    attachments = [part.get_filename() or "attachment" for part in message.iter_attachments()]
    return OutboxEmailBody(
        summary=_summary(path, message), text=str(text), has_html=html_part is not None, attachments=attachments
    )

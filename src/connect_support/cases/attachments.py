"""Attachments: what we accept (by content, never by name), and keeping them in storage.

Accepted: PDF, PNG, JPEG, HEIC by their signatures; plain text and CSV when the bytes are
text (valid UTF-8, or a single-byte encoding with no control characters). A file whose
name promises one type while its bytes are another is refused if the bytes are not one of
ours, and renamed to its real type if they are. Files are kept through Django's default
storage (the data folder, or S3-compatible storage: docs/email.md).
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import get_valid_filename

from connect_support.cases.models import Attachment, Case, CaseMessage

ALLOWED_BINARY = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/heic": ".heic",
}
_EXTENSIONS = {
    "application/pdf": {".pdf"},
    "image/png": {".png"},
    "image/jpeg": {".jpg", ".jpeg", ".jpe"},
    "image/heic": {".heic", ".heif"},
    "text/plain": {".txt", ".text", ".log"},
    "text/csv": {".csv"},
}
# What people call the types in messages.
TYPE_NAMES = {
    "application/pdf": "PDF",
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "image/heic": "HEIC photo",
    "text/plain": "text file",
    "text/csv": "CSV file",
}
ACCEPT_ATTRIBUTE = ".pdf,.png,.jpg,.jpeg,.heic,.heif,.txt,.csv"
_TEXT_CONTROL_ALLOWED = {9, 10, 12, 13}


logger = logging.getLogger(__name__)


def max_attachment_bytes() -> int:
    return int(getattr(settings, "CASES_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def max_attachment_count() -> int:
    return int(getattr(settings, "CASES_ATTACHMENT_MAX_FILES", 5))


class AttachmentRefusedError(ValueError):
    """The file cannot be kept; the message says why in words the sender understands."""


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    content: bytes


def _looks_like_text(content: bytes) -> bool:
    sample = content[: 256 * 1024]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the sample's end is still text.
        if error.start < len(sample) - 4:
            return _single_byte_text(sample)
    return all(byte >= 32 or byte in _TEXT_CONTROL_ALLOWED for byte in sample)


def _single_byte_text(sample: bytes) -> bool:
    return all(byte >= 32 or byte in _TEXT_CONTROL_ALLOWED for byte in sample) and sample.count(b"\x7f") == 0


def _safe_name(filename: str) -> str:
    base = os.path.basename((filename or "").replace("\\", "/")).strip()
    try:
        cleaned = get_valid_filename(base)
    except Exception:  # Django raises SuspiciousFileOperation for names like ".."
        cleaned = ""
    cleaned = cleaned.lstrip(".")[:120]
    return cleaned or "attachment"


def sniff(content: bytes) -> str | None:
    """The content type the bytes are, among the ones we accept; None otherwise."""
    kind = filetype.guess(content[:8192])
    if kind is not None:
        return kind.mime if kind.mime in ALLOWED_BINARY else None
    return "text/plain" if _looks_like_text(content) else None


def describe(content: bytes) -> str:
    kind = filetype.guess(content[:8192])
    return f"{kind.mime}" if kind is not None else "unrecognised binary data"


def attachment_check(*, filename: str, content: bytes) -> CheckedFile:
    """A file we may keep, with a safe name whose extension tells the truth."""
    name = _safe_name(filename)
    if not content:
        raise AttachmentRefusedError(f"“{name}” is empty (0 bytes).")
    limit = max_attachment_bytes()
    if len(content) > limit:
        raise AttachmentRefusedError(
            f"“{name}” is {len(content) / 1_048_576:.1f} MB; files can be at most {limit // 1_048_576} MB."
        )
    content_type = sniff(content)
    if content_type is None:
        raise AttachmentRefusedError(
            f"“{name}” is not a PDF, PNG, JPEG, HEIC, TXT or CSV file (its content is {describe(content)})."
        )
    stem, extension = os.path.splitext(name)
    extension = extension.lower()
    if content_type == "text/plain" and extension == ".csv":
        content_type = "text/csv"
    if extension not in _EXTENSIONS[content_type]:
        # Named as something else: keep the bytes under their real type's extension.
        real = ALLOWED_BINARY.get(content_type, ".txt")
        name = f"{stem or 'attachment'}{extension}{real}"[:120]
    return CheckedFile(filename=name, content_type=content_type, content=content)


class AttachmentStorageError(Exception):
    """The file store refused a file (disk full, quota, permissions): nothing was kept."""


def attachment_store(*, case: Case, message: CaseMessage, checked: CheckedFile) -> Attachment:
    """Write the file, then its row. A store that fails leaves no partial file behind and
    raises ``AttachmentStorageError``, so the caller's transaction rolls back whole."""
    attachment = Attachment(
        case=case,
        message=message,
        filename=checked.filename,
        content_type=checked.content_type,
        size=len(checked.content),
        sha256=hashlib.sha256(checked.content).hexdigest(),
        created_at=timezone.now(),
    )
    storage = attachment.file.storage
    # The name the file gets, known before writing: a write that fails half-way (a full
    # disk) leaves a partial file that must go too.
    field = attachment.file.field
    intended = storage.get_available_name(
        field.generate_filename(attachment, checked.filename), max_length=field.max_length
    )
    try:
        attachment.file.name = storage.save(intended, ContentFile(checked.content), max_length=field.max_length)
    except OSError as error:
        try:
            storage.delete(intended)
        except OSError:
            logger.warning("Could not delete the partial file %s.", intended)
        raise AttachmentStorageError(
            f"The file store refused {checked.filename!r}: {error.strerror or error}"
        ) from error
    attachment.save(force_insert=True)
    return attachment


def attachments_discard(attachments: list[Attachment]) -> None:
    """Delete the stored files of attachments whose rows are being rolled back."""
    for attachment in attachments:
        try:
            attachment.file.storage.delete(attachment.file.name)
        except OSError:
            logger.warning("Could not delete %s after a failed store.", attachment.file.name)

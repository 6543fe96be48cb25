"""Everything kept about a data subject, as JSON documents and the files themselves in
one ZIP.

The archive is written to an anonymous temporary file, row by row and file by file (JSON
lists are written item by item, attachments copied from storage in 1 MiB blocks), so the
memory it takes does not grow with the size of the export; the console then streams the
file. Keys, digests and tokens are never exported: they are ours, not the subject's.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.db.models import FileField, Model, Prefetch
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import get_valid_filename

from connect_support.cases.models import InboundEmail
from connect_support.identity.audit import AuditKind, audit_record
from connect_support.privacy import scope
from connect_support.privacy.scope import ACCOUNT, DataSubject
from connect_support.risk.models import InterventionFile

COPY_BLOCK = 1024 * 1024
# Ours, not the subject's: never exported.
_NEVER_EXPORTED = frozenset(
    {"code_digest", "rate_key", "secret_digest", "digest", "reply_token", "form_token", "secret", "raw", "content"}
)


@dataclass
class ExportArchive:
    """The finished ZIP in a temporary file (deleted when closed), positioned at its start."""

    file: IO[bytes]
    size: int
    filename: str
    counts: dict[str, int] = field(default_factory=dict)
    missing_files: list[str] = field(default_factory=list)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    return value


def export_row(obj: Model) -> dict[str, Any]:
    """A model row as JSON: every concrete field but secrets, foreign keys as ids."""
    row: dict[str, Any] = {}
    for model_field in obj._meta.concrete_fields:
        if model_field.name in _NEVER_EXPORTED:
            continue
        value = model_field.value_from_object(obj)
        if isinstance(model_field, FileField):
            continue  # the file itself is in the archive; its "path" is given beside it
        row[model_field.attname if model_field.is_relation else model_field.name] = _json_value(value)
    return row


def _safe(name: str) -> str:
    return get_valid_filename(name.replace("/", "_").replace("\\", "_"))[:120] or "file"


class _Writer:
    """Writes the documents; files named while a document is open (a ZIP takes one entry
    at a time) are queued and copied right after it."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.counts: dict[str, int] = {}
        self.missing: list[str] = []
        self.stored: list[tuple[str, str]] = []
        self.mails: list[tuple[str, str]] = []
        self.documents: list[tuple[str, str]] = []

    def flush(self) -> None:
        for arcname, storage_name in self.stored:
            self.stored_file(arcname, storage_name)
        for arcname, pk in self.mails:
            raw = InboundEmail.objects.filter(pk=pk).values_list("raw", flat=True).first()
            self.raw_file(arcname, bytes(raw or b""))
        for arcname, pk in self.documents:
            content = InterventionFile.objects.filter(pk=pk).values_list("content", flat=True).first()
            self.raw_file(arcname, bytes(content or b""))
        self.stored, self.mails, self.documents = [], [], []

    def json_list(self, name: str, rows: Iterable[dict[str, Any]]) -> None:
        count = 0
        with self.archive.open(name, "w", force_zip64=True) as out:
            out.write(b"[")
            for row in rows:
                out.write(b",\n" if count else b"\n")
                out.write(json.dumps(row, ensure_ascii=False, default=str).encode())
                count += 1
            out.write(b"\n]\n")
        self.counts[name.removesuffix(".json")] = count
        self.flush()

    def json_document(self, name: str, document: Any) -> None:
        with self.archive.open(name, "w") as out:
            out.write(json.dumps(document, ensure_ascii=False, indent=2, default=str).encode())

    def stored_file(self, arcname: str, storage_name: str) -> None:
        try:
            source = default_storage.open(storage_name, "rb")
        except (OSError, ValueError):
            self.missing.append(arcname)
            return
        with source, self.archive.open(zipfile.ZipInfo(arcname, _zip_time()), "w", force_zip64=True) as out:
            shutil.copyfileobj(source, out, COPY_BLOCK)

    def queue_stored(self, arcname: str, storage_name: str) -> str | None:
        if not storage_name:
            return None
        self.stored.append((arcname, storage_name))
        return arcname

    def raw_file(self, arcname: str, content: bytes) -> None:
        self.archive.writestr(zipfile.ZipInfo(arcname, _zip_time()), content)


def _zip_time() -> tuple[int, int, int, int, int, int]:
    now = timezone.now()
    return (now.year, now.month, now.day, now.hour, now.minute, now.second)


def _stored_files(writer: _Writer, folder: str, attachments: Iterable[Any]) -> list[dict[str, Any]]:
    """Rows for files kept in storage, each queued into the archive under ``folder``."""
    rows = []
    for attachment in attachments:
        item = export_row(attachment)
        arcname = f"{folder}/{attachment.pk}/{_safe(attachment.filename)}"
        item["path"] = writer.queue_stored(arcname, attachment.file.name)
        rows.append(item)
    return rows


def _cases(writer: _Writer, subject: DataSubject) -> Iterator[dict[str, Any]]:
    cases = scope.subject_cases(subject).prefetch_related("messages", "changes", "attachments")
    for case in cases.order_by("created_at").iterator(chunk_size=100):
        row = export_row(case)
        row["messages"] = [export_row(message) for message in case.messages.all()]
        row["changes"] = [export_row(change) for change in case.changes.all()]
        row["attachments"] = _stored_files(writer, f"attachments/cases/{case.pk}", case.attachments.all())
        yield row


def _chats(writer: _Writer, subject: DataSubject) -> Iterator[dict[str, Any]]:
    chats = scope.subject_chats(subject).prefetch_related("items", "attachments", "participations")
    for chat in chats.order_by("created_at").iterator(chunk_size=100):
        row = export_row(chat)
        row["items"] = [export_row(item) for item in chat.items.all()]
        row["participations"] = [export_row(part) for part in chat.participations.all()]
        row["attachments"] = _stored_files(writer, f"attachments/chats/{chat.pk}", chat.attachments.all())
        yield row


def _interventions(writer: _Writer, subject: DataSubject) -> Iterator[dict[str, Any]]:
    for intervention in scope.subject_interventions(subject).prefetch_related("decisions").order_by("created_at"):
        row = export_row(intervention)
        row["decisions"] = [export_row(decision) for decision in intervention.decisions.all()]
        yield row


def _responses(writer: _Writer, subject: DataSubject) -> Iterator[dict[str, Any]]:
    responses = scope.subject_intervention_responses(subject).prefetch_related(
        Prefetch("files", queryset=InterventionFile.objects.defer("content"))
    )
    for response in responses.order_by("submitted_at").iterator(chunk_size=50):
        row = export_row(response)
        files = []
        for document in response.files.all():
            item = export_row(document)
            arcname = f"attachments/interventions/{response.intervention_id}/{document.pk}/{_safe(document.filename)}"
            writer.documents.append((arcname, document.pk))
            item["path"] = arcname
            files.append(item)
        row["files"] = files
        yield row


def _inbound(writer: _Writer, subject: DataSubject) -> Iterator[dict[str, Any]]:
    mails = scope.subject_inbound_emails(subject).defer("raw")
    for mail in mails.order_by("received_at").iterator(chunk_size=200):
        row = export_row(mail)
        row["path"] = None if mail.raw_pruned else f"mail/{mail.pk}.eml"
        if row["path"]:
            writer.mails.append((row["path"], mail.pk))
        yield row


def _rows(queryset: Any, order: str) -> Iterator[dict[str, Any]]:
    for obj in queryset.order_by(order).iterator(chunk_size=500):
        yield export_row(obj)


def _write_archive(writer: _Writer, subject: DataSubject) -> None:
    if subject.kind == ACCOUNT and subject.account is not None:
        account = export_row(subject.account)
        account["platform_name"] = subject.account.platform.display_name
        writer.json_document("account.json", account)
    writer.json_list("persons.json", _rows(scope.subject_persons(subject), "created"))
    writer.json_list("cases.json", _cases(writer, subject))
    writer.json_list("chats.json", _chats(writer, subject))
    writer.json_list("satisfaction_ratings.json", _rows(scope.subject_ratings(subject), "created_at"))
    writer.json_list("emails_sent.json", _rows(scope.subject_outbound_emails(subject), "created_at"))
    writer.json_list("account_emails.json", _rows(scope.subject_account_emails(subject), "created_at"))
    writer.json_list("emails_received.json", _inbound(writer, subject))
    writer.json_list("interventions.json", _interventions(writer, subject))
    writer.json_list("intervention_answers.json", _responses(writer, subject))
    writer.json_list("sign_ins.json", _rows(scope.subject_sign_in_sessions(subject), "created_at"))
    writer.json_list("sms_codes_sent.json", _rows(scope.subject_sms_challenges(subject), "created_at"))
    writer.json_list("component_sessions.json", _rows(scope.subject_account_sessions(subject), "created"))
    writer.json_list("articles_that_helped.json", _rows(scope.subject_deflections(subject), "at"))
    writer.json_list("platform_events.json", _rows(scope.subject_webhook_events(subject), "created"))
    writer.json_list("audit_events.json", _rows(scope.subject_audit_events(subject), "at"))


def privacy_export(*, subject: DataSubject, actor: User, request: HttpRequest | None = None) -> ExportArchive:
    """Build the archive and record who exported what. The caller streams and closes it."""
    handle = tempfile.TemporaryFile(prefix="privacy-export-")  # noqa: SIM115 (closed by the response)
    try:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            writer = _Writer(archive)
            _write_archive(writer, subject)
            writer.json_document(
                "manifest.json",
                {
                    "subject": {"kind": subject.kind, "value": subject.value},
                    "generated_at": timezone.now().isoformat(),
                    "generated_by": actor.email,
                    "documents": writer.counts,
                    "missing_files": writer.missing,
                },
            )
        size = handle.tell()
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    label = subject.value if subject.kind == ACCOUNT else "requester"
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    audit_record(
        kind=AuditKind.PRIVACY_EXPORTED,
        request=request,
        actor=actor,
        subject_label=subject.value,
        account_id=subject.value if subject.kind == ACCOUNT else "",
        detail={"scope": subject.kind, "target": subject.value, "bytes": size, "documents": writer.counts},
    )
    return ExportArchive(
        file=handle,
        size=size,
        filename=f"personal-data-{label}-{stamp}.zip",
        counts=writer.counts,
        missing_files=writer.missing,
    )

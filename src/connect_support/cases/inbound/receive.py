"""From received bytes to a case update, losing nothing.

1. ``inbound_mail_store`` commits the raw bytes first. Only then does a receiver accept
   the message (SMTP 250, HTTP 200, pipe exit 0), so a crash before that makes the sender
   try again, and a crash after it leaves a row that the periodic job processes.
2. ``inbound_mail_process`` parses, classifies, threads and writes the case change and
   the row's outcome in one transaction. Whatever goes wrong quarantines the row with a
   reason that the console shows; the raw bytes stay for a person to look at.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from connect_support.cases.attachments import max_attachment_count
from connect_support.cases.delivery import outbound_mark_bounced
from connect_support.cases.inbound.classify import classify
from connect_support.cases.inbound.matching import find_case
from connect_support.cases.inbound.mime import ParsedMail, UnreadableMailError, parse_mail
from connect_support.cases.inbound.replies import strip_reply
from connect_support.cases.models import Case, CaseMessage, InboundEmail, OutboundEmail
from connect_support.cases.services import (
    CaseClosedError,
    MessageInput,
    case_add_requester_message,
    case_create,
)
from connect_support.identity.policy import Limit
from connect_support.identity.ratelimit import rate_limit_hit

logger = logging.getLogger(__name__)
Status = InboundEmail.Status


def max_inbound_bytes() -> int:
    return int(getattr(settings, "CASES_INBOUND_MAX_BYTES", 40 * 1024 * 1024))


def inbound_mail_store(
    *, raw: bytes, source: str, peer: str = "", envelope_from: str = "", envelope_to: Sequence[str] = ()
) -> InboundEmail:
    """Keep the message exactly as received, committed, before anything reads it."""
    with transaction.atomic():
        return InboundEmail.objects.create(
            source=source[:40],
            peer=peer[:100],
            envelope_from=envelope_from[:320],
            envelope_to=[address[:320] for address in envelope_to][:50],
            raw=raw,
            size=len(raw),
            sha256=hashlib.sha256(raw).hexdigest(),
            received_at=timezone.now(),
        )


def inbound_mail_receive(
    *, raw: bytes, source: str, peer: str = "", envelope_from: str = "", envelope_to: Sequence[str] = ()
) -> InboundEmail:
    """Store, then process. Returns the row with its outcome."""
    row = inbound_mail_store(raw=raw, source=source, peer=peer, envelope_from=envelope_from, envelope_to=envelope_to)
    return inbound_mail_process(inbound_id=row.pk, row=row)


def _finish(row: InboundEmail, status: str, code: str, reason: str, case: Case | None = None) -> InboundEmail:
    row.status = status
    row.reason_code = code
    row.reason = reason[:500]
    row.case = case
    row.processed_at = timezone.now()
    InboundEmail.objects.filter(pk=row.pk).update(
        status=row.status,
        reason_code=row.reason_code,
        reason=row.reason,
        case=case,
        processed_at=row.processed_at,
        message_id=row.message_id,
        from_address=row.from_address,
        subject=row.subject,
        attempts=row.attempts,
    )
    return row


def inbound_mail_process(*, inbound_id: str, released: bool = False, row: InboundEmail | None = None) -> InboundEmail:
    """Process a stored message once; never raises for anything the message contains.
    ``row`` is the row just stored, when the caller has it (saves reading it back)."""
    if row is None or row.pk != inbound_id:
        row = InboundEmail.objects.get(pk=inbound_id)
    if row.status != Status.RECEIVED:
        return row
    row.attempts += 1
    try:
        with transaction.atomic():
            return _process(row, released=released)
    except Exception as error:  # any failure quarantines the message instead of losing it
        logger.exception("inbound mail processing failed", extra={"inbound": row.pk})
        row.refresh_from_db(fields=["status"])
        if row.status != Status.RECEIVED:
            return row
        return _finish(
            row, Status.QUARANTINED, "processing_error", f"Processing failed ({type(error).__name__}: {error})"
        )


def _acknowledgements_last_hour(address: str) -> int:
    since = timezone.now() - timedelta(hours=1)
    return OutboundEmail.objects.filter(
        to=address, kind=OutboundEmail.Kind.ACKNOWLEDGEMENT, created_at__gte=since
    ).count()


def _message_input(row: InboundEmail, parsed: ParsedMail, *, reply: bool) -> MessageInput:
    notes = list(parsed.problems)
    text = parsed.text
    if reply:
        text, stripped = strip_reply(text)
        if stripped:
            notes.append("Quoted history and signature removed (the full message is kept as received).")
    limit = max_attachment_count()
    files = parsed.attachments[:limit]
    if len(parsed.attachments) > limit:
        notes.append(f"Only the first {limit} of {len(parsed.attachments)} attachments were kept.")
    return MessageInput(
        body_text=text,
        body_html=parsed.html,
        files=files,
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to[-1] if parsed.in_reply_to else "",
        inbound=row,
        notes=notes,
    )


def _process(row: InboundEmail, *, released: bool) -> InboundEmail:
    if row.size > max_inbound_bytes():
        return _finish(
            row,
            Status.QUARANTINED,
            "too_large",
            f"Message is {row.size / 1_048_576:.1f} MB; the limit is {max_inbound_bytes() // 1_048_576} MB",
        )
    try:
        parsed = parse_mail(bytes(row.raw))
    except UnreadableMailError as error:
        return _finish(row, Status.QUARANTINED, "unreadable", f"Not a readable mail message: {error}")
    row.message_id = parsed.message_id[:255]
    row.from_address = parsed.from_address[:320]
    row.subject = parsed.subject[:300]

    # "" means the envelope sender is unknown (ESP webhooks); "<>" is the null sender of bounces.
    verdict = classify(parsed, envelope_from=row.envelope_from or None)
    if verdict is not None:
        if verdict.code == "bounce" and verdict.bounced_message_id:
            bounced = outbound_mark_bounced(message_id=verdict.bounced_message_id, diagnostic=verdict.diagnostic)
            if bounced is not None:
                return _finish(
                    row,
                    Status.IGNORED,
                    verdict.code,
                    f"{verdict.reason} for our mail to {bounced.to}: {verdict.diagnostic}",
                    bounced.case,
                )
        return _finish(row, Status.IGNORED, verdict.code, verdict.reason)
    if not parsed.from_address:
        return _finish(row, Status.QUARANTINED, "no_sender", "The message has no sender address (From)")

    per_hour = int(getattr(settings, "CASES_INBOUND_PER_SENDER_PER_HOUR", 60))
    limit = Limit("inbound-sender", per_hour, 60 * 60)
    if not released and not rate_limit_hit(limit=limit, key=parsed.from_address).allowed:
        return _finish(
            row,
            Status.QUARANTINED,
            "rate_limited",
            f"More than {per_hour} messages from {parsed.from_address} in an hour",
        )
    if parsed.message_id:
        seen = (
            CaseMessage.objects.filter(message_id=parsed.message_id, inbound__isnull=False)
            .values_list("case_id", flat=True)
            .first()
        )
        if seen is not None:
            case = Case.objects.get(pk=seen)
            return _finish(
                row, Status.IGNORED, "duplicate", f"Already received (same Message-ID) on case #{case.number}", case
            )

    match = find_case(parsed, envelope_to=row.envelope_to)
    follow_up_of: int | None = None
    if match is not None:
        try:
            case_add_requester_message(
                case=match.case,
                author_email=parsed.from_address,
                author_name=parsed.from_name,
                via=CaseMessage.Via.EMAIL,
                message=_message_input(row, parsed, reply=True),
                locked=True,
            )
        except CaseClosedError:
            follow_up_of = match.case.number
        else:
            return _finish(
                row, Status.PROCESSED, "threaded", f"Added to case #{match.case.number} (by {match.how})", match.case
            )

    acks_per_hour = int(getattr(settings, "CASES_ACKNOWLEDGEMENTS_PER_SENDER_PER_HOUR", 5))
    created = case_create(
        requester_email=parsed.from_address,
        requester_name=parsed.from_name,
        subject=parsed.subject,
        message=_message_input(row, parsed, reply=follow_up_of is not None),
        channel=Case.Channel.EMAIL,
        source_context={"follow_up_of": follow_up_of} if follow_up_of else {},
        acknowledge=_acknowledgements_last_hour(parsed.from_address) < acks_per_hour,
    ).case
    how = f"follow-up of closed case #{follow_up_of}" if follow_up_of else "new case"
    return _finish(row, Status.PROCESSED, "new_case", f"Opened case #{created.number} ({how})", created)


@dataclass(frozen=True)
class RetryReport:
    processed: int


def inbound_mail_process_stale(*, older_than_seconds: int = 120, limit: int = 200) -> RetryReport:
    """Process rows left ``received`` by a receiver that stopped between storing and
    processing (the periodic job runs this)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        InboundEmail.objects.filter(status=Status.RECEIVED, received_at__lt=cutoff)
        .order_by("received_at")
        .values_list("pk", flat=True)[:limit]
    )
    for inbound_id in ids:
        inbound_mail_process(inbound_id=inbound_id)
    return RetryReport(processed=len(ids))


def inbound_mail_release(*, inbound_id: str) -> InboundEmail:
    """An agent looked at a quarantined message and wants it processed again (the sender's
    rate limit no longer applies to it)."""
    updated = InboundEmail.objects.filter(pk=inbound_id, status=Status.QUARANTINED).update(
        status=Status.RECEIVED, reason_code="", reason=""
    )
    if not updated:
        return InboundEmail.objects.get(pk=inbound_id)
    return inbound_mail_process(inbound_id=inbound_id, released=True)

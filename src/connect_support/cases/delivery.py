"""Outbound mail through the transactional outbox.

A service that changes a case writes an ``OutboundEmail`` row in the same transaction
(``outbound_enqueue``). After commit a job sends it (``outbound_send``); a periodic job
(``outbound_drain``) sends whatever is due, so a crash between commit and the job, a lost
queue or an SMTP outage only delays mail. Each row is claimed with a lease before it is
sent, so two senders never send it together; a sender that dies mid-send leaves a lease
that expires and the row is sent again (at least once; the Message-ID stays the same so
mail clients show one message).

Backoff: after failed try *n* the next is ``base · 2^(n-1)`` seconds later (±10 %), at
most ``cap``; permanent refusals (SMTP 5xx) fail at once; after ``give_up`` seconds of
transient failures the row is marked failed. Failed rows stay visible with their reason.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from connect_support.cases.addresses import bracketed, from_header, new_message_id, reply_to_header
from connect_support.cases.models import Attachment, Case, CaseMessage, OutboundEmail
from connect_support.cases.rendering import render_case_email

logger = logging.getLogger(__name__)
LEASE_SECONDS = 120
MAX_REFERENCES = 10


def _retry_base() -> int:
    return int(getattr(settings, "CASES_MAIL_RETRY_BASE_SECONDS", 30))


def _retry_cap() -> int:
    return int(getattr(settings, "CASES_MAIL_RETRY_CAP_SECONDS", 3600))


def _give_up_after() -> int:
    return int(getattr(settings, "CASES_MAIL_GIVE_UP_SECONDS", 3 * 24 * 3600))


def backoff_seconds(attempts: int) -> int:
    """Seconds to wait after the ``attempts``-th failed try."""
    delay = int(min(_retry_base() * 2 ** max(attempts - 1, 0), _retry_cap()))
    jitter = delay // 10
    return max(1, delay - jitter + secrets.randbelow(2 * jitter + 1)) if jitter else max(1, delay)


def thread_references(case: Case) -> tuple[str, list[str]]:
    """(In-Reply-To, References) for the next mail on ``case``: the requester's latest
    message, and the first message id of the thread plus the most recent ones."""
    ids = list(
        CaseMessage.objects.filter(case=case, internal=False)
        .exclude(message_id="")
        .order_by("created_at", "id")
        .values_list("message_id", "author_kind")
    )
    in_reply_to = next((mid for mid, kind in reversed(ids) if kind != CaseMessage.Author.AGENT), "")
    message_ids = [mid for mid, _kind in ids]
    first = list(
        OutboundEmail.objects.filter(case=case, kind=OutboundEmail.Kind.ACKNOWLEDGEMENT).values_list(
            "message_id", flat=True
        )[:1]
    )
    chain = list(dict.fromkeys(first + message_ids))
    if len(chain) > MAX_REFERENCES:
        chain = [chain[0], *chain[-(MAX_REFERENCES - 1) :]]
    return in_reply_to, chain


def outbound_enqueue(
    *,
    case: Case,
    kind: str,
    message: CaseMessage | None = None,
    message_id: str | None = None,
    attachment_ids: list[str] | None = None,
    extra: dict[str, Any] | None = None,
    base_url: str | None = None,
) -> OutboundEmail:
    """Render and store one mail to the requester; it is sent after the transaction commits."""
    rendered = render_case_email(kind=kind, case=case, base_url=base_url, extra=extra)
    in_reply_to, references = thread_references(case)
    headers: dict[str, str] = {"X-Connect-Support-Case": str(case.number)}
    if in_reply_to:
        headers["In-Reply-To"] = bracketed(in_reply_to)
    if references:
        headers["References"] = " ".join(bracketed(mid) for mid in references)
    if kind != OutboundEmail.Kind.AGENT_REPLY:
        # RFC 3834: mail sent by a machine says so, so that auto-responders do not answer it.
        headers["Auto-Submitted"] = "auto-replied" if kind == OutboundEmail.Kind.ACKNOWLEDGEMENT else "auto-generated"
    now = timezone.now()
    row = OutboundEmail.objects.create(
        case=case,
        case_message=message,
        kind=kind,
        to=case.requester_email,
        from_email=from_header(),
        reply_to=reply_to_header(case.reply_token),
        subject=rendered.subject,
        text_body=rendered.text,
        html_body=rendered.html,
        message_id=message_id or new_message_id(),
        headers=headers,
        attachment_ids=attachment_ids or [],
        next_attempt_at=now,
        created_at=now,
    )
    transaction.on_commit(lambda: _schedule(row.pk))
    return row


def _schedule(outbound_id: str, delay: int | None = None) -> None:
    """Hand the row to the job queue. If the queue is unreachable the periodic drain still
    finds the row in the database, so this only logs."""
    from connect_support.cases.tasks import outbound_send_task

    try:
        if delay:
            outbound_send_task.schedule(args=(outbound_id,), delay=delay)
        else:
            outbound_send_task(outbound_id)
    except Exception:  # the database row is the source of truth; the drain sends it
        logger.warning("could not queue outbound mail", extra={"outbound": outbound_id}, exc_info=True)


def _due(now: datetime) -> Q:
    pending = Q(status=OutboundEmail.Status.PENDING, next_attempt_at__lte=now)
    abandoned = Q(status=OutboundEmail.Status.SENDING, lease_until__lt=now)
    return pending | abandoned


def _claim(outbound_id: str, now: datetime) -> OutboundEmail | None:
    with transaction.atomic():
        row = OutboundEmail.objects.select_for_update().filter(_due(now), pk=outbound_id).first()
        if row is None:
            return None
        row.status = OutboundEmail.Status.SENDING
        row.attempts += 1
        row.lease_until = now + timedelta(seconds=LEASE_SECONDS)
        row.save(update_fields=["status", "attempts", "lease_until"])
        return row


def _build(row: OutboundEmail, connection: BaseEmailBackend | None) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=row.subject,
        body=row.text_body,
        from_email=row.from_email,
        to=[row.to],
        reply_to=[row.reply_to],
        headers={**row.headers, "Message-ID": bracketed(row.message_id)},
        connection=connection,
    )
    email.attach_alternative(row.html_body, "text/html")
    attachments = Attachment.objects.filter(pk__in=row.attachment_ids) if row.attachment_ids else []
    for attachment in attachments:
        with attachment.file.open("rb") as handle:
            email.attach(attachment.filename, handle.read(), attachment.content_type)
    return email


def _permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def _connection_level(error: Exception) -> bool:
    return isinstance(error, OSError | smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError)


def _record_failure(row: OutboundEmail, error: Exception, now: datetime) -> str:
    reason = f"{type(error).__name__}: {error}"[:500]
    if _permanent(error):
        status, next_at, delay = OutboundEmail.Status.FAILED, row.next_attempt_at, None
    elif (now - row.created_at).total_seconds() > _give_up_after():
        status, next_at, delay = OutboundEmail.Status.FAILED, row.next_attempt_at, None
        reason = f"gave up after {row.attempts} tries: {reason}"[:500]
    else:
        delay = backoff_seconds(row.attempts)
        status, next_at = OutboundEmail.Status.PENDING, now + timedelta(seconds=delay)
    OutboundEmail.objects.filter(pk=row.pk, status=OutboundEmail.Status.SENDING).update(
        status=status, next_attempt_at=next_at, lease_until=None, last_error=reason
    )
    logger.warning(
        "outbound mail not sent",
        extra={"outbound": row.pk, "attempts": row.attempts, "status": status, "error": reason},
    )
    if delay is not None:
        transaction.on_commit(lambda: _schedule(row.pk, delay=delay))
    return str(status)


def _send(outbound_id: str, connection: BaseEmailBackend | None) -> tuple[str, bool]:
    """(status afterwards, whether the failure was the connection's rather than the mail's)."""
    now = timezone.now()
    row = _claim(outbound_id, now)
    if row is None:
        return "not due", False
    try:
        _build(row, connection).send(fail_silently=False)
    except Exception as error:  # every failure is recorded on the row and retried or shown
        return _record_failure(row, error, timezone.now()), _connection_level(error)
    OutboundEmail.objects.filter(pk=row.pk).update(
        status=OutboundEmail.Status.SENT, sent_at=timezone.now(), lease_until=None, last_error=""
    )
    return str(OutboundEmail.Status.SENT), False


def outbound_send(*, outbound_id: str, connection: BaseEmailBackend | None = None) -> str:
    """Send one row if it is due; returns its status afterwards (or ``"not due"``)."""
    return _send(outbound_id, connection)[0]


@dataclass(frozen=True)
class DrainReport:
    sent: int
    failed: int
    retrying: int

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.retrying


def outbound_drain(*, limit: int = 500) -> DrainReport:
    """Send what is due over one connection. A connection-level failure ends the batch:
    the rest stays due for the next run instead of each row failing the same way."""
    now = timezone.now()
    ids = list(OutboundEmail.objects.filter(_due(now)).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    counts = {"sent": 0, "failed": 0, "retrying": 0}
    if not ids:
        return DrainReport(0, 0, 0)
    connection = get_connection(fail_silently=False)
    try:
        # Opened here, the connection is kept for the whole batch (a backend closes
        # connections it opened itself after each message).
        connection.open()
    except Exception:  # the server is down: each row records the failure and backs off
        logger.info("could not open the mail connection for the drain", exc_info=True)
    try:
        for outbound_id in ids:
            status, connection_failed = _send(outbound_id, connection)
            if status == OutboundEmail.Status.SENT:
                counts["sent"] += 1
            elif status == OutboundEmail.Status.FAILED:
                counts["failed"] += 1
            elif status == OutboundEmail.Status.PENDING:
                counts["retrying"] += 1
            if connection_failed:
                break
    finally:
        try:
            connection.close()
        except Exception:  # closing a broken connection may fail too; nothing is lost
            logger.debug("closing the SMTP connection failed", exc_info=True)
    return DrainReport(**counts)


def outbound_mark_bounced(*, message_id: str, diagnostic: str) -> OutboundEmail | None:
    """A delivery status notification told us that mail we sent did not arrive."""
    row = OutboundEmail.objects.filter(message_id=message_id).first()
    if row is None:
        return None
    OutboundEmail.objects.filter(pk=row.pk).update(status=OutboundEmail.Status.BOUNCED, last_error=diagnostic[:500])
    row.refresh_from_db()
    return row

"""Alert mail to agents about a breach, and marking alerts read.

Each alert row is claimed with a lease before its mail goes out, so two senders (the job
queued after the breach and the periodic retry) never send it together; a failed send
leaves the lease in place as the time of the next try, with exponential backoff."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.core.mail import EmailMessage
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from connect_support.cases.rendering import public_base_url
from connect_support.sla.models import SlaAlert

logger = logging.getLogger(__name__)
LEASE_SECONDS = 120
MAX_MAIL_ATTEMPTS = 8


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def _claim(alert_id: int, now: datetime) -> SlaAlert | None:
    claimed = (
        SlaAlert.objects.filter(pk=alert_id, email_sent_at__isnull=True, email_attempts__lt=MAX_MAIL_ATTEMPTS)
        .filter(Q(email_lease_until__isnull=True) | Q(email_lease_until__lt=now))
        .update(email_lease_until=now + timedelta(seconds=LEASE_SECONDS), email_attempts=F("email_attempts") + 1)
    )
    if claimed != 1:
        return None
    return SlaAlert.objects.select_related("case", "recipient").get(pk=alert_id)


def alert_mail(alert: SlaAlert) -> EmailMessage:
    case = alert.case
    timer = alert.get_timer_display().lower()
    raised = (
        f"Its priority was raised from {alert.priority_from} to {alert.priority_to}."
        if alert.priority_from != alert.priority_to
        else f"Its priority stays {alert.priority_to}."
    )
    case_link = public_base_url() + reverse("console-case", args=[case.number])
    link = public_base_url() + reverse("console-sla-alerts")
    body = (
        f"Case #{case.number} missed its {timer} target.\n\n"
        f"Subject: {case.subject}\n"
        f"Requester: {case.requester_email}\n"
        f"Was due: {alert.due_at:%Y-%m-%d %H:%M} UTC\n\n"
        f"{raised}\n\n"
        f"Open the case: {case_link}\n"
        f"Your SLA alerts: {link}\n"
    )
    return EmailMessage(
        subject=f"Case #{case.number}: {timer} overdue",
        body=body,
        to=[alert.recipient.email],
        headers={"Auto-Submitted": "auto-generated", "X-Connect-Support-Case": str(case.number)},
    )


def sla_alert_mail_send(*, alert_id: int) -> str:
    """Send one alert's mail if it is due; returns ``sent``, ``retrying``, ``failed`` or
    ``not due`` (already sent, being sent, or waiting for its next try)."""
    now = timezone.now()
    alert = _claim(alert_id, now)
    if alert is None:
        return "not due"
    if not alert.recipient.email:
        SlaAlert.objects.filter(pk=alert.pk).update(email_error="the agent has no email address")
        return "failed"
    try:
        alert_mail(alert).send(fail_silently=False)
    except Exception as error:  # recorded on the row and retried by the periodic job
        reason = f"{type(error).__name__}: {error}"[:500]
        SlaAlert.objects.filter(pk=alert.pk).update(
            email_lease_until=timezone.now() + _backoff(alert.email_attempts), email_error=reason
        )
        logger.warning("SLA alert mail not sent", extra={"alert": alert.pk, "error": reason})
        return "failed" if alert.email_attempts >= MAX_MAIL_ATTEMPTS else "retrying"
    SlaAlert.objects.filter(pk=alert.pk).update(email_sent_at=timezone.now(), email_lease_until=None, email_error="")
    return "sent"


def sla_alert_mail_drain(*, limit: int = 200) -> int:
    """Send alert mail that is due (never queued, or waiting for a retry). Returns how many went out."""
    now = timezone.now()
    ids = list(
        SlaAlert.objects.filter(email_sent_at__isnull=True, email_attempts__lt=MAX_MAIL_ATTEMPTS)
        .filter(Q(email_lease_until__isnull=True) | Q(email_lease_until__lt=now))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for alert_id in ids if sla_alert_mail_send(alert_id=alert_id) == "sent")


def sla_alerts_mark_read(*, user: User, alert_ids: list[int] | None = None) -> int:
    """Mark the user's alerts read (all of them when ``alert_ids`` is None); others' ids are ignored."""
    alerts = SlaAlert.objects.filter(recipient=user, read_at__isnull=True)
    if alert_ids is not None:
        alerts = alerts.filter(pk__in=alert_ids)
    return alerts.update(read_at=timezone.now())

"""Co-branded emails to connected accounts: rendered with the platform's branding and the
operator's attribution, stored as a row of the account's email history, and sent after
commit through the outbox pattern of cases/delivery.py (lease, exponential backoff,
give up after three days, failures kept with their reason).

Every email says what to do, by when, and what happens otherwise; its primary button goes
to the platform's notification-banner page with ``?stripe_account_id=acct_…``; it links
the support-site articles of its topic.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from email.utils import formataddr, parseaddr
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from connect_support.accounts.models import ConnectedAccount, Platform
from connect_support.helpcenter.selectors import topic_articles, topic_get
from connect_support.risk.models import AccountEmail, Intervention

logger = logging.getLogger(__name__)
LEASE_SECONDS = 120
RETRY_BASE_SECONDS = 30
RETRY_CAP_SECONDS = 3600
GIVE_UP_SECONDS = 3 * 24 * 3600

_TOPIC_OF_KIND: dict[str, str] = {
    Intervention.Kind.PAUSE_PAYOUTS: "payouts",
    Intervention.Kind.SLOW_PAYOUTS: "payouts",
    Intervention.Kind.PAUSE_CHARGES: "payments",
    Intervention.Kind.RESERVE: "reserves",
    Intervention.Kind.OFFBOARDING: "accounts",
}


def public_base_url() -> str:
    return str(getattr(settings, "PUBLIC_URL", "") or "http://127.0.0.1:8000").rstrip("/")


def banner_link(account: ConnectedAccount) -> str:
    """The platform's page hosting the notification banner, with the account id appended."""
    base = account.platform.notification_banner_url
    if not base:
        return ""
    parts = urlsplit(base)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "stripe_account_id"]
    query.append(("stripe_account_id", account.pk))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def topic_for(intervention: Intervention) -> str:
    if intervention.cause == Intervention.Cause.FRAUD:
        return "fraud"
    if intervention.cause == Intervention.Cause.COMPLIANCE:
        return "verification"
    return _TOPIC_OF_KIND.get(intervention.kind, "accounts")


@dataclass(frozen=True)
class ArticleLink:
    title: str
    url: str


def support_links(topic_slug: str, *, limit: int = 3) -> tuple[str, list[ArticleLink]]:
    """The topic page and up to ``limit`` of its articles, as absolute URLs."""
    base = public_base_url()
    topic = topic_get(slug=topic_slug)
    topic_url = f"{base}/embedded-connect/{topic_slug}/"
    if topic is None:
        return topic_url, []
    articles = topic_articles(topic=topic, locale="en")[:limit]
    return topic_url, [ArticleLink(a.title, base + a.get_absolute_url()) for a in articles]


def _deadline_text(moment: datetime | None) -> str:
    return f"{moment:%B} {moment.day}, {moment:%Y}" if moment else ""


@dataclass(frozen=True)
class EmailContent:
    subject: str
    headline: str
    body: str
    what_to_do: str
    by_when: str
    otherwise: str
    button_label: str


def intervention_content(intervention: Intervention, event: str, message: str = "") -> EmailContent:
    """The words of an intervention email. ``event`` is created, more_information_requested,
    resolved, escalated, offboarded or deadline_passed."""
    name = intervention.get_kind_display()
    deadline = _deadline_text(intervention.deadline)
    consequence = consequence_text(intervention)
    if event == "resolved":
        return EmailContent(
            f"Your account review is complete: {name.lower()} lifted",
            "Thank you: your review is complete",
            message or "We reviewed what you sent. The restriction on your account has been lifted.",
            "Nothing. Your account works as before.",
            "",
            "",
            "View your account",
        )
    if event == "offboarded":
        return EmailContent(
            "We can no longer support your account",
            "Your account has been closed for new payments and payouts",
            message or "After reviewing your account we are unable to continue supporting it.",
            "If you think this is a mistake, contact our risk specialists to appeal.",
            "",
            "Payments and payouts stay suspended.",
            "See details and appeal",
        )
    if event == "escalated":
        return EmailContent(
            "Your account review needs more time",
            "We're taking a closer look",
            message or "A specialist is reviewing your answers. We'll email you when we have decided.",
            "Nothing for now.",
            "",
            "",
            "View your account",
        )
    if event == "more_information_requested":
        return EmailContent(
            "We need more information about your business",
            "Please send us a little more information",
            message or "We need more information to finish reviewing your account.",
            "Answer the questions in your account's notifications.",
            deadline,
            consequence,
            "Send the information",
        )
    if event == "deadline_passed":
        return EmailContent(
            f"Action needed: {name.lower()} on your account",
            f"{name} on your account",
            "We did not receive the information we asked for by the deadline, so this now applies.",
            "Answer the questions in your account's notifications so that we can review it again.",
            "",
            consequence,
            "Respond now",
        )
    return EmailContent(
        f"Action needed: information about your business{' by ' + deadline if deadline else ''}",
        f"{name}: we need information about your business",
        intervention.message or "We need to know more about your business to keep your account in good standing.",
        "Answer a few questions about your business in your account's notifications.",
        deadline,
        consequence,
        "Respond now",
    )


def consequence_text(intervention: Intervention) -> str:
    """What happens if the account does not answer (or what already applies)."""
    kind = intervention.kind
    if kind == Intervention.Kind.PAUSE_PAYOUTS:
        effect = "payouts to your bank account are paused"
    elif kind == Intervention.Kind.PAUSE_CHARGES:
        effect = "you can't accept new payments"
    elif kind == Intervention.Kind.SLOW_PAYOUTS:
        effect = "payouts are sent more slowly"
    elif kind == Intervention.Kind.RESERVE:
        if intervention.reserve_percent is not None:
            amount = f"{intervention.reserve_percent.normalize()}% of your payments"
        else:
            amount = f"{(intervention.reserve_amount or 0) / 100:,.2f} {intervention.reserve_currency.upper()}"
        release = _deadline_text(intervention.reserve_release_at)
        effect = f"we hold {amount} in reserve" + (f" until {release}" if release else "")
    else:
        effect = "payments and payouts stop and your account is closed"
    if intervention.effective:
        return f"Until this is resolved, {effect}."
    return f"If we don't hear from you by the deadline, {effect}."


def _backoff(attempts: int) -> int:
    delay = int(min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_CAP_SECONDS))
    jitter = delay // 10
    return max(1, delay - jitter + secrets.randbelow(2 * jitter + 1)) if jitter else delay


def _from_header(account: ConnectedAccount) -> str:
    # "Platform via Operator": the platform's name, the operator's address.
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    sender = f"{account.platform.display_name} via {settings.OPERATOR_NAME}"
    return formataddr((sender, address or "support@localhost"))


@dataclass(frozen=True)
class RenderedEmail:
    from_email: str
    subject: str
    text_body: str
    html_body: str


def account_email_render(*, account: ConnectedAccount, content: EmailContent, topic: str) -> RenderedEmail:
    """The co-branded email as it is sent (also used by the console's previews)."""
    topic_url, articles = support_links(topic)
    platform = account.platform
    context = {
        "platform": platform,
        "platform_name": platform.display_name,
        "operator_name": settings.OPERATOR_NAME,
        "account": account,
        "content": content,
        "button_url": banner_link(account) or f"{public_base_url()}/embedded-connect/{topic}/",
        "topic_url": topic_url,
        "articles": articles,
        "brand_color": platform.brand_color or "#4f46e5",
        "accent_color": platform.accent_color or "#0ea5e9",
    }
    return RenderedEmail(
        from_email=_from_header(account),
        subject=content.subject[:400],
        text_body=render_to_string("risk/email/account_email.txt", context),
        html_body=render_to_string("risk/email/account_email.html", context),
    )


def account_email_enqueue(
    *,
    account: ConnectedAccount,
    category: str,
    template: str,
    content: EmailContent,
    topic: str,
    intervention: Intervention | None = None,
) -> AccountEmail | None:
    """Render and store one co-branded email; it is sent after the transaction commits.
    None when the account has no email address (nothing to send to)."""
    to = account.email or (account.representative.email if account.representative else "")
    if not to:
        return None
    rendered = account_email_render(account=account, content=content, topic=topic)
    now = timezone.now()
    row = AccountEmail.objects.create(
        account=account,
        intervention=intervention,
        category=category,
        template=template,
        to=to,
        from_email=rendered.from_email,
        subject=rendered.subject,
        text_body=rendered.text_body,
        html_body=rendered.html_body,
        message_id=f"{secrets.token_urlsafe(18)}@{_mail_domain()}",
        next_attempt_at=now,
        created_at=now,
    )
    transaction.on_commit(lambda: _schedule(row.pk))
    return row


def _mail_domain() -> str:
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return address.rpartition("@")[2] or "localhost"


def _schedule(email_id: str) -> None:
    from connect_support.risk.tasks import account_email_send_task  # the job module imports this one

    try:
        account_email_send_task(email_id)
    except Exception:  # a lost queue only delays mail: the periodic drain sends it
        logger.warning("Could not queue account email %s; the drain will send it.", email_id)


def _claim(email_id: str, now: datetime) -> AccountEmail | None:
    due = Q(status=AccountEmail.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=AccountEmail.Status.SENDING, lease_until__lt=now
    )
    with transaction.atomic():
        row = AccountEmail.objects.select_for_update().filter(due, pk=email_id).first()
        if row is None:
            return None
        row.status = AccountEmail.Status.SENDING
        row.lease_until = now + timedelta(seconds=LEASE_SECONDS)
        row.save(update_fields=["status", "lease_until"])
        return row


def account_email_send(*, email_id: str) -> str:
    """Send one due email; returns its status afterwards."""
    now = timezone.now()
    row = _claim(email_id, now)
    if row is None:
        return AccountEmail.objects.filter(pk=email_id).values_list("status", flat=True).first() or "missing"
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.text_body,
        from_email=row.from_email,
        to=[row.to],
        headers={"Message-ID": f"<{row.message_id}>", "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(row.html_body, "text/html")
    row.attempts += 1
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        permanent = isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600
        row.last_error = f"{type(error).__name__}: {error}"[:500]
        if permanent or (now - row.created_at).total_seconds() > GIVE_UP_SECONDS:
            row.status = AccountEmail.Status.FAILED
        else:
            row.status = AccountEmail.Status.PENDING
            row.next_attempt_at = now + timedelta(seconds=_backoff(row.attempts))
        row.lease_until = None
        row.save(update_fields=["attempts", "last_error", "status", "next_attempt_at", "lease_until"])
        return row.status
    row.status = AccountEmail.Status.SENT
    row.sent_at = timezone.now()
    row.lease_until = None
    row.last_error = ""
    # Through an ESP (django-anymail) the send returns its message id, which its tracking
    # webhooks name later (risk/tracking.py).
    esp_status = getattr(message, "anymail_status", None)
    esp_message_id = getattr(esp_status, "message_id", None)
    row.esp_message_id = "" if esp_message_id is None else str(esp_message_id)[:255]
    row.save(update_fields=["attempts", "status", "sent_at", "lease_until", "last_error", "esp_message_id"])
    return row.status


def account_email_drain(*, limit: int = 500) -> int:
    """Send every due email (the periodic safety net); returns how many were tried."""
    now = timezone.now()
    due = Q(status=AccountEmail.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=AccountEmail.Status.SENDING, lease_until__lt=now
    )
    ids = list(AccountEmail.objects.filter(due).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    for email_id in ids:
        account_email_send(email_id=email_id)
    return len(ids)


PREVIEW_EVENTS = (
    ("created", "Intervention opened"),
    ("more_information_requested", "More information requested"),
    ("deadline_passed", "Deadline passed"),
    ("escalated", "Escalated"),
    ("resolved", "Resolved"),
    ("offboarded", "Offboarded"),
)


def email_preview(*, platform: Platform, kind: str, event: str) -> RenderedEmail:
    """The email an account of ``platform`` would get for ``kind`` and ``event``, rendered
    for a sample account (nothing is stored)."""
    if kind not in Intervention.Kind.values or event not in dict(PREVIEW_EVENTS):
        raise ValueError("Unknown intervention kind or event.")
    account = ConnectedAccount(
        id="acct_1PreviewSample0000",
        platform=platform,
        email="owner@business.example",
        business_profile={"name": "Rosa's Bakery"},
    )
    now = timezone.now()
    intervention = Intervention(
        account=account,
        kind=kind,
        cause=Intervention.Cause.SUPPORTABILITY,
        deadline=now + timedelta(days=7),
        effective=event in ("deadline_passed", "offboarded"),
        reserve_percent=Decimal("10") if kind == Intervention.Kind.RESERVE else None,
        reserve_release_at=now + timedelta(days=90) if kind == Intervention.Kind.RESERVE else None,
        message="",
    )
    content = intervention_content(intervention, event)
    return account_email_render(account=account, content=content, topic=topic_for(intervention))


def email_test_send(*, rendered: RenderedEmail, to: str) -> None:
    """Send a preview to a reviewer's address, marked as a test (raises on SMTP failure)."""
    message = EmailMultiAlternatives(
        subject=f"[Test] {rendered.subject}",
        body=rendered.text_body,
        from_email=rendered.from_email,
        to=[to],
        headers={"Auto-Submitted": "auto-generated", "X-Connect-Support-Test": "preview"},
    )
    message.attach_alternative(rendered.html_body, "text/html")
    message.send()

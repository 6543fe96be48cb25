"""Co-branded emails: branding, what/when/otherwise, the banner link, support articles,
both parts, the account's history with delivery status, and retries when SMTP fails."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from connect_support.accounts.models import ConnectedAccount
from connect_support.helpcenter.models import Article, Topic
from connect_support.risk.emails import account_email_drain, account_email_send
from connect_support.risk.models import AccountEmail
from connect_support.risk.selectors import account_email_history
from connect_support.risk.services import intervention_create, intervention_decide

pytestmark = pytest.mark.django_db


def test_the_intervention_email_is_co_branded_and_says_what_when_and_otherwise(
    active_account: ConnectedAccount, settings: Any
) -> None:
    settings.PUBLIC_URL = "https://support.operator.example"
    topic, _ = Topic.objects.get_or_create(slug="fraud", defaults={"title": "Fraud"})
    Article.objects.create(
        topic=topic,
        slug="why-paused",
        title="Why were my payouts paused?",
        status=Article.Status.PUBLISHED,
        updated_on=timezone.now().date(),
    )
    deadline = timezone.now() + timedelta(days=7)
    intervention = intervention_create(
        account=active_account,
        kind="pause_payouts",
        cause="fraud",
        deadline=deadline,
        message="We noticed unusual payments.",
    )
    assert account_email_drain() == 1
    (sent,) = mail.outbox
    assert sent.to == ["robin@shop.example"]
    assert sent.from_email.startswith("Acme Marketplace via ")
    assert sent.subject.startswith("Action needed")
    html, mime = sent.alternatives[0]
    assert mime == "text/html"
    link = f"https://app.platform.example/notifications?tab=risk&stripe_account_id={active_account.pk}"
    for part in (sent.body, unescape(html)):
        assert "Acme Marketplace" in part
        assert "We noticed unusual payments." in part
        assert "What to do:" in part
        assert f"By when: {deadline:%B} {deadline.day}, {deadline:%Y}" in part.replace("</strong>", "")
        assert "If we don't hear from you by the deadline, payouts to your bank account are paused." in part
        assert link in part
        assert "https://support.operator.example/embedded-connect/fraud/why-paused/" in part
        assert "partners with" in part  # the operator's attribution
    assert 'src="https://acme.example/logo.png"' in html
    assert "background:#aa2200" in html  # inlined brand colour, no <style> block
    assert "<style" not in html
    (row,) = account_email_history(account=active_account)
    assert row.status == AccountEmail.Status.SENT
    assert row.intervention_id == intervention.pk
    assert row.category == "risk"

    intervention_decide(intervention_id=intervention.pk, decision="resolve", actor=None, message="Thanks!")
    account_email_drain()
    assert [e.template for e in account_email_history(account=active_account)] == [
        "intervention.resolved",
        "intervention.created",
    ]
    assert "Thanks!" in mail.outbox[1].body


class _RefusingBackend:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise smtplib.SMTPServerDisconnected("connection lost")


@override_settings(EMAIL_BACKEND="tests.risk.test_emails._RefusingBackend")
def test_a_failed_send_is_retried_later_and_kept_with_its_reason(active_account: ConnectedAccount) -> None:
    intervention_create(account=active_account, kind="pause_charges", cause="credit", immediate=True)
    row = AccountEmail.objects.get()
    assert account_email_send(email_id=row.pk) == "pending"
    row.refresh_from_db()
    assert row.attempts == 1
    assert "connection lost" in row.last_error
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=20)
    assert account_email_drain() == 0  # not due yet
    AccountEmail.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(days=4))
    AccountEmail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert account_email_send(email_id=row.pk) == "failed"  # gave up after three days

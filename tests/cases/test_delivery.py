"""Outbound mail from the transactional outbox, over real SMTP: retried with exponential
backoff while the server is down, delivered exactly once when it is back, refused
recipients failing visibly instead of retrying forever."""

from __future__ import annotations

from datetime import timedelta
from email.utils import parseaddr
from typing import Any

import pytest
from django.utils import timezone

from connect_support.cases.delivery import backoff_seconds, outbound_drain, outbound_send
from connect_support.cases.models import Case, OutboundEmail
from connect_support.cases.services import MessageInput, case_create
from tests.cases.conftest import SmtpSink, html_of, text_of


def _new_case(email: str = "robin@shop.example", **kwargs: Any) -> Case:
    return case_create(
        requester_email=email,
        requester_name="Robin Owner",
        subject="Payout missing",
        message=MessageInput(body_text="My payout of 1 June did not arrive."),
        channel=Case.Channel.WEB,
        **kwargs,
    ).case


def _make_due() -> None:
    OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


@pytest.mark.django_db(transaction=True)
def test_smtp_down_then_up_delivers_exactly_once(smtp_sink: SmtpSink, immediate_jobs: None) -> None:
    smtp_sink.stop()  # the mail server is down when the case is opened
    case = _new_case()
    row = OutboundEmail.objects.get(case=case)
    # The job ran after commit, failed to connect, and scheduled a later try.
    assert (row.status, row.attempts) == ("pending", 1)
    assert "Connection refused" in row.last_error or "ConnectionRefusedError" in row.last_error
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=20)
    assert outbound_drain().total == 0  # not due yet: nothing is hammered

    _make_due()
    second = outbound_drain()  # still down: the try is counted and pushed further back
    row.refresh_from_db()
    assert (second.retrying, row.attempts) == (1, 2)
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=45)

    smtp_sink.start()
    _make_due()
    assert outbound_drain().sent == 1
    assert outbound_drain().total == 0
    assert outbound_send(outbound_id=row.pk) == "not due"  # a late job for the same row sends nothing
    messages = smtp_sink.wait_for(1)
    assert len(messages) == 1
    assert messages[0]["Message-ID"] == f"<{row.message_id}>"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, "")


@pytest.mark.django_db(transaction=True)
def test_the_acknowledgement_is_branded_html_with_text_and_thread_headers(
    smtp_sink: SmtpSink, immediate_jobs: None, settings: Any
) -> None:
    settings.OPERATOR_NAME = "Acme Payments"
    settings.MAIL_DOMAIN = "help.acme.example"
    settings.PUBLIC_URL = "https://help.acme.example"
    case = _new_case()
    [message] = smtp_sink.wait_for(1)
    assert message["To"] == "robin@shop.example"
    assert message["Subject"] == f"We received your request: Payout missing [#{case.number}]"
    assert parseaddr(message["Reply-To"])[1] == f"support+{case.reply_token}@help.acme.example"
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["Message-ID"].endswith("@help.acme.example>")
    text = text_of(message)
    html = html_of(message)
    assert f"[#{case.number}]" in text
    assert "https://help.acme.example/embedded-connect/cases/private/" in text
    assert "Acme Payments" in html
    assert "<style" not in html
    assert 'style="' in html
    assert 'href="https://help.acme.example/embedded-connect/cases/private/' in html


@pytest.mark.django_db(transaction=True)
def test_a_refused_recipient_fails_at_once_with_the_reason(smtp_sink: SmtpSink, immediate_jobs: None) -> None:
    smtp_sink.handler.refuse.add("nobody@shop.example")
    case = _new_case(email="nobody@shop.example")
    row = OutboundEmail.objects.get(case=case)
    assert (row.status, row.attempts) == ("failed", 1)
    assert "550" in row.last_error
    _make_due()
    assert outbound_drain().total == 0
    assert smtp_sink.messages == []


@pytest.mark.django_db(transaction=True)
def test_a_sender_that_died_mid_send_is_replaced_after_its_lease(smtp_sink: SmtpSink) -> None:
    case = _new_case()
    row = OutboundEmail.objects.get(case=case)
    # A worker claimed the row and was killed before it could record anything.
    OutboundEmail.objects.filter(pk=row.pk).update(
        status="sending", attempts=1, lease_until=timezone.now() + timedelta(seconds=60)
    )
    assert outbound_drain().total == 0  # the lease still holds: nobody else sends it
    OutboundEmail.objects.filter(pk=row.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert outbound_drain().sent == 1
    assert len(smtp_sink.wait_for(1)) == 1


@pytest.mark.django_db(transaction=True)
def test_giving_up_after_days_of_failures_is_visible(smtp_sink: SmtpSink, settings: Any) -> None:
    smtp_sink.stop()
    case = _new_case()
    OutboundEmail.objects.filter(case=case).update(created_at=timezone.now() - timedelta(days=4))
    assert outbound_drain().failed == 1
    row = OutboundEmail.objects.get(case=case)
    assert row.status == "failed"
    assert row.last_error.startswith("gave up after 1 tries")


def test_backoff_doubles_up_to_the_cap(settings: Any) -> None:
    settings.CASES_MAIL_RETRY_BASE_SECONDS = 30
    settings.CASES_MAIL_RETRY_CAP_SECONDS = 3600
    delays = [backoff_seconds(n) for n in range(1, 10)]
    for delay, expected in zip(delays, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600], strict=True):
        assert expected * 0.9 <= delay <= expected * 1.1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_case_sends_nothing(smtp_sink: SmtpSink, immediate_jobs: None) -> None:
    from django.db import transaction

    def failing_request() -> None:
        with transaction.atomic():
            _new_case()
            raise RuntimeError("the request failed after the case was written")

    with pytest.raises(RuntimeError):
        failing_request()
    assert not Case.objects.exists()
    assert not OutboundEmail.objects.exists()
    assert smtp_sink.messages == []

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from connect_support.identity.models import OutboxSms
from connect_support.identity.sms import SmsError, sms_backend, sms_send
from connect_support.identity.sms.console import ConsoleSmsBackend
from connect_support.identity.sms.outbox import OutboxSmsBackend
from connect_support.identity.sms.twilio import TwilioSmsBackend
from tests.identity.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio


@pytest.fixture
def twilio(settings: Any) -> Iterator[FakeTwilio]:
    fake = FakeTwilio().start()
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_FROM_NUMBER = "+15005550006"
    settings.TWILIO_API_BASE = fake.url
    yield fake
    fake.stop()


def test_the_backend_is_chosen_by_setting(settings: Any, twilio: FakeTwilio) -> None:
    settings.SMS_BACKEND = "console"
    assert isinstance(sms_backend(), ConsoleSmsBackend)
    settings.SMS_BACKEND = "outbox"
    assert isinstance(sms_backend(), OutboxSmsBackend)
    settings.SMS_BACKEND = "twilio"
    assert isinstance(sms_backend(), TwilioSmsBackend)
    settings.SMS_BACKEND = "connect_support.identity.sms.console.ConsoleSmsBackend"
    assert isinstance(sms_backend(), ConsoleSmsBackend)


@pytest.mark.django_db
def test_outbox_keeps_a_row_and_a_json_line(settings: Any) -> None:
    settings.SMS_BACKEND = "outbox"
    receipt = sms_send(to="+14155550101", body="Hello «there»")
    row = OutboxSms.objects.get(pk=int(receipt.provider_id.removeprefix("outbox_")))
    assert (row.to, row.body) == ("+14155550101", "Hello «there»")
    last = (Path(settings.OUTBOX_DIR) / "sms.jsonl").read_text(encoding="utf-8").splitlines()[-1]
    assert json.loads(last)["to"] == "+14155550101"
    assert json.loads(last)["body"] == "Hello «there»"


def test_console_prints_the_message(settings: Any, capsys: pytest.CaptureFixture[str]) -> None:
    settings.SMS_BACKEND = "console"
    sms_send(to="+14155550101", body="123456 is your code")
    assert "SMS to +14155550101: 123456 is your code" in capsys.readouterr().out


def test_twilio_sends_through_the_rest_api(twilio: FakeTwilio) -> None:
    receipt = sms_send(to="+14155550101", body="123456 is your code")
    assert receipt.provider_id.startswith("SM")
    [request] = twilio.requests
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request["form"] == {"To": "+14155550101", "From": "+15005550006", "Body": "123456 is your code"}


def test_twilio_can_send_through_a_messaging_service(settings: Any, twilio: FakeTwilio) -> None:
    settings.TWILIO_FROM_NUMBER = ""
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "1" * 32
    sms_send(to="+14155550101", body="hi")
    assert twilio.requests[0]["form"]["MessagingServiceSid"] == "MG" + "1" * 32


@pytest.mark.parametrize(("status", "transient"), [(500, True), (503, True), (429, True), (400, False)])
def test_twilio_failures_say_whether_to_retry(twilio: FakeTwilio, status: int, transient: bool) -> None:
    twilio.statuses = [status]
    with pytest.raises(SmsError) as raised:
        sms_send(to="+14155550101", body="123456 is your code")
    assert raised.value.transient is transient
    assert "123456" not in str(raised.value)  # the message may be logged: no code in it


def test_an_unreachable_twilio_is_a_transient_failure(settings: Any, twilio: FakeTwilio) -> None:
    twilio.stop()
    with pytest.raises(SmsError) as raised:
        sms_send(to="+14155550101", body="hi")
    assert raised.value.transient


def test_twilio_without_credentials_says_what_is_missing(settings: Any) -> None:
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = ""
    with pytest.raises(ImproperlyConfigured, match="TWILIO_ACCOUNT_SID"):
        sms_backend()

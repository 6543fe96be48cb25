from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from connect_support.identity import policy
from connect_support.identity.challenges import (
    ChallengeRefusedError,
    Identifier,
    IdentifierError,
    challenge_resend,
    challenge_start_for_identifier,
    challenge_verify,
    identifier_parse,
)
from connect_support.identity.models import AuditEvent, OtpChallenge
from tests.factories import make_account, platform_with_keys
from tests.identity.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.identity.fixtures import last_code, texts_to

pytestmark = pytest.mark.django_db
PHONE = "+14155550199"  # the factories' representative
IP = "198.51.100.7"


@pytest.fixture
def account() -> Any:
    return make_account(platform_with_keys().platform, email="owner@business.example")


def start(value: str, ip: str = IP) -> OtpChallenge:
    return challenge_start_for_identifier(identifier=identifier_parse(value), ip=ip).challenge


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Owner@Business.Example", Identifier("email", "owner@business.example")),
        ("+1 (415) 555-0199", Identifier("phone", "+14155550199")),
        ("415 555 0199", Identifier("phone", "+14155550199")),
        ("+44 20 7946 0958", Identifier("phone", "+442079460958")),
    ],
)
def test_identifiers_are_normalized(typed: str, expected: Identifier) -> None:
    assert identifier_parse(typed) == expected


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Enter the email address or mobile number"),
        ("12", "valid mobile number"),
        ("+1 555 abc", "valid mobile number"),
        ("+999 1234567", "valid mobile number"),
        ("owner@", "valid email address"),
        ("x" * 10_240, "too long"),
    ],
)
def test_malformed_identifiers_get_a_clear_message(typed: str, says: str) -> None:
    with pytest.raises(IdentifierError, match=says):
        identifier_parse(typed)


def test_a_code_reaches_the_representative_and_signs_in_once(account: Any) -> None:
    challenge = start("owner@business.example")
    assert challenge.masked_phone == "•••• 0199"
    assert challenge.delivery == OtpChallenge.Delivery.SENT
    code = last_code(PHONE)
    assert code not in challenge.code_digest
    outcome = challenge_verify(challenge_id=challenge.pk, code=code, ip=IP)
    assert outcome.ok
    assert outcome.challenge is not None
    assert outcome.challenge.candidate_account_ids == [account.pk]
    again = challenge_verify(challenge_id=challenge.pk, code=code, ip=IP)
    assert not again.ok
    assert "already used" in again.message


def test_a_phone_finds_the_account_too(account: Any) -> None:
    challenge = start("(415) 555-0199")
    assert challenge.account_id == account.pk
    assert challenge_verify(challenge_id=challenge.pk, code=last_code(PHONE), ip=IP).ok


def test_unknown_identifiers_get_a_decoy_that_answers_alike(account: Any) -> None:
    sent_before = texts_to(PHONE)
    decoy = start("nobody@nowhere.example")
    real = start("owner@business.example")
    assert decoy.is_decoy
    assert not real.is_decoy
    assert texts_to(PHONE) == sent_before + 1  # only the real one texted anybody
    assert decoy.masked_phone.startswith("•••• ")
    assert decoy.masked_phone == start("nobody@nowhere.example").masked_phone  # stable on every try
    # Wrong codes are counted the same way for both.
    for challenge in (decoy, real):
        outcome = challenge_verify(challenge_id=challenge.pk, code="000000", ip=IP)
        assert outcome.message.startswith("That code isn't right")
        assert outcome.tries_left == policy.CODE_MAX_ATTEMPTS - 1
    unknown_phone = start("+1 415 555 0142")
    assert unknown_phone.is_decoy
    assert unknown_phone.masked_phone == "•••• 0142"


def test_five_wrong_codes_kill_the_challenge(account: Any) -> None:
    challenge = start("owner@business.example")
    code = last_code(PHONE)
    wrong = "111111" if code != "111111" else "222222"
    messages = [challenge_verify(challenge_id=challenge.pk, code=wrong, ip=IP).message for _ in range(5)]
    assert "4 tries left" in messages[0]
    assert "1 try left" in messages[3]
    assert "Too many wrong codes" in messages[4]
    dead = challenge_verify(challenge_id=challenge.pk, code=code, ip=IP)
    assert not dead.ok
    assert dead.finished
    assert AuditEvent.objects.filter(kind="support.challenge_locked", account_id=account.pk).exists()


def test_malformed_codes_do_not_use_up_tries(account: Any) -> None:
    challenge = start("owner@business.example")
    for typed in ("abc", "12345", "１２３", "9" * 10_000):
        outcome = challenge_verify(challenge_id=challenge.pk, code=typed, ip=IP)
        assert not outcome.ok
        assert outcome.message
    challenge.refresh_from_db()
    assert challenge.attempts == 0
    spaced = " ".join(last_code(PHONE))
    assert challenge_verify(challenge_id=challenge.pk, code=spaced, ip=IP).ok


def test_full_width_digits_are_accepted(account: Any) -> None:
    challenge = start("owner@business.example")
    full_width = "".join(chr(ord("０") + int(d)) for d in last_code(PHONE))
    assert challenge_verify(challenge_id=challenge.pk, code=full_width, ip=IP).ok


def test_expired_codes_are_refused(account: Any) -> None:
    challenge = start("owner@business.example")
    code = last_code(PHONE)
    OtpChallenge.objects.filter(pk=challenge.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    outcome = challenge_verify(challenge_id=challenge.pk, code=code, ip=IP)
    assert not outcome.ok
    assert "expired" in outcome.message


def test_another_accounts_code_does_not_work(account: Any) -> None:
    other = make_account(
        account.platform, email="other@business.example", individual={"first_name": "O", "phone": "+14155550177"}
    )
    mine = start("owner@business.example")
    theirs = start("other@business.example")
    assert theirs.account_id == other.pk
    their_code = last_code("+14155550177")
    if their_code != last_code(PHONE):
        outcome = challenge_verify(challenge_id=mine.pk, code=their_code, ip=IP)
        assert not outcome.ok
        assert "isn't right" in outcome.message


def test_resend_waits_30_seconds_and_replaces_the_code(account: Any) -> None:
    challenge = start("owner@business.example")
    first = last_code(PHONE)
    with pytest.raises(ChallengeRefusedError, match="new code in"):
        challenge_resend(challenge_id=challenge.pk, ip=IP)
    OtpChallenge.objects.filter(pk=challenge.pk).update(last_sent_at=timezone.now() - timedelta(seconds=31))
    challenge_resend(challenge_id=challenge.pk, ip=IP)
    second = last_code(PHONE)
    if first != second:
        assert not challenge_verify(challenge_id=challenge.pk, code=first, ip=IP).ok
    assert challenge_verify(challenge_id=challenge.pk, code=second, ip=IP).ok


def test_resends_stop_after_a_few(account: Any) -> None:
    challenge = start("owner@business.example")
    for _ in range(policy.CODE_MAX_SENDS - 1):
        OtpChallenge.objects.filter(pk=challenge.pk).update(last_sent_at=timezone.now() - timedelta(seconds=31))
        challenge_resend(challenge_id=challenge.pk, ip=IP)
    OtpChallenge.objects.filter(pk=challenge.pk).update(last_sent_at=timezone.now() - timedelta(seconds=31))
    with pytest.raises(ChallengeRefusedError, match="several codes"):
        challenge_resend(challenge_id=challenge.pk, ip=IP)


@pytest.mark.parametrize(
    ("vary", "limit"),
    [
        ("ip", policy.CODE_REQUESTS_PER_IDENTIFIER.count),  # same identifier from many addresses
        ("identifier", policy.CODE_REQUESTS_PER_IP.count),  # many identifiers from one address
    ],
)
def test_bursts_of_code_requests_are_limited(vary: str, limit: int) -> None:
    def attempt(i: int) -> None:
        if vary == "ip":
            start("someone@nowhere.example", ip=f"203.0.113.{i}")
        else:
            start(f"someone{i}@nowhere.example", ip=IP)

    for i in range(limit):
        attempt(i)
    with pytest.raises(ChallengeRefusedError, match="Too many code requests") as refused:
        attempt(limit)
    assert refused.value.retry_after > 0


def test_the_phone_limit_counts_email_and_phone_requests_together(account: Any) -> None:
    sent_before = texts_to(PHONE)
    for i in range(policy.CODE_REQUESTS_PER_PHONE.count):
        value = "owner@business.example" if i % 2 else "+14155550199"
        start(value, ip=f"203.0.113.{i}")
    with pytest.raises(ChallengeRefusedError):
        start("owner@business.example", ip="203.0.113.200")
    assert texts_to(PHONE) == sent_before + policy.CODE_REQUESTS_PER_PHONE.count


def test_code_checks_are_limited_per_address(account: Any) -> None:
    challenge = start("owner@business.example")
    for _ in range(policy.CODE_CHECKS_PER_IP.count):
        challenge_verify(challenge_id=challenge.pk, code="abc", ip=IP)
    outcome = challenge_verify(challenge_id=challenge.pk, code=last_code(PHONE), ip=IP)
    assert not outcome.ok
    assert outcome.throttled


@pytest.fixture
def failing_twilio(settings: Any) -> Iterator[FakeTwilio]:
    fake = FakeTwilio(statuses=[503]).start()
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_FROM_NUMBER = "+15005550006"
    settings.TWILIO_API_BASE = fake.url
    yield fake
    fake.stop()


@pytest.fixture
def immediate_jobs() -> Iterator[None]:
    was = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = was


def test_a_failed_send_is_retried_by_a_job(
    account: Any,
    failing_twilio: FakeTwilio,
    immediate_jobs: None,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        started = challenge_start_for_identifier(identifier=identifier_parse("owner@business.example"), ip=IP)
    assert "trying again automatically" in started.delivery_problem
    assert len(failing_twilio.requests) == 2  # the first send, then the job's retry
    first, retry = (r["form"]["Body"][:6] for r in failing_twilio.requests)
    challenge = OtpChallenge.objects.get(pk=started.challenge.pk)
    assert challenge.delivery == OtpChallenge.Delivery.SENT
    if first != retry:
        assert not challenge_verify(challenge_id=challenge.pk, code=first, ip=IP).ok
    assert challenge_verify(challenge_id=challenge.pk, code=retry, ip=IP).ok


def test_a_refused_number_is_not_retried(account: Any, failing_twilio: FakeTwilio) -> None:
    failing_twilio.statuses = [400]
    started = challenge_start_for_identifier(identifier=identifier_parse("owner@business.example"), ip=IP)
    assert "couldn't send a text message to •••• 0199" in started.delivery_problem
    assert OtpChallenge.objects.get(pk=started.challenge.pk).delivery == OtpChallenge.Delivery.FAILED
    assert len(failing_twilio.requests) == 1

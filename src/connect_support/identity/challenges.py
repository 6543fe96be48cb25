"""SMS one-time code challenges: start, resend, verify, and redeliver after a failed send.

A challenge is started either from what a visitor typed on the support site (an email or
a phone, which may match nothing: then a decoy answers the same way) or for the known
representative of the account behind a component session. Every path is rate limited in
the cache before any work is done.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from connect_support.accounts.models import ConnectedAccount, Person
from connect_support.identity import policy
from connect_support.identity.audit import AuditKind, audit_record
from connect_support.identity.codes import (
    CodeFormatError,
    code_digest,
    decoy_masked_phone,
    digests_match,
    keyed_digest,
    mask_phone,
    new_numeric_code,
    normalize_code,
)
from connect_support.identity.models import OtpChallenge
from connect_support.identity.ratelimit import rate_limit_hit
from connect_support.identity.sms import SmsError, sms_send

logger = logging.getLogger(__name__)
DEFAULT_PHONE_REGION = "US"
MAX_IDENTIFIER_LENGTH = 254


class IdentifierError(ValueError):
    """What was typed is neither an email address nor a phone number."""


class ChallengeRefusedError(Exception):
    """A limit says no for now; ``message`` says when to try again."""

    def __init__(self, message: str, *, retry_after: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class Identifier:
    kind: str  # "email" or "phone"
    value: str


@dataclass(frozen=True)
class ChallengeStarted:
    challenge: OtpChallenge
    # The text could not be sent right now: a job retries (transient) or it never will.
    delivery_problem: str = ""


@dataclass(frozen=True)
class VerifyOutcome:
    ok: bool
    message: str = ""
    challenge: OtpChallenge | None = None
    tries_left: int = 0
    # The challenge cannot be answered any more; the visitor must ask for a new code.
    finished: bool = False
    throttled: bool = False


def _wait_phrase(seconds: int) -> str:
    if seconds <= 90:
        return f"{max(seconds, 1)} seconds"
    return f"{(seconds + 59) // 60} minutes"


def identifier_parse(raw: str) -> Identifier:
    """An email (lower-cased) or a phone in E.164, or ``IdentifierError`` saying what to type."""
    value = raw.strip()
    if not value:
        raise IdentifierError("Enter the email address or mobile number you use for your business.")
    if len(value) > MAX_IDENTIFIER_LENGTH:
        raise IdentifierError("That is too long to be an email address or a phone number.")
    if "@" in value:
        try:
            validate_email(value)
        except ValidationError as exc:
            raise IdentifierError("Enter a valid email address, like name@example.com.") from exc
        return Identifier("email", value.lower())
    invalid = "Enter a valid mobile number with its country code, like +1 415 555 0101, or an email address."
    try:
        number = phonenumbers.parse(value, DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise IdentifierError(invalid) from exc
    if not phonenumbers.is_valid_number(number):
        raise IdentifierError(invalid)
    return Identifier("phone", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def _representatives(identifier: Identifier) -> list[Person]:
    """Representatives with a phone whose phone or email (or their account's email) matches."""
    people = Person.objects.filter(relationship__representative=True, account__deleted_at__isnull=True).exclude(
        phone=""
    )
    if identifier.kind == "phone":
        people = people.filter(phone=identifier.value)
    else:
        people = people.filter(Q(email__iexact=identifier.value) | Q(account__email__iexact=identifier.value))
    return list(people.select_related("account").order_by("-account__created", "account_id")[:50])


def _enforce(limit: policy.Limit, key: str) -> None:
    decision = rate_limit_hit(limit=limit, key=key)
    if not decision.allowed:
        raise ChallengeRefusedError(
            f"Too many code requests. Try again in {_wait_phrase(decision.retry_after)}.",
            retry_after=decision.retry_after,
        )


def _sms_body(code: str) -> str:
    minutes = policy.CODE_TTL_SECONDS // 60
    return (
        f"{code} is your {settings.OPERATOR_NAME} verification code. It expires in {minutes} minutes. "
        "Never share it: we will never ask you for it."
    )


def _set_delivery(challenge: OtpChallenge, status: str, error: str = "") -> None:
    OtpChallenge.objects.filter(pk=challenge.pk).update(delivery=status, delivery_error=error[:200])
    challenge.delivery = status
    challenge.delivery_error = error[:200]


def _deliver(challenge: OtpChallenge, code: str) -> str:
    """Send the code now; on a transient failure queue a job that retries with a new code.
    Returns what to tell the visitor when the text did not go out."""
    if challenge.is_decoy:
        _set_delivery(challenge, OtpChallenge.Delivery.NOT_SENT)
        return ""
    try:
        sms_send(to=challenge.phone, body=_sms_body(code))
    except SmsError as exc:
        logger.warning(
            "sms send failed", extra={"challenge": challenge.pk, "error": str(exc), "transient": exc.transient}
        )
        if exc.transient:
            from connect_support.identity.tasks import challenge_redeliver_task

            _set_delivery(challenge, OtpChallenge.Delivery.RETRYING, str(exc))
            challenge_id = challenge.pk
            transaction.on_commit(lambda: challenge_redeliver_task(challenge_id))
            return (
                "We couldn't send the text message just now. We're trying again automatically; "
                "it should arrive within a minute. If it doesn't, ask for a new code."
            )
        _set_delivery(challenge, OtpChallenge.Delivery.FAILED, str(exc))
        return (
            f"We couldn't send a text message to {challenge.masked_phone}. "
            "Ask your platform to check the mobile number on file, or contact us by email."
        )
    _set_delivery(challenge, OtpChallenge.Delivery.SENT)
    return ""


def _create(
    *,
    purpose: str,
    account: ConnectedAccount | None,
    person: Person | None,
    candidates: list[str],
    phone: str,
    masked_phone: str,
    rate_key: str,
    ip: str | None,
) -> tuple[OtpChallenge, str]:
    now = timezone.now()
    code = new_numeric_code()
    challenge = OtpChallenge(
        purpose=purpose,
        account=account,
        person=person,
        candidate_account_ids=candidates,
        phone=phone,
        masked_phone=masked_phone,
        rate_key=rate_key,
        created_at=now,
        expires_at=now + timedelta(seconds=policy.CODE_TTL_SECONDS),
        last_sent_at=now,
        ip=ip,
    )
    challenge.code_digest = code_digest(challenge_id=challenge.pk, code=code)
    challenge.save(force_insert=True)
    return challenge, code


def challenge_start_for_identifier(*, identifier: Identifier, ip: str | None) -> ChallengeStarted:
    """Start a support-site sign-in. Unknown identifiers get a decoy that behaves the same."""
    _enforce(policy.CODE_REQUESTS_PER_IP, ip or "unknown")
    _enforce(policy.CODE_REQUESTS_PER_IDENTIFIER, f"{identifier.kind}:{identifier.value}")
    people = _representatives(identifier)
    if identifier.kind == "phone":
        rate_key = keyed_digest(purpose="rate", value=f"phone:{identifier.value}")
    elif people:
        rate_key = keyed_digest(purpose="rate", value=f"phone:{people[0].phone}")
    else:
        rate_key = keyed_digest(purpose="rate", value=f"email:{identifier.value}")
    _enforce(policy.CODE_REQUESTS_PER_PHONE, rate_key)
    if not people:
        masked = mask_phone(identifier.value) if identifier.kind == "phone" else decoy_masked_phone(identifier.value)
        with transaction.atomic():
            challenge, code = _create(
                purpose=OtpChallenge.Purpose.SUPPORT_SITE,
                account=None,
                person=None,
                candidates=[],
                phone="",
                masked_phone=masked,
                rate_key=rate_key,
                ip=ip,
            )
        _deliver(challenge, code)
        return ChallengeStarted(challenge)
    primary = people[0]
    _enforce(policy.CODE_REQUESTS_PER_ACCOUNT, primary.account_id)
    candidates = [p.account_id for p in people if p.phone == primary.phone]
    with transaction.atomic():
        challenge, code = _create(
            purpose=OtpChallenge.Purpose.SUPPORT_SITE,
            account=primary.account,
            person=primary,
            candidates=candidates,
            phone=primary.phone,
            masked_phone=mask_phone(primary.phone),
            rate_key=rate_key,
            ip=ip,
        )
    # Outside any transaction: no database lock is held while the provider answers.
    problem = _deliver(challenge, code)
    return ChallengeStarted(challenge, problem)


def challenge_start_for_person(
    *, account: ConnectedAccount, person: Person, purpose: str, ip: str | None
) -> ChallengeStarted:
    """Start a challenge for a known representative (the component's account)."""
    if not person.phone:
        raise ChallengeRefusedError(
            "There is no mobile number on file for this account. Ask your platform to add one, then try again."
        )
    rate_key = keyed_digest(purpose="rate", value=f"phone:{person.phone}")
    _enforce(policy.CODE_REQUESTS_PER_IP, ip or "unknown")
    _enforce(policy.CODE_REQUESTS_PER_PHONE, rate_key)
    _enforce(policy.CODE_REQUESTS_PER_ACCOUNT, account.pk)
    with transaction.atomic():
        challenge, code = _create(
            purpose=purpose,
            account=account,
            person=person,
            candidates=[account.pk],
            phone=person.phone,
            masked_phone=mask_phone(person.phone),
            rate_key=rate_key,
            ip=ip,
        )
    # Outside any transaction: no database lock is held while the provider answers.
    problem = _deliver(challenge, code)
    return ChallengeStarted(challenge, problem)


def challenge_get(*, challenge_id: str) -> OtpChallenge | None:
    if not challenge_id or len(challenge_id) > 40:
        return None
    return OtpChallenge.objects.filter(pk=challenge_id).first()


def challenge_resend(*, challenge_id: str, ip: str | None) -> ChallengeStarted:
    """A new code for the same challenge (the old code stops working), after a cool-down."""
    with transaction.atomic():
        challenge = OtpChallenge.objects.select_for_update().filter(pk=challenge_id).first()
        now = timezone.now()
        if challenge is None or challenge.consumed_at is not None or challenge.expires_at <= now:
            raise ChallengeRefusedError("This sign-in has expired. Start again to get a new code.")
        if challenge.attempts >= policy.CODE_MAX_ATTEMPTS:
            raise ChallengeRefusedError("Too many wrong codes were entered. Start again to get a new code.")
        waited = (now - challenge.last_sent_at).total_seconds()
        if waited < policy.CODE_RESEND_COOLDOWN_SECONDS:
            wait = int(policy.CODE_RESEND_COOLDOWN_SECONDS - waited) + 1
            raise ChallengeRefusedError(f"You can ask for a new code in {_wait_phrase(wait)}.", retry_after=wait)
        if challenge.send_count >= policy.CODE_MAX_SENDS:
            raise ChallengeRefusedError("We've sent several codes already. Start again to get a new one.")
        _enforce(policy.CODE_REQUESTS_PER_IP, ip or "unknown")
        _enforce(policy.CODE_REQUESTS_PER_PHONE, challenge.rate_key)
        if challenge.account_id:
            _enforce(policy.CODE_REQUESTS_PER_ACCOUNT, challenge.account_id)
        code = new_numeric_code()
        challenge.code_digest = code_digest(challenge_id=challenge.pk, code=code)
        challenge.last_sent_at = now
        challenge.send_count += 1
        challenge.expires_at = now + timedelta(seconds=policy.CODE_TTL_SECONDS)
        challenge.save(update_fields=["code_digest", "last_sent_at", "send_count", "expires_at"])
    # Outside any transaction: no database lock is held while the provider answers.
    problem = _deliver(challenge, code)
    return ChallengeStarted(challenge, problem)


def challenge_verify(*, challenge_id: str, code: str, ip: str | None) -> VerifyOutcome:
    """Check a typed code. Each well-formed wrong code uses one of the challenge's tries."""
    decision = rate_limit_hit(limit=policy.CODE_CHECKS_PER_IP, key=ip or "unknown")
    if not decision.allowed:
        return VerifyOutcome(
            ok=False,
            throttled=True,
            message=f"Too many attempts from your network. Try again in {_wait_phrase(decision.retry_after)}.",
        )
    try:
        normalized = normalize_code(code)
    except CodeFormatError as exc:
        return VerifyOutcome(ok=False, message=str(exc), tries_left=-1)
    with transaction.atomic():
        challenge = OtpChallenge.objects.select_for_update().filter(pk=challenge_id).first()
        now = timezone.now()
        if challenge is None:
            return VerifyOutcome(ok=False, message="This sign-in has expired. Start again.", finished=True)
        if challenge.consumed_at is not None:
            return VerifyOutcome(
                ok=False, challenge=challenge, finished=True, message="This code was already used. Ask for a new code."
            )
        if challenge.attempts >= policy.CODE_MAX_ATTEMPTS:
            return VerifyOutcome(
                ok=False, challenge=challenge, finished=True, message="Too many wrong codes. Ask for a new code."
            )
        if challenge.expires_at <= now:
            return VerifyOutcome(
                ok=False, challenge=challenge, finished=True, message="This code has expired. Ask for a new code."
            )
        challenge.attempts += 1
        matches = digests_match(code_digest(challenge_id=challenge.pk, code=normalized), challenge.code_digest)
        if matches and not challenge.is_decoy:
            challenge.consumed_at = now
            challenge.save(update_fields=["attempts", "consumed_at"])
            return VerifyOutcome(ok=True, challenge=challenge)
        challenge.save(update_fields=["attempts"])
        tries_left = policy.CODE_MAX_ATTEMPTS - challenge.attempts
    audit_record(
        kind=AuditKind.SUPPORT_CODE_FAILED if tries_left else AuditKind.SUPPORT_CHALLENGE_LOCKED,
        account_id=challenge.account_id or "",
        subject_label=challenge.masked_phone,
        ip=ip,
        detail={"challenge": challenge.pk, "purpose": challenge.purpose, "tries_left": tries_left},
    )
    if tries_left <= 0:
        return VerifyOutcome(
            ok=False, challenge=challenge, finished=True, message="Too many wrong codes. Ask for a new code."
        )
    plural = "try" if tries_left == 1 else "tries"
    return VerifyOutcome(
        ok=False,
        challenge=challenge,
        tries_left=tries_left,
        message=f"That code isn't right. Check the text message and try again ({tries_left} {plural} left).",
    )


def challenge_redeliver(*, challenge_id: str) -> bool:
    """Send a fresh code for a challenge whose first send failed. Raises ``SmsError`` on a
    transient failure so that the job is retried; returns whether a text went out."""
    with transaction.atomic():
        challenge = OtpChallenge.objects.select_for_update().filter(pk=challenge_id).first()
        now = timezone.now()
        if (
            challenge is None
            or challenge.is_decoy
            or challenge.consumed_at is not None
            or challenge.expires_at <= now
            or challenge.attempts >= policy.CODE_MAX_ATTEMPTS
            or challenge.delivery == OtpChallenge.Delivery.SENT
        ):
            return False
        code = new_numeric_code()
        challenge.code_digest = code_digest(challenge_id=challenge.pk, code=code)
        challenge.save(update_fields=["code_digest"])
    try:
        sms_send(to=challenge.phone, body=_sms_body(code))
    except SmsError as exc:
        status = OtpChallenge.Delivery.RETRYING if exc.transient else OtpChallenge.Delivery.FAILED
        OtpChallenge.objects.filter(pk=challenge.pk).update(delivery=status, delivery_error=str(exc)[:200])
        if exc.transient:
            raise
        return False
    OtpChallenge.objects.filter(pk=challenge.pk).update(delivery=OtpChallenge.Delivery.SENT, delivery_error="")
    return True

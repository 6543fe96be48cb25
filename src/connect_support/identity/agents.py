"""Agents: staff users with roles (groups), a password, TOTP and recovery codes.

Signing in takes two steps: the password (argon2, throttled per username and per IP),
then a TOTP code or a one-time recovery code (throttled per user). Every outcome, every
second-factor change and every role change is written to the audit trail.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

import pyotp
import segno
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from connect_support.identity import policy
from connect_support.identity.audit import AuditKind, audit_record, client_ip
from connect_support.identity.codes import (
    CodeFormatError,
    new_recovery_code,
    normalize_code,
    normalize_recovery_code,
    recovery_code_digest,
)
from connect_support.identity.models import RecoveryCode, TotpDevice
from connect_support.identity.ratelimit import rate_limit_exceeded, rate_limit_hit
from connect_support.identity.sessions import sign_in_sessions_revoke_for_user

ROLES = ("support agent", "risk agent", "content editor", "admin")
MAX_PASSWORD_LENGTH = 1024


@transaction.atomic
def agent_ensure(*, email: str, password: str, name: str, roles: tuple[str, ...], totp_secret: str) -> User:
    """Create the agent or bring it to the given state (used by seeding; idempotent)."""
    email = email.strip().lower()
    first_name, _, last_name = name.partition(" ")
    user, _created = User.objects.get_or_create(
        username=email, defaults={"email": email, "first_name": first_name, "last_name": last_name}
    )
    user.email = email
    user.first_name = first_name
    user.last_name = last_name
    user.is_staff = True
    user.set_password(password)
    user.save()
    for role in roles:
        agent_role_grant(actor=None, agent=user, role=role)
    TotpDevice.objects.update_or_create(
        user=user, defaults={"secret": totp_secret, "confirmed": True, "confirmed_at": timezone.now()}
    )
    return user


def agent_roles(*, user: User) -> frozenset[str]:
    """The agent's roles; superusers hold every role."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(ROLES)
    return frozenset(name for name in user.groups.values_list("name", flat=True) if name in ROLES)


def agent_role_grant(*, actor: User | None, agent: User, role: str, request: HttpRequest | None = None) -> bool:
    """Give ``agent`` the role; returns False when it already had it."""
    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}; roles are {', '.join(ROLES)}.")
    group, _ = Group.objects.get_or_create(name=role)
    if agent.groups.filter(pk=group.pk).exists():
        return False
    agent.groups.add(group)
    audit_record(kind=AuditKind.ROLE_GRANTED, request=request, actor=actor, subject=agent, detail={"role": role})
    return True


def agent_role_revoke(*, actor: User | None, agent: User, role: str, request: HttpRequest | None = None) -> bool:
    group = Group.objects.filter(name=role).first()
    if group is None or not agent.groups.filter(pk=group.pk).exists():
        return False
    agent.groups.remove(group)
    audit_record(kind=AuditKind.ROLE_REVOKED, request=request, actor=actor, subject=agent, detail={"role": role})
    return True


@dataclass(frozen=True)
class PasswordOutcome:
    user: User | None
    message: str = ""
    throttled: bool = False


def _wait_phrase(seconds: int) -> str:
    return f"{(seconds + 59) // 60} minutes" if seconds > 90 else f"{max(seconds, 1)} seconds"


def agent_password_check(*, request: HttpRequest, email: str, password: str) -> PasswordOutcome:
    """First step of the console sign-in. Only failures count toward the throttle; a
    throttled username is refused before its password is even checked."""
    username = email.strip().lower()[:254]
    ip = client_ip(request) or "unknown"
    for limit, key in (
        (policy.AGENT_PASSWORD_FAILURES_PER_USERNAME, username),
        (policy.AGENT_PASSWORD_FAILURES_PER_IP, ip),
    ):
        decision = rate_limit_exceeded(limit=limit, key=key)
        if not decision.allowed:
            audit_record(
                kind=AuditKind.AGENT_THROTTLED, request=request, subject_label=username, detail={"limit": limit.scope}
            )
            return PasswordOutcome(
                None, f"Too many sign-in attempts. Try again in {_wait_phrase(decision.retry_after)}.", throttled=True
            )
    user = None
    if username and password and len(password) <= MAX_PASSWORD_LENGTH:
        found = authenticate(request, username=username, password=password)
        if isinstance(found, User) and found.is_staff:
            user = found
    if user is None:
        rate_limit_hit(limit=policy.AGENT_PASSWORD_FAILURES_PER_USERNAME, key=username)
        rate_limit_hit(limit=policy.AGENT_PASSWORD_FAILURES_PER_IP, key=ip)
        audit_record(
            kind=AuditKind.AGENT_PASSWORD_FAILED,
            request=request,
            subject=User.objects.filter(username=username).first(),
            subject_label=username,
        )
        return PasswordOutcome(None, "That email and password don't match an agent account.")
    return PasswordOutcome(user)


def totp_device(*, user: User) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user, confirmed=True).first()


def totp_is_enrolled(*, user: User) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed=True).exists()


@dataclass(frozen=True)
class TotpEnrollment:
    secret: str
    uri: str
    qr_svg: str

    @property
    def secret_groups(self) -> str:
        """The secret in groups of four, as people copy it by hand."""
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))


def totp_new_secret() -> str:
    """A fresh 160-bit secret. It is kept in the enrolling agent's server-side session until
    a code from the app confirms it; only then does it replace the current device."""
    return pyotp.random_base32()


def totp_enrollment(*, user: User, secret: str) -> TotpEnrollment:
    """What the agent scans: the ``otpauth://`` URI as a QR code, and the secret as text."""
    uri = pyotp.TOTP(secret).provisioning_uri(
        name=user.email or user.get_username(), issuer_name=settings.OPERATOR_NAME
    )
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#1a1f36", light="#ffffff", border=2)
    return TotpEnrollment(secret=secret, uri=uri, qr_svg=svg)


def _totp_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code this is, one step of clock drift either way."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.generate_otp(step).encode(), code.encode()):
            return step
    return None


def _totp_accept(device: TotpDevice, code: str) -> bool:
    step = _totp_step(device.secret, code, timezone.now())
    if step is None:
        return False
    # Each step is accepted once: a code seen on a shoulder or in a log cannot be replayed.
    return TotpDevice.objects.filter(pk=device.pk, last_step__lt=step).update(last_step=step) == 1


@dataclass(frozen=True)
class SecondFactorOutcome:
    ok: bool
    message: str = ""
    method: str = ""


def agent_second_factor_check(*, request: HttpRequest, user: User, code: str, recovery: bool) -> SecondFactorOutcome:
    """Second step of the console sign-in: a TOTP code, or one unused recovery code."""
    throttle = policy.AGENT_SECOND_FACTOR_FAILURES_PER_USER
    decision = rate_limit_exceeded(limit=throttle, key=str(user.pk))
    if not decision.allowed:
        audit_record(kind=AuditKind.AGENT_THROTTLED, request=request, subject=user, detail={"limit": throttle.scope})
        return SecondFactorOutcome(False, f"Too many wrong codes. Try again in {_wait_phrase(decision.retry_after)}.")
    if recovery:
        ok = recovery_code_use(user=user, code=code, request=request)
        method = "recovery_code"
        problem = "That recovery code isn't valid or was already used."
    else:
        device = TotpDevice.objects.filter(user=user, confirmed=True).first()
        try:
            normalized = normalize_code(code)
        except CodeFormatError:
            return SecondFactorOutcome(False, "Enter the 6-digit code shown in your authenticator app.")
        ok = device is not None and _totp_accept(device, normalized)
        method = "totp"
        problem = "That code isn't right, or was already used. Wait for the next code and try again."
    if not ok:
        rate_limit_hit(limit=throttle, key=str(user.pk))
        audit_record(
            kind=AuditKind.AGENT_SECOND_FACTOR_FAILED, request=request, subject=user, detail={"method": method}
        )
        return SecondFactorOutcome(False, problem, method)
    return SecondFactorOutcome(True, "", method)


def totp_code_check(*, user: User, code: str) -> bool:
    """A fresh TOTP code from the agent's confirmed device (for confirming sensitive changes)."""
    device = TotpDevice.objects.filter(user=user, confirmed=True).first()
    try:
        normalized = normalize_code(code)
    except CodeFormatError:
        return False
    return device is not None and _totp_accept(device, normalized)


def totp_enrollment_confirm(*, request: HttpRequest, user: User, secret: str, code: str) -> list[str] | None:
    """Confirm a new authenticator with a code from it. On success it becomes the agent's
    device (replacing any earlier one) and a new set of recovery codes is returned."""
    try:
        normalized = normalize_code(code)
    except CodeFormatError:
        return None
    step = _totp_step(secret, normalized, timezone.now())
    if step is None:
        rate_limit_hit(limit=policy.AGENT_SECOND_FACTOR_FAILURES_PER_USER, key=str(user.pk))
        audit_record(
            kind=AuditKind.AGENT_SECOND_FACTOR_FAILED, request=request, subject=user, detail={"method": "enrollment"}
        )
        return None
    with transaction.atomic():
        replaced = TotpDevice.objects.filter(user=user).exists()
        TotpDevice.objects.update_or_create(
            user=user, defaults={"secret": secret, "confirmed": True, "confirmed_at": timezone.now(), "last_step": step}
        )
        audit_record(
            kind=AuditKind.TOTP_RESET if replaced else AuditKind.TOTP_ENROLLED,
            request=request,
            actor=user,
            subject=user,
            detail={"replaced": replaced},
        )
        return recovery_codes_generate(user=user, actor=user, request=request)


@transaction.atomic
def recovery_codes_generate(*, user: User, actor: User | None, request: HttpRequest | None = None) -> list[str]:
    """Replace the agent's recovery codes with a new set; the raw codes are shown once."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = [new_recovery_code() for _ in range(policy.RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, digest=recovery_code_digest(user_id=user.pk, code=code)) for code in codes]
    )
    audit_record(
        kind=AuditKind.RECOVERY_CODES_GENERATED,
        request=request,
        actor=actor,
        subject=user,
        detail={"count": len(codes)},
    )
    return codes


def recovery_codes_left(*, user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def recovery_code_use(*, user: User, code: str, request: HttpRequest | None = None) -> bool:
    if not normalize_recovery_code(code):
        return False
    digest = recovery_code_digest(user_id=user.pk, code=code)
    used = RecoveryCode.objects.filter(user=user, digest=digest, used_at__isnull=True).update(used_at=timezone.now())
    if used:
        audit_record(
            kind=AuditKind.RECOVERY_CODE_USED,
            request=request,
            actor=user,
            subject=user,
            detail={"left": recovery_codes_left(user=user)},
        )
    return used == 1


@transaction.atomic
def totp_reset(*, actor: User | None, agent: User, request: HttpRequest | None = None) -> None:
    """Remove the agent's authenticator and recovery codes: the next sign-in enrolls anew.
    When someone else resets it, the agent's sessions end too."""
    TotpDevice.objects.filter(user=agent).delete()
    RecoveryCode.objects.filter(user=agent).delete()
    audit_record(kind=AuditKind.TOTP_RESET, request=request, actor=actor, subject=agent)
    if actor is None or actor.pk != agent.pk:
        sign_in_sessions_revoke_for_user(user=agent, reason="second factor reset")

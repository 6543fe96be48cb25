"""The audit trail of access: sign-ins, failures, second-factor and role changes.

Details never carry secrets (no codes, passwords or tokens), only what an investigator
needs: who, from where, what happened and why it was refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils import timezone

from connect_support.identity.models import AuditEvent


class AuditKind:
    AGENT_SIGN_IN = "agent.sign_in"
    AGENT_PASSWORD_FAILED = "agent.password_failed"
    AGENT_SECOND_FACTOR_FAILED = "agent.second_factor_failed"
    AGENT_THROTTLED = "agent.throttled"
    AGENT_SIGN_OUT = "agent.sign_out"
    AGENT_SIGN_OUT_EVERYWHERE = "agent.sign_out_everywhere"
    AGENT_SESSION_EXPIRED = "agent.session_expired"
    TOTP_ENROLLED = "agent.totp_enrolled"
    TOTP_RESET = "agent.totp_reset"
    RECOVERY_CODES_GENERATED = "agent.recovery_codes_generated"
    RECOVERY_CODE_USED = "agent.recovery_code_used"
    ROLE_GRANTED = "agent.role_granted"
    ROLE_REVOKED = "agent.role_revoked"
    SUPPORT_SIGN_IN = "support.sign_in"
    SUPPORT_CODE_FAILED = "support.code_failed"
    SUPPORT_CHALLENGE_LOCKED = "support.challenge_locked"
    SUPPORT_SIGN_OUT = "support.sign_out"
    SUPPORT_SIGN_OUT_EVERYWHERE = "support.sign_out_everywhere"
    SUPPORT_HANDOFF_REJECTED = "support.handoff_rejected"
    COMPONENT_AUTHENTICATED = "component.authenticated"


LABELS = {
    AuditKind.AGENT_SIGN_IN: "Signed in",
    AuditKind.AGENT_PASSWORD_FAILED: "Wrong password",
    AuditKind.AGENT_SECOND_FACTOR_FAILED: "Wrong two-step code",
    AuditKind.AGENT_THROTTLED: "Sign-in blocked: too many attempts",
    AuditKind.AGENT_SIGN_OUT: "Signed out",
    AuditKind.AGENT_SIGN_OUT_EVERYWHERE: "Signed out everywhere",
    AuditKind.AGENT_SESSION_EXPIRED: "Session ended by time limit",
    AuditKind.TOTP_ENROLLED: "Authenticator app set up",
    AuditKind.TOTP_RESET: "Authenticator app replaced or reset",
    AuditKind.RECOVERY_CODES_GENERATED: "New recovery codes",
    AuditKind.RECOVERY_CODE_USED: "Recovery code used",
    AuditKind.ROLE_GRANTED: "Role granted",
    AuditKind.ROLE_REVOKED: "Role removed",
}


def audit_label(event: AuditEvent) -> str:
    """A sentence for people reading the trail, e.g. "Role granted: risk agent"."""
    label = LABELS.get(event.kind, event.kind)
    role = event.detail.get("role") if isinstance(event.detail, dict) else None
    return f"{label}: {role}" if role else label


def client_ip(request: HttpRequest | None) -> str | None:
    """The peer address. Behind a proxy, the ASGI server rewrites it from trusted
    ``X-Forwarded-For`` (uvicorn ``--proxy-headers --forwarded-allow-ips``)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    kind: str,
    request: HttpRequest | None = None,
    actor: User | None = None,
    subject: User | None = None,
    subject_label: str = "",
    account_id: str = "",
    detail: Mapping[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    user_agent = request.headers.get("User-Agent", "")[:200] if request is not None else ""
    label = subject_label or (subject.get_username() if subject is not None else "")
    return AuditEvent.objects.create(
        at=timezone.now(),
        kind=kind,
        actor=actor,
        subject=subject,
        subject_label=label[:254],
        account_id=account_id,
        ip=client_ip(request) or ip,
        user_agent=user_agent,
        detail=dict(detail or {}),
    )

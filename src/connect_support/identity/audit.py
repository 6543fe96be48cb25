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
    # The audit trail and data rights (privacy/).
    AUDIT_EXPORTED = "audit.exported"
    PRIVACY_EXPORTED = "privacy.exported"
    PRIVACY_ERASED = "privacy.erased"
    # Live chat, recorded from the notices every participant sees (privacy/trail.py).
    CHAT_STARTED = "chat.started"
    CHAT_AGENT_JOINED = "chat.agent_joined"
    CHAT_TRANSFERRED = "chat.transferred"
    CHAT_RETURNED_TO_QUEUE = "chat.returned_to_queue"
    CHAT_CASE_OFFERED = "chat.case_offered"
    CHAT_CASE_CREATED = "chat.case_created"
    CHAT_ENDED = "chat.ended"
    # Case field changes are read from cases.CaseChange, not copied (privacy/trail.py).
    CASE_CHANGED = "case.changed"


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
    AuditKind.SUPPORT_SIGN_IN: "Account user signed in",
    AuditKind.SUPPORT_CODE_FAILED: "Wrong SMS code",
    AuditKind.SUPPORT_CHALLENGE_LOCKED: "SMS sign-in locked after failed tries",
    AuditKind.SUPPORT_SIGN_OUT: "Account user signed out",
    AuditKind.SUPPORT_SIGN_OUT_EVERYWHERE: "Account user signed out everywhere",
    AuditKind.SUPPORT_HANDOFF_REJECTED: "Hand-off from a component refused",
    AuditKind.COMPONENT_AUTHENTICATED: "Authenticated in a component",
    AuditKind.AUDIT_EXPORTED: "Audit log exported",
    AuditKind.PRIVACY_EXPORTED: "Personal data exported",
    AuditKind.PRIVACY_ERASED: "Personal data erased",
    AuditKind.CHAT_STARTED: "Chat started",
    AuditKind.CHAT_AGENT_JOINED: "Agent joined a chat",
    AuditKind.CHAT_TRANSFERRED: "Chat transferred",
    AuditKind.CHAT_RETURNED_TO_QUEUE: "Chat returned to the queue",
    AuditKind.CHAT_CASE_OFFERED: "Email case offered in a chat",
    AuditKind.CHAT_CASE_CREATED: "Chat turned into an email case",
    AuditKind.CHAT_ENDED: "Chat ended",
    AuditKind.CASE_CHANGED: "Case changed",
    # Kinds written by other packages (risk/, console/platform_views.py), named here so
    # that the audit log reads them and offers them as filters.
    "risk.intervention_created": "Intervention opened",
    "risk.intervention_answered": "Intervention answered",
    "risk.intervention_decided": "Intervention decided",
    "risk.intervention_deadline_passed": "Intervention deadline passed",
    "risk.appeal_opened": "Intervention appeal opened",
    "platform.settings_changed": "Platform settings changed",
    "webhook.redelivered": "Webhook delivery retried",
    "email.test_sent": "Test email sent",
}


def _detail_suffix(kind: str, detail: Mapping[str, Any]) -> str:
    """What makes the sentence specific: the role, the case field, the data-rights scope."""
    if detail.get("role"):
        return f": {detail['role']}"
    if kind == AuditKind.CASE_CHANGED:
        old, new = detail.get("old") or "(none)", detail.get("new") or "(none)"
        return f" #{detail.get('case_number', '')}: {detail.get('field', '')} {old} → {new}"
    if kind in {AuditKind.PRIVACY_EXPORTED, AuditKind.PRIVACY_ERASED} and detail.get("scope"):
        return f" of {'an account' if detail['scope'] == 'account' else 'a requester'}"
    if kind == AuditKind.AUDIT_EXPORTED and "rows" in detail:
        return f": {detail['rows']} rows"
    return ""


def audit_label(event: AuditEvent) -> str:
    """A sentence for people reading the trail, e.g. "Role granted: risk agent"."""
    return audit_sentence(kind=event.kind, detail=event.detail if isinstance(event.detail, dict) else {})


def audit_sentence(*, kind: str, detail: Mapping[str, Any]) -> str:
    """The same sentence for a trail entry that is not an ``AuditEvent`` row (a case change)."""
    return LABELS.get(kind, kind) + _detail_suffix(kind, detail)


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

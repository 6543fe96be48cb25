"""Writes of risk: open an intervention, take the account's answer, decide, enforce deadlines.

Each write locks the intervention, records the decision (``InterventionDecision``) and an
audit event, recomputes the account's flags (risk/effects.py) and queues the co-branded
email in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string

from connect_support.accounts.errors import InvalidParameterError
from connect_support.accounts.models import ConnectedAccount, Person
from connect_support.identity.audit import audit_record
from connect_support.risk.effects import account_effects_sync
from connect_support.risk.emails import account_email_enqueue, intervention_content, topic_for
from connect_support.risk.form_schema import (
    DEFAULT_FORMS,
    FILE_TYPES,
    answers_clean,
    file_check,
    form_validate,
)
from connect_support.risk.models import (
    Intervention,
    InterventionDecision,
    InterventionFile,
    InterventionResponse,
)


class RiskAudit:
    INTERVENTION_CREATED = "risk.intervention_created"
    INTERVENTION_ANSWERED = "risk.intervention_answered"
    INTERVENTION_DECIDED = "risk.intervention_decided"
    INTERVENTION_DEADLINE_PASSED = "risk.intervention_deadline_passed"


class InterventionStateError(Exception):
    """The intervention is not in a state that allows this (already answered, closed)."""


@dataclass(frozen=True)
class UploadedDocument:
    field: str
    filename: str
    content_type: str
    content: bytes


Decision = str  # one of DECISIONS
DECISIONS = ("resolve", "request_more_information", "escalate", "offboard")


def _choice(value: Any, choices: Sequence[str], param: str) -> str:
    text = str(value or "")
    if text not in choices:
        raise InvalidParameterError(param, f"Choose one of {', '.join(choices)}.")
    return text


def _account_changed(account: ConnectedAccount) -> None:
    """Tell listeners (platform webhooks) after commit that the account changed."""
    account_id = account.pk
    for path in getattr(settings, "RISK_ACCOUNT_CHANGED_HOOKS", ()):
        hook: Callable[[str], None] = import_string(path)
        transaction.on_commit(partial(hook, account_id))


def _actor_label(actor: User | None) -> str:
    return actor.get_username() if actor is not None else "system"


@transaction.atomic
def intervention_create(
    *,
    account: ConnectedAccount,
    kind: str,
    cause: str,
    affects: str | None = None,
    message: str = "",
    immediate: bool = False,
    deadline: datetime | None = None,
    form: Sequence[Mapping[str, Any]] | None = None,
    reserve_amount: int | None = None,
    reserve_currency: str = "",
    reserve_percent: Decimal | str | None = None,
    reserve_release_at: datetime | None = None,
    actor: User | None = None,
    request: HttpRequest | None = None,
    reference: str = "",
    operator_key: str = "",
) -> Intervention:
    """Open an intervention, apply it at once if immediate, and email the account.

    ``reference`` is an operator API caller's own id: repeating a create with it returns
    the intervention it made (a retried or double-sent request opens one, not two)."""
    reference = reference.strip()[:100]
    if reference:
        existing = Intervention.objects.filter(reference=reference).first()
        if existing is not None:
            if existing.account_id != account.pk:
                raise InvalidParameterError(
                    "reference", "This reference already names an intervention on another account."
                )
            return existing
    kind = _choice(kind, Intervention.Kind.values, "kind")
    cause = _choice(cause, Intervention.Cause.values, "cause")
    if affects is None:
        default_affects: dict[str, str] = {
            Intervention.Kind.PAUSE_CHARGES: Intervention.Affects.PAYMENTS,
            Intervention.Kind.OFFBOARDING: Intervention.Affects.BOTH,
        }
        affects = default_affects.get(kind, Intervention.Affects.PAYOUTS)
    affects = _choice(affects, Intervention.Affects.values, "affects")
    now = timezone.now()
    if not immediate and deadline is None:
        raise InvalidParameterError("deadline", "Give a response deadline, or make the intervention immediate.")
    if deadline is not None and deadline <= now:
        raise InvalidParameterError("deadline", "The deadline must be in the future.")
    percent: Decimal | None = None
    if kind == Intervention.Kind.RESERVE:
        if reserve_percent not in (None, ""):
            try:
                percent = Decimal(str(reserve_percent))
            except InvalidOperation:
                raise InvalidParameterError("reserve_percent", "Give the reserve as a percentage.") from None
            if not Decimal(0) < percent <= Decimal(100):
                raise InvalidParameterError("reserve_percent", "The percentage must be above 0 and at most 100.")
            reserve_amount = None
        elif reserve_amount is None or reserve_amount <= 0:
            raise InvalidParameterError("reserve_amount", "A reserve needs a positive amount or a percentage.")
        if reserve_release_at is None or reserve_release_at <= now:
            raise InvalidParameterError("reserve_release_at", "A reserve needs a release date in the future.")
        reserve_currency = (reserve_currency or account.default_currency).lower()[:3]
    else:
        reserve_amount, reserve_currency, reserve_release_at = None, "", None
    cleaned_form = form_validate(form if form is not None else DEFAULT_FORMS[cause])
    intervention = Intervention.objects.create(
        account=account,
        kind=kind,
        cause=cause,
        affects=affects,
        message=message.strip()[:5000],
        immediate=immediate,
        deadline=deadline,
        effective=immediate,
        reserve_amount=reserve_amount,
        reserve_currency=reserve_currency,
        reserve_percent=percent,
        reserve_release_at=reserve_release_at,
        form=cleaned_form,
        created_by=actor,
        created_by_key=operator_key[:100],
        reference=reference,
        created_at=now,
        updated_at=now,
    )
    _decide_record(intervention, InterventionDecision.Outcome.CREATED, message, actor, now, operator_key=operator_key)
    audit_record(
        kind=RiskAudit.INTERVENTION_CREATED,
        request=request,
        actor=actor,
        subject_label=intervention.pk,
        account_id=account.pk,
        detail={"intervention": intervention.pk, "kind": kind, "cause": cause, "immediate": immediate}
        | ({"operator_key": operator_key} if operator_key else {}),
    )
    if immediate:
        account_effects_sync(account=account)
    _email(intervention, "created")
    _account_changed(account)
    return intervention


def _decide_record(
    intervention: Intervention,
    outcome: str,
    message: str,
    actor: User | None,
    at: datetime,
    *,
    operator_key: str = "",
) -> InterventionDecision:
    return InterventionDecision.objects.create(
        intervention=intervention,
        outcome=outcome,
        message=message.strip()[:5000],
        agent=actor,
        agent_label=f"operator key {operator_key}"[:254] if operator_key else _actor_label(actor),
        at=at,
    )


def _email(intervention: Intervention, event: str, message: str = "") -> None:
    category = "compliance" if intervention.cause == Intervention.Cause.COMPLIANCE else "risk"
    account_email_enqueue(
        account=intervention.account,
        category=category,
        template=f"intervention.{event}",
        content=intervention_content(intervention, event, message),
        topic=topic_for(intervention),
        intervention=intervention,
    )


def _lock(intervention_id: str, account: ConnectedAccount | None = None) -> Intervention:
    query = Intervention.objects.select_for_update().select_related("account__platform")
    if account is not None:
        query = query.filter(account=account)
    found = query.filter(pk=intervention_id).first()
    if found is None:
        raise InvalidParameterError("intervention", "No such intervention on this account.", code="resource_missing")
    return found


@transaction.atomic
def intervention_respond(
    *,
    account: ConnectedAccount,
    intervention_id: str,
    values: Mapping[str, Any],
    person: Person | None = None,
    documents: Sequence[UploadedDocument] = (),
) -> Intervention:
    """The account's answer: checked against the form, stored, and put in review."""
    intervention = _lock(intervention_id, account)
    if intervention.status not in (
        Intervention.Status.ACTION_REQUIRED,
        Intervention.Status.MORE_INFORMATION_REQUESTED,
    ):
        raise InterventionStateError("This was already answered; we're reviewing it.")
    answers = answers_clean(intervention.form, values)
    by_field = {d.field: d for d in documents}
    for question in intervention.form:
        if question["type"] not in FILE_TYPES:
            continue
        document = by_field.get(question["name"])
        if document is None:
            if question.get("required"):
                raise InvalidParameterError(question["name"], "Upload this document.")
            continue
        file_check(
            field=question["name"],
            filename=document.filename,
            content_type=document.content_type,
            content=document.content,
        )
    now = timezone.now()
    response = InterventionResponse.objects.create(
        intervention=intervention,
        answers=answers,
        person_id=person.pk if person else "",
        person_name=person.full_name if person else "",
        submitted_at=now,
    )
    for document in documents:
        if document.field in {q["name"] for q in intervention.form if q["type"] in FILE_TYPES}:
            InterventionFile.objects.create(
                response=response,
                field=document.field,
                filename=document.filename[:200],
                content_type=document.content_type,
                size=len(document.content),
                content=document.content,
            )
    intervention.status = Intervention.Status.IN_REVIEW
    intervention.updated_at = now
    intervention.save(update_fields=["status", "updated_at"])
    audit_record(
        kind=RiskAudit.INTERVENTION_ANSWERED,
        subject_label=intervention.pk,
        account_id=account.pk,
        detail={"intervention": intervention.pk, "response": response.pk, "documents": len(documents)},
    )
    _account_changed(account)
    return intervention


@transaction.atomic
def intervention_decide(
    *,
    intervention_id: str,
    decision: str,
    message: str = "",
    actor: User | None,
    request: HttpRequest | None = None,
    operator_key: str = "",
) -> Intervention:
    """A risk agent's decision: resolve (lift), request more information, escalate, offboard."""
    decision = _choice(decision, DECISIONS, "decision")
    intervention = _lock(intervention_id)
    if not intervention.is_open:
        raise InterventionStateError("This intervention is already closed.")
    if decision == "request_more_information" and not message.strip():
        raise InvalidParameterError("message", "Tell the account what more you need.")
    now = timezone.now()
    outcome, status, event = {
        "resolve": (InterventionDecision.Outcome.RESOLVED, Intervention.Status.RESOLVED, "resolved"),
        "request_more_information": (
            InterventionDecision.Outcome.MORE_INFORMATION,
            Intervention.Status.MORE_INFORMATION_REQUESTED,
            "more_information_requested",
        ),
        "escalate": (InterventionDecision.Outcome.ESCALATED, Intervention.Status.ESCALATED, "escalated"),
        "offboard": (InterventionDecision.Outcome.OFFBOARDED, Intervention.Status.OFFBOARDED, "offboarded"),
    }[decision]
    intervention.status = status
    intervention.updated_at = now
    if decision == "offboard":
        intervention.kind = Intervention.Kind.OFFBOARDING
        intervention.affects = Intervention.Affects.BOTH
        intervention.effective = True
    if decision == "resolve":
        intervention.resolved_at = now
    intervention.save()
    _decide_record(intervention, outcome, message, actor, now, operator_key=operator_key)
    detail: dict[str, Any] = {"intervention": intervention.pk, "decision": decision}
    if operator_key:
        detail["operator_key"] = operator_key
    audit_record(
        kind=RiskAudit.INTERVENTION_DECIDED,
        request=request,
        actor=actor,
        subject_label=intervention.pk,
        account_id=intervention.account_id,
        detail=detail,
    )
    account_effects_sync(account=intervention.account)
    _email(intervention, event, message)
    _account_changed(intervention.account)
    return intervention


def interventions_enforce_deadlines(*, now: datetime | None = None) -> int:
    """Apply the effect of every intervention still unanswered after its deadline."""
    now = now or timezone.now()
    due = list(
        Intervention.objects.filter(
            effective=False,
            deadline__lte=now,
            status__in=[Intervention.Status.ACTION_REQUIRED, Intervention.Status.MORE_INFORMATION_REQUESTED],
        ).values_list("pk", flat=True)[:500]
    )
    applied = 0
    for intervention_id in due:
        with transaction.atomic():
            intervention = _lock(intervention_id)
            if intervention.effective or intervention.status not in (
                Intervention.Status.ACTION_REQUIRED,
                Intervention.Status.MORE_INFORMATION_REQUESTED,
            ):
                continue
            intervention.effective = True
            intervention.updated_at = now
            intervention.save(update_fields=["effective", "updated_at"])
            _decide_record(intervention, InterventionDecision.Outcome.DEADLINE_PASSED, "", None, now)
            audit_record(
                kind=RiskAudit.INTERVENTION_DEADLINE_PASSED,
                subject_label=intervention.pk,
                account_id=intervention.account_id,
                detail={"intervention": intervention.pk},
            )
            account_effects_sync(account=intervention.account)
            _email(intervention, "deadline_passed")
            _account_changed(intervention.account)
            applied += 1
    return applied

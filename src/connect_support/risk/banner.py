"""Interventions as notification-banner items (named in ``EMBEDDED_NOTIFICATION_SOURCES``).

Plain data in the shape embedded/notifications.py documents; this module does not import
the embedded package. An offboarded account sees the suspension with a form to appeal,
which opens a case routed to the risk queue (risk/appeals.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils import timezone

from connect_support.accounts.errors import InvalidParameterError
from connect_support.accounts.models import ConnectedAccount, Person
from connect_support.risk.emails import consequence_text
from connect_support.risk.form_schema import form_describe
from connect_support.risk.models import Intervention
from connect_support.risk.selectors import interventions_shown
from connect_support.risk.services import InterventionStateError, UploadedDocument, intervention_respond

PREFIX = "intervention:"
SUPPORT_SOURCE = "notification_banner.risk_form"
_AFFECTS = {"payments": ["payments"], "payouts": ["payouts"], "both": ["payments", "payouts"]}
_TITLES: dict[str, str] = {
    Intervention.Kind.PAUSE_PAYOUTS: "Payouts are paused: tell us about your business",
    Intervention.Kind.PAUSE_CHARGES: "Payments are paused: tell us about your business",
    Intervention.Kind.SLOW_PAYOUTS: "Tell us about your business to keep payouts on schedule",
    Intervention.Kind.RESERVE: "Tell us about your business to lift the reserve",
    Intervention.Kind.OFFBOARDING: "Tell us about your business to keep your account open",
}
SUSPENDED_TITLE = "Your account is suspended"
APPEAL_FORM = [
    {
        "name": "appeal",
        "type": "free_text",
        "label": "Why should we reconsider? Our risk specialists will review your appeal.",
        "required": True,
    }
]


def _item(intervention: Intervention) -> dict[str, Any]:
    now = timezone.now()
    deadline = intervention.deadline
    # The response deadline shows even when the effect already applies (immediate interventions).
    due_by = int(deadline.timestamp()) if deadline else None
    support = {"source": SUPPORT_SOURCE, "intervention": intervention.kind, "queue": "risk"}
    base: dict[str, Any] = {
        "id": PREFIX + intervention.pk,
        "kind": "intervention",
        "code": intervention.kind,
        "affects": _AFFECTS[intervention.affects],
        "dueBy": due_by,
        "overdue": bool(deadline and deadline < now),
        "future": False,
        "errors": [],
        "support": support,
    }
    if intervention.status == Intervention.Status.OFFBOARDED:
        appealed = any(True for _ in intervention.case_links.all())
        base.update(
            title=SUSPENDED_TITLE,
            description=(
                "We received your appeal. A risk specialist will email you."
                if appealed
                else "Payments and payouts are suspended. Contact support to appeal."
            ),
            status="in_review" if appealed else "action_required",
            errors=[] if appealed else ["Payments and payouts are suspended. Contact support to appeal."],
            affects=["payments", "payouts"],
            dueBy=None,
            overdue=False,
            form=None
            if appealed
            else form_describe(
                form_id=PREFIX + intervention.pk,
                title="Appeal the suspension",
                description="Tell our risk specialists why the decision should change.",
                form=APPEAL_FORM,
            ),
        )
        return base
    answering = intervention.status in (
        Intervention.Status.ACTION_REQUIRED,
        Intervention.Status.MORE_INFORMATION_REQUESTED,
    )
    what = intervention.message or "Answer a few questions about your business."
    if intervention.status == Intervention.Status.MORE_INFORMATION_REQUESTED:
        last = next((d for d in reversed(intervention.decisions.all()) if d.message), None)
        what = last.message if last else what
    description = f"{what} {consequence_text(intervention)}".strip()
    base.update(
        title=_TITLES.get(intervention.kind, "Tell us about your business"),
        description=description if answering else "We're reviewing what you sent. We'll email you when we've decided.",
        status="action_required" if answering else "in_review",
        form=form_describe(
            form_id=PREFIX + intervention.pk,
            title=_TITLES.get(intervention.kind, "Tell us about your business"),
            description=description,
            form=intervention.form,
        )
        if answering
        else None,
    )
    return base


class InterventionNotifications:
    """The banner source of risk interventions."""

    prefix = PREFIX

    def owns(self, item_id: str) -> bool:
        return item_id.startswith(PREFIX)

    def items(self, *, account: ConnectedAccount, options: Any) -> list[dict[str, Any]]:
        return [_item(i) for i in interventions_shown(account=account)]

    def answer(
        self,
        *,
        account: ConnectedAccount,
        item_id: str,
        values: Mapping[str, Any],
        person: Person | None,
        documents: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        intervention_id = item_id.removeprefix(PREFIX)
        found = Intervention.objects.filter(account=account, pk=intervention_id).first()
        if found is None:
            raise InvalidParameterError("item", "This task no longer applies.")
        try:
            if found.status == Intervention.Status.OFFBOARDED:
                from connect_support.risk.appeals import intervention_appeal_open

                intervention_appeal_open(
                    account=account, intervention_id=intervention_id, text=str(values.get("appeal", "")), person=person
                )
            else:
                uploads = [
                    UploadedDocument(
                        field=str(d["field"]),
                        filename=str(d["filename"]),
                        content_type=str(d["content_type"]),
                        content=bytes(d["content"]),
                    )
                    for d in documents
                ]
                intervention_respond(
                    account=account, intervention_id=intervention_id, values=values, person=person, documents=uploads
                )
        except InterventionStateError as refused:
            raise InvalidParameterError("item", str(refused)) from None

"""Reads of risk: an account's interventions, the review queue, an intervention's file."""

from __future__ import annotations

from django.db.models import QuerySet

from connect_support.accounts.models import ConnectedAccount
from connect_support.risk.models import AccountEmail, Intervention

# The order a risk agent works in: escalations first, then answers waiting longest.
_QUEUE_ORDER: dict[str, int] = {
    Intervention.Status.ESCALATED: 0,
    Intervention.Status.IN_REVIEW: 1,
    Intervention.Status.MORE_INFORMATION_REQUESTED: 2,
    Intervention.Status.ACTION_REQUIRED: 3,
}


def interventions_for_account(*, account: ConnectedAccount) -> QuerySet[Intervention]:
    return Intervention.objects.filter(account=account).order_by("-created_at")


def interventions_shown(*, account: ConnectedAccount) -> list[Intervention]:
    """What the banner lists: open interventions and an offboarding in force."""
    return list(
        Intervention.objects.filter(
            account=account, status__in=[*Intervention.OPEN_STATUSES, Intervention.Status.OFFBOARDED]
        )
        .prefetch_related("case_links")
        .order_by("created_at")
    )


def risk_queue(*, status: str | None = None, limit: int = 200) -> list[Intervention]:
    query = Intervention.objects.filter(status__in=Intervention.OPEN_STATUSES).select_related("account__platform")
    if status:
        query = query.filter(status=status)
    rows = list(query.order_by("updated_at")[:limit])
    rows.sort(key=lambda i: _QUEUE_ORDER.get(i.status, 9))  # stable: oldest first within a status
    return rows


def intervention_for_review(*, intervention_id: str) -> Intervention | None:
    if not intervention_id or len(intervention_id) > 40:
        return None
    return (
        Intervention.objects.select_related("account__platform")
        .prefetch_related("responses__files", "decisions", "emails", "case_links")
        .filter(pk=intervention_id)
        .first()
    )


def account_email_history(*, account: ConnectedAccount, limit: int = 100) -> QuerySet[AccountEmail]:
    return AccountEmail.objects.filter(account=account).order_by("-created_at")[:limit]

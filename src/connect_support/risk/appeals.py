"""Appeals and questions about an intervention, as support cases routed to the risk queue.

This is the one risk module that sits above cases (it opens a case): the rest of risk
never imports cases. Cases have no queue field, so ``RiskCaseLink`` holds the routing.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from connect_support.accounts.errors import InvalidParameterError
from connect_support.accounts.models import ConnectedAccount, Person
from connect_support.cases.models import Case
from connect_support.cases.services import MessageInput, case_create
from connect_support.identity.audit import audit_record
from connect_support.risk.models import Intervention, RiskCaseLink
from connect_support.risk.services import InterventionStateError

MAX_APPEAL = 5000


@transaction.atomic
def intervention_appeal_open(
    *, account: ConnectedAccount, intervention_id: str, text: str, person: Person | None
) -> Case:
    """Open a case in the risk queue with the intervention attached; one per intervention."""
    intervention = Intervention.objects.select_for_update().filter(account=account, pk=intervention_id).first()
    if intervention is None:
        raise InvalidParameterError("intervention", "No such intervention on this account.", code="resource_missing")
    if intervention.case_links.exists():
        raise InterventionStateError("We already have your appeal; a risk specialist will email you.")
    body = text.strip()
    if not body:
        raise InvalidParameterError("appeal", "Tell us why we should reconsider.")
    if len(body) > MAX_APPEAL:
        raise InvalidParameterError("appeal", f"Keep the appeal under {MAX_APPEAL} characters.")
    email = (person.email if person and person.email else "") or account.email
    if not email:
        raise InvalidParameterError("appeal", "The account has no email address for our answer.")
    created = case_create(
        requester_email=email,
        requester_name=person.full_name if person else account.business_name,
        subject=f"Appeal: {intervention.get_kind_display()} ({intervention.pk})",
        message=MessageInput(body_text=body),
        channel=Case.Channel.WEB,
        topic="accounts",
        account=account,
        person=person,
        source_context={
            "source": "notification_banner.risk_form",
            "component": "notification_banner",
            "dialog": "risk_form",
            "intervention": intervention.kind,
            "intervention_id": intervention.pk,
            "queue": "risk",
        },
    )
    RiskCaseLink.objects.create(
        case_id=created.case.pk, intervention=intervention, queue="risk", created_at=timezone.now()
    )
    audit_record(
        kind="risk.appeal_opened",
        subject_label=intervention.pk,
        account_id=account.pk,
        detail={"intervention": intervention.pk, "case": created.case.pk},
    )
    return created.case

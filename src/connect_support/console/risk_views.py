"""The risk workspace: the queue of interventions to review, one intervention with the
account's answers and files, the decision form, and opening a new intervention."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from connect_support.accounts.errors import InvalidParameterError
from connect_support.accounts.models import ConnectedAccount
from connect_support.cases.models import Case
from connect_support.console.access import console_view
from connect_support.identity.selectors import agent_user
from connect_support.risk.banner import SUPPORT_SOURCE as RISK_SUPPORT_SOURCE
from connect_support.risk.models import Intervention, InterventionFile, RiskCaseLink
from connect_support.risk.selectors import account_email_history, intervention_for_review, risk_queue
from connect_support.risk.services import InterventionStateError, intervention_create, intervention_decide

DECISION_LABELS = (
    ("resolve", "Resolve and lift"),
    ("request_more_information", "Request more information"),
    ("escalate", "Escalate"),
    ("offboard", "Offboard"),
)


def _agent(request: HttpRequest) -> User | None:
    agent = agent_user(request)
    return agent.user if agent is not None else None


@never_cache
@console_view("risk.review")
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in Intervention.Status.values else ""
    rows = risk_queue(status=status or None)
    appeals = RiskCaseLink.objects.select_related("intervention__account").order_by("-created_at")[:50]
    linked = {link.case_id for link in appeals}
    # Cases opened from a risk form's Contact support link (the support site records the
    # source) reach risk specialists too, even without an explicit link.
    risk_cases = [
        case
        for case in Case.objects.filter(source_context__source=RISK_SUPPORT_SOURCE)
        .exclude(status__in=[Case.Status.SOLVED, Case.Status.CLOSED])
        .select_related("account")
        .order_by("-updated_at")[:50]
        if case.pk not in linked
    ]
    context = {
        "rows": rows,
        "appeals": appeals,
        "risk_cases": risk_cases,
        "status": status,
        "statuses": Intervention.Status.choices,
        "nav": "risk",
    }
    return render(request, "console/risk_queue.html", context)


@never_cache
@console_view("risk.review")
@require_http_methods(["GET", "POST"])
def intervention(request: HttpRequest, intervention_id: str) -> HttpResponse:
    found = intervention_for_review(intervention_id=intervention_id)
    if found is None:
        raise Http404("No such intervention.")
    error = ""
    if request.method == "POST":
        try:
            intervention_decide(
                intervention_id=found.pk,
                decision=request.POST.get("decision", ""),
                message=request.POST.get("message", "")[:5000],
                actor=_agent(request),
                request=request,
            )
        except (InvalidParameterError, InterventionStateError) as refused:
            error = getattr(refused, "message", str(refused))
        else:
            return HttpResponseRedirect(reverse("console-risk-intervention", args=[found.pk]))
    context = {
        "intervention": found,
        "account": found.account,
        "submissions": [
            (
                response,
                [
                    (q["label"], response.answers.get(q["name"], ""))
                    for q in found.form
                    if q["type"] not in ("document", "identity_document")
                ],
            )
            for response in found.responses.all()
        ],
        "decisions": list(found.decisions.all()),
        "emails": list(account_email_history(account=found.account, limit=20)),
        "decision_labels": DECISION_LABELS,
        "error": error,
        "nav": "risk",
    }
    return render(request, "console/risk_intervention.html", context, status=400 if error else 200)


@console_view("risk.review")
@require_GET
def intervention_file(request: HttpRequest, intervention_id: str, file_id: str) -> HttpResponse:
    found = InterventionFile.objects.filter(pk=file_id, response__intervention_id=intervention_id).first()
    if found is None:
        raise Http404("No such file.")
    response = HttpResponse(bytes(found.content), content_type=found.content_type)
    # Always a download: an uploaded file is never rendered in the console's origin.
    response["Content-Disposition"] = f'attachment; filename="{found.pk}{_extension(found.content_type)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _extension(content_type: str) -> str:
    return {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}.get(content_type, "")


@never_cache
@console_view("risk.review")
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    error, values = "", request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        account = ConnectedAccount.objects.filter(pk=values.get("account", "")[:40], deleted_at=None).first()
        try:
            if account is None:
                raise InvalidParameterError("account", "No such account.")
            created = intervention_create(
                account=account,
                kind=values.get("kind", ""),
                cause=values.get("cause", ""),
                message=values.get("message", ""),
                immediate=values.get("immediate") == "on",
                deadline=_date_end(values.get("deadline", "")),
                reserve_amount=int(values["reserve_amount"]) if values.get("reserve_amount", "").isdigit() else None,
                reserve_percent=values.get("reserve_percent") or None,
                reserve_release_at=_date_end(values.get("reserve_release_at", "")),
                actor=_agent(request),
                request=request,
            )
        except InvalidParameterError as refused:
            error = f"{refused.param}: {refused.message}"
        else:
            return HttpResponseRedirect(reverse("console-risk-intervention", args=[created.pk]))
    context = {
        "values": values,
        "kinds": Intervention.Kind.choices,
        "causes": Intervention.Cause.choices,
        "error": error,
        "default_deadline": (timezone.now() + timedelta(days=7)).date().isoformat(),
        "nav": "risk",
    }
    return render(request, "console/risk_create.html", context, status=400 if error else 200)


def _date_end(text: str) -> datetime | None:
    """The end of the given day (UTC), or None for an empty or malformed date."""
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        return None
    return datetime.combine(day, time(23, 59, 59), tzinfo=timezone.get_current_timezone())

"""SLA policies in the console (``/console/sla/``, admins) and each agent's breach alerts
(``/console/sla/alerts/``). Rules and clocks live in ``connect_support.sla``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from connect_support.cases.models import Case
from connect_support.chat.availability import chat_settings_get, hours_summary
from connect_support.console.access import console_view
from connect_support.identity.selectors import agent_user
from connect_support.sla.alerts import sla_alerts_mark_read
from connect_support.sla.models import SlaPolicy
from connect_support.sla.selectors import (
    alerts_for,
    alerts_unread_count,
    cases_sla,
    operator_calendar,
    policies_ordered,
    target_text,
)
from connect_support.sla.services import (
    PolicyError,
    PolicyTargets,
    sla_policy_add,
    sla_policy_remove,
    sla_policy_update,
)

MAX_HOURS = Decimal(365 * 24)


def _hours_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal("0.25"),
        max_value=MAX_HOURS,
        max_digits=7,
        decimal_places=2,
        help_text="Business hours, e.g. 1, 0.5 or 40.",
        widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
        error_messages={
            "invalid": "Enter a number of hours, like 4 or 1.5.",
            "min_value": "At least 0.25 (15 minutes).",
            "max_value": "At most 8760 hours (365 days).",
            "max_decimal_places": "Use at most two decimals.",
            "max_digits": "That number is too large.",
        },
    )


class TargetsForm(forms.Form):
    first_response = _hours_field("First response")
    next_response = _hours_field("Next response")
    resolution = _hours_field("Resolution")

    def targets(self) -> PolicyTargets:
        data = self.cleaned_data
        return PolicyTargets(
            first_response_minutes=round(data["first_response"] * 60),
            next_response_minutes=round(data["next_response"] * 60),
            resolution_minutes=round(data["resolution"] * 60),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            try:
                self.targets().check()
            except PolicyError as error:
                raise forms.ValidationError(str(error)) from None
        return cleaned


class PolicyEditForm(TargetsForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31)


class PolicyAddForm(TargetsForm):
    priority = forms.ChoiceField(label="Priority", choices=Case.Priority.choices)
    channel = forms.ChoiceField(label="Channel", choices=Case.Channel.choices)

    field_order = ("priority", "channel", "first_response", "next_response", "resolution")


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.01")).normalize()


def _initial(policy: SlaPolicy) -> dict[str, Any]:
    return {
        "first_response": _hours(policy.first_response_minutes),
        "next_response": _hours(policy.next_response_minutes),
        "resolution": _hours(policy.resolution_minutes),
        "version": policy.version,
    }


def _rows(policies: list[SlaPolicy]) -> list[dict[str, Any]]:
    return [
        {
            "policy": policy,
            "first": target_text(policy.first_response_minutes),
            "next": target_text(policy.next_response_minutes),
            "resolution": target_text(policy.resolution_minutes),
        }
        for policy in policies
    ]


@never_cache
@console_view("agents.manage")
@require_http_methods(["GET", "HEAD", "POST"])
def policies(request: HttpRequest) -> HttpResponse:
    """Every policy, and a form to give one channel its own targets."""
    agent = agent_user(request)
    assert agent is not None  # noqa: S101 (console_view guarantees it)
    add_form = PolicyAddForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if add_form.is_valid():
            data = add_form.cleaned_data
            try:
                added = sla_policy_add(
                    priority=data["priority"], channel=data["channel"], targets=add_form.targets(), actor=agent.user
                )
            except PolicyError as error:
                add_form.add_error(None, str(error))
            else:
                messages.success(request, f"Targets for {added} added.")
                return HttpResponseRedirect(reverse("console-sla"))
        status = 400
    context = {
        "rows": _rows(policies_ordered()),
        "add_form": add_form,
        "hours": hours_summary(chat_settings_get()),
        "nav": "sla",
    }
    return render(request, "console/sla_policies.html", context, status=status)


@never_cache
@console_view("agents.manage")
@require_http_methods(["GET", "HEAD", "POST"])
def policy_edit(request: HttpRequest, policy_id: int) -> HttpResponse:
    agent = agent_user(request)
    assert agent is not None  # noqa: S101 (console_view guarantees it)
    policy = SlaPolicy.objects.filter(pk=policy_id).first()
    if policy is None:
        raise Http404("No such policy.")
    form = PolicyEditForm(request.POST if request.method == "POST" else None, initial=_initial(policy))
    status = 200
    refusal = ""
    if request.method == "POST":
        if form.is_valid():
            try:
                sla_policy_update(
                    policy_id=policy.pk, version=form.cleaned_data["version"], targets=form.targets(), actor=agent.user
                )
            except PolicyError as error:
                # Show what is saved now; the refused values are not applied.
                policy.refresh_from_db()
                form = PolicyEditForm(initial=_initial(policy))
                refusal = str(error)
                status = 409
            else:
                messages.success(request, f"Targets for {policy} saved. Cases opened from now on use them.")
                return HttpResponseRedirect(reverse("console-sla"))
        else:
            status = 400
    context = {"form": form, "policy": policy, "refusal": refusal, "nav": "sla"}
    return render(request, "console/sla_policy_edit.html", context, status=status)


@console_view("agents.manage")
@require_POST
def policy_remove(request: HttpRequest, policy_id: int) -> HttpResponse:
    if sla_policy_remove(policy_id=policy_id):
        messages.success(request, "Targets removed; that channel now follows the priority's any-channel targets.")
    return HttpResponseRedirect(reverse("console-sla"))


@never_cache
@console_view("cases.work")
@require_http_methods(["GET", "HEAD", "POST"])
def alerts(request: HttpRequest) -> HttpResponse:
    """The signed-in agent's breach alerts, newest first, with each case's timers now."""
    agent = agent_user(request)
    assert agent is not None  # noqa: S101 (console_view guarantees it)
    if request.method == "POST":
        raw = request.POST.getlist("alert")
        ids = [int(value) for value in raw if value.isdigit() and len(value) < 12] if raw else None
        marked = sla_alerts_mark_read(user=agent.user, alert_ids=ids)
        messages.success(request, f"{marked} alert{'s' if marked != 1 else ''} marked as read.")
        return HttpResponseRedirect(reverse("console-sla-alerts"))
    listed = list(alerts_for(user=agent.user))
    timers = cases_sla([alert.case for alert in listed], calendar=operator_calendar())
    context = {
        "alerts": [(alert, timers.get(alert.case_id, [])) for alert in listed],
        "unread": alerts_unread_count(user=agent.user),
        "nav": "sla-alerts",
    }
    return render(request, "console/sla_alerts.html", context)

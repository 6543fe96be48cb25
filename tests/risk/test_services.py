"""Interventions: their effects on the account, answers, decisions, deadlines, audit."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from connect_support.accounts.errors import InvalidParameterError
from connect_support.accounts.models import ConnectedAccount
from connect_support.identity.models import AuditEvent
from connect_support.risk.emails import account_email_drain
from connect_support.risk.models import AccountEmail, Intervention, InterventionDecision
from connect_support.risk.services import (
    InterventionStateError,
    UploadedDocument,
    intervention_create,
    intervention_decide,
    intervention_respond,
    interventions_enforce_deadlines,
)
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def fresh(account: ConnectedAccount) -> ConnectedAccount:
    return ConnectedAccount.objects.get(pk=account.pk)


@pytest.fixture
def agent() -> User:
    return User.objects.create_user("risk@operator.example", "risk@operator.example", "x" * 20)


def test_ids_are_prefixed_and_an_immediate_pause_stops_payouts_until_resolved(
    active_account: ConnectedAccount, agent: User
) -> None:
    intervention = intervention_create(
        account=active_account,
        kind="pause_payouts",
        cause="fraud",
        immediate=True,
        actor=agent,
        message="We noticed unusual payments.",
    )
    assert intervention.id.startswith("intv_")
    assert len(intervention.id) > 20
    assert intervention.affects == "payouts"
    account = fresh(active_account)
    assert account.payouts_enabled is False
    assert account.charges_enabled is True
    assert account.capabilities["transfers"]["status"] == "inactive"
    assert account.requirements["disabled_reason"] == "under_review"

    intervention_respond(
        account=account,
        intervention_id=intervention.pk,
        values={"business_description": "Handmade mugs to consumers", "fulfilment": "Shipped in 3 days"},
    )
    assert Intervention.objects.get(pk=intervention.pk).status == "in_review"
    assert fresh(active_account).payouts_enabled is False  # still paused while in review

    intervention_decide(intervention_id=intervention.pk, decision="resolve", actor=agent, message="All good.")
    account = fresh(active_account)
    assert account.payouts_enabled is True
    assert account.capabilities["transfers"]["status"] == "active"
    assert account.requirements["disabled_reason"] is None
    outcomes = list(InterventionDecision.objects.filter(intervention=intervention).values_list("outcome", flat=True))
    assert outcomes == ["created", "resolved"]
    kinds = set(AuditEvent.objects.filter(account_id=account.pk).values_list("kind", flat=True))
    assert {"risk.intervention_created", "risk.intervention_answered", "risk.intervention_decided"} <= kinds
    decided = AuditEvent.objects.get(kind="risk.intervention_decided")
    assert decided.actor == agent
    assert decided.detail["decision"] == "resolve"


def test_lifting_one_intervention_keeps_the_others_in_force(active_account: ConnectedAccount) -> None:
    payouts = intervention_create(account=active_account, kind="pause_payouts", cause="credit", immediate=True)
    charges = intervention_create(account=active_account, kind="pause_charges", cause="fraud", immediate=True)
    account = fresh(active_account)
    assert (account.charges_enabled, account.payouts_enabled) == (False, False)
    intervention_decide(intervention_id=payouts.pk, decision="resolve", actor=None)
    account = fresh(active_account)
    assert (account.charges_enabled, account.payouts_enabled) == (False, True)
    intervention_decide(intervention_id=charges.pk, decision="resolve", actor=None)
    assert fresh(active_account).charges_enabled is True


def test_a_deadline_intervention_applies_only_when_the_deadline_passes(active_account: ConnectedAccount) -> None:
    deadline = timezone.now() + timedelta(days=7)
    intervention = intervention_create(
        account=active_account, kind="pause_charges", cause="compliance", deadline=deadline
    )
    assert fresh(active_account).charges_enabled is True
    assert interventions_enforce_deadlines() == 0
    assert interventions_enforce_deadlines(now=deadline + timedelta(seconds=1)) == 1
    assert fresh(active_account).charges_enabled is False
    assert Intervention.objects.get(pk=intervention.pk).effective is True
    assert interventions_enforce_deadlines(now=deadline + timedelta(seconds=2)) == 0  # applied once
    assert AccountEmail.objects.filter(intervention=intervention, template="intervention.deadline_passed").count() == 1


def test_slow_payouts_lengthen_the_delay_and_restore_it(active_account: ConnectedAccount) -> None:
    ConnectedAccount.objects.filter(pk=active_account.pk).update(
        settings={"payouts": {"schedule": {"delay_days": 3, "interval": "daily"}}}
    )
    intervention = intervention_create(account=active_account, kind="slow_payouts", cause="credit", immediate=True)
    assert fresh(active_account).settings["payouts"]["schedule"]["delay_days"] == 14
    intervention_decide(intervention_id=intervention.pk, decision="resolve", actor=None)
    assert fresh(active_account).settings["payouts"]["schedule"] == {"delay_days": 3, "interval": "daily"}


def test_reserve_needs_an_amount_or_percentage_and_a_release_date(active_account: ConnectedAccount) -> None:
    release = timezone.now() + timedelta(days=90)
    with pytest.raises(InvalidParameterError) as missing:
        intervention_create(
            account=active_account, kind="reserve", cause="credit", immediate=True, reserve_release_at=release
        )
    assert missing.value.param == "reserve_amount"
    with pytest.raises(InvalidParameterError) as too_much:
        intervention_create(
            account=active_account,
            kind="reserve",
            cause="credit",
            immediate=True,
            reserve_percent="150",
            reserve_release_at=release,
        )
    assert too_much.value.param == "reserve_percent"
    reserve = intervention_create(
        account=active_account,
        kind="reserve",
        cause="credit",
        immediate=True,
        reserve_percent="12.5",
        reserve_release_at=release,
    )
    assert str(Intervention.objects.get(pk=reserve.pk).reserve_percent) == "12.50"
    account_email_drain()
    (sent,) = mail.outbox
    assert "12.5% of your payments" in sent.body


def test_bad_input_is_refused_clearly(active_account: ConnectedAccount, keys: Any) -> None:
    with pytest.raises(InvalidParameterError) as no_deadline:
        intervention_create(account=active_account, kind="pause_payouts", cause="fraud")
    assert no_deadline.value.param == "deadline"
    with pytest.raises(InvalidParameterError) as bad_kind:
        intervention_create(account=active_account, kind="freeze", cause="fraud", immediate=True)
    assert bad_kind.value.param == "kind"
    with pytest.raises(InvalidParameterError) as bad_form:
        intervention_create(
            account=active_account,
            kind="pause_payouts",
            cause="fraud",
            immediate=True,
            form=[{"name": "x", "type": "essay", "label": "?"}],
        )
    assert bad_form.value.param == "form[0][type]"
    intervention = intervention_create(
        account=active_account,
        kind="pause_payouts",
        cause="compliance",
        immediate=True,
        form=[
            {"name": "owner", "type": "free_text", "label": "Who owns the business?"},
            {"name": "registration", "type": "document", "label": "Registration", "required": True},
        ],
    )
    with pytest.raises(InvalidParameterError) as unanswered:
        intervention_respond(account=active_account, intervention_id=intervention.pk, values={})
    assert unanswered.value.param == "owner"
    with pytest.raises(InvalidParameterError) as no_file:
        intervention_respond(account=active_account, intervention_id=intervention.pk, values={"owner": "Robin"})
    assert no_file.value.param == "registration"
    disguised = UploadedDocument("registration", "scan.pdf", "application/pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(InvalidParameterError) as fake:
        intervention_respond(
            account=active_account, intervention_id=intervention.pk, values={"owner": "Robin"}, documents=[disguised]
        )
    assert "not a real PDF" in fake.value.message
    other = make_account(keys.platform, email="o@x.example")
    with pytest.raises(InvalidParameterError) as foreign:
        intervention_respond(account=other, intervention_id=intervention.pk, values={"owner": "Robin"})
    assert foreign.value.code == "resource_missing"
    real = UploadedDocument("registration", "scan.pdf", "application/pdf", b"%PDF-1.7\n...")
    intervention_respond(
        account=active_account, intervention_id=intervention.pk, values={"owner": "Robin"}, documents=[real]
    )
    with pytest.raises(InterventionStateError):  # a double submit
        intervention_respond(
            account=active_account, intervention_id=intervention.pk, values={"owner": "Robin"}, documents=[real]
        )
    assert intervention.responses.count() == 1
    assert intervention.responses.get().files.get().size == len(real.content)


def test_more_information_reopens_the_form_and_offboarding_suspends(active_account: ConnectedAccount) -> None:
    intervention = intervention_create(account=active_account, kind="pause_payouts", cause="fraud", immediate=True)
    intervention_respond(
        account=active_account,
        intervention_id=intervention.pk,
        values={"business_description": "Mugs", "fulfilment": "Post"},
    )
    with pytest.raises(InvalidParameterError):
        intervention_decide(intervention_id=intervention.pk, decision="request_more_information", actor=None)
    intervention_decide(
        intervention_id=intervention.pk,
        decision="request_more_information",
        actor=None,
        message="Send an invoice from your supplier.",
    )
    intervention_respond(
        account=active_account,
        intervention_id=intervention.pk,
        values={"business_description": "Mugs!", "fulfilment": "Post"},
    )
    intervention_decide(intervention_id=intervention.pk, decision="escalate", actor=None)
    intervention_decide(intervention_id=intervention.pk, decision="offboard", actor=None, message="Too risky.")
    account = fresh(active_account)
    assert (account.charges_enabled, account.payouts_enabled) == (False, False)
    assert account.requirements["disabled_reason"] == "rejected.fraud"
    with pytest.raises(InterventionStateError):
        intervention_decide(intervention_id=intervention.pk, decision="resolve", actor=None)


def test_operators_open_interventions_from_the_command_line(active_account: ConnectedAccount) -> None:
    out = StringIO()
    call_command(
        "create_intervention",
        active_account.pk,
        "--kind=pause_payouts",
        "--cause=fraud",
        "--immediate",
        "--json",
        stdout=out,
    )
    printed = json.loads(out.getvalue())
    assert printed["id"].startswith("intv_")
    assert printed["effective"] is True
    assert fresh(active_account).payouts_enabled is False
    with pytest.raises(CommandError, match="reserve_percent"):
        call_command(
            "create_intervention", active_account.pk, "--kind=reserve", "--cause=credit", "--reserve-percent=0"
        )
    with pytest.raises(CommandError, match="No account"):
        call_command("create_intervention", "acct_missing", "--kind=pause_payouts", "--cause=fraud")

"""The risk workspace in the console: only risk agents; the queue, the submission with its
files, decisions that are audited and emailed, and opening an intervention."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from connect_support.accounts.models import ConnectedAccount
from connect_support.cases.models import Case
from connect_support.cases.services import MessageInput, case_create
from connect_support.identity.models import AuditEvent
from connect_support.risk.appeals import intervention_appeal_open
from connect_support.risk.emails import account_email_drain
from connect_support.risk.models import Intervention
from connect_support.risk.services import (
    UploadedDocument,
    intervention_create,
    intervention_decide,
    intervention_respond,
)
from tests.identity.fixtures import AGENT_PASSWORD, fresh_rate_limits, make_agent

pytestmark = pytest.mark.django_db
__all__ = ["fresh_rate_limits"]


def signed_in(client: Client, email: str, roles: tuple[str, ...]) -> Client:
    user, secret = make_agent(email=email, roles=roles)
    client.post("/console/login/", {"email": user.email, "password": AGENT_PASSWORD})
    client.post("/console/login/verify/", {"code": pyotp.TOTP(secret).at(timezone.now() - timedelta(seconds=30))})
    assert client.get("/console/").status_code == 200
    return client


def test_only_risk_agents_reach_the_risk_pages(client: Client) -> None:
    assert client.get("/console/risk/")["Location"].startswith("/console/login/")
    signed_in(client, "support@operator.test", ("support agent",))
    assert client.get("/console/risk/").status_code == 403


def test_a_risk_agent_reviews_the_submission_and_resolves(client: Client, active_account: ConnectedAccount) -> None:
    intervention = intervention_create(
        account=active_account,
        kind="pause_payouts",
        cause="compliance",
        immediate=True,
        form=[
            {"name": "owner", "type": "free_text", "label": "Who owns the business?"},
            {"name": "registration", "type": "document", "label": "Registration"},
        ],
    )
    intervention_respond(
        account=active_account,
        intervention_id=intervention.pk,
        values={"owner": "Robin <b>Owner</b>"},
        documents=[UploadedDocument("registration", "reg.pdf", "application/pdf", b"%PDF-1.4 registration")],
    )
    signed_in(client, "risk@operator.test", ("risk agent",))
    queue = client.get("/console/risk/").content.decode()
    assert intervention.pk in queue
    assert "In review" in queue
    page = client.get(f"/console/risk/{intervention.pk}/").content.decode()
    assert "Who owns the business?" in page
    assert "Robin &lt;b&gt;Owner&lt;/b&gt;" in page  # answers are escaped
    file_id = intervention.responses.get().files.get().pk
    download = client.get(f"/console/risk/{intervention.pk}/files/{file_id}/")
    assert download.content == b"%PDF-1.4 registration"
    assert download["Content-Disposition"].startswith("attachment;")

    refused = client.post(f"/console/risk/{intervention.pk}/", {"decision": "request_more_information"})
    assert refused.status_code == 400
    assert "Tell the account what more you need." in refused.content.decode()
    decided = client.post(f"/console/risk/{intervention.pk}/", {"decision": "resolve", "message": "Verified."})
    assert decided.status_code == 302
    assert Intervention.objects.get(pk=intervention.pk).status == "resolved"
    assert ConnectedAccount.objects.get(pk=active_account.pk).payouts_enabled is True
    audit = AuditEvent.objects.get(kind="risk.intervention_decided")
    assert audit.actor is not None
    assert audit.actor.email == "risk@operator.test"
    account_email_drain()
    assert [m.subject for m in mail.outbox][-1].startswith("Your account review is complete")
    assert (
        "Resolved and lifted by risk@operator.test" in client.get(f"/console/risk/{intervention.pk}/").content.decode()
    )


def test_a_risk_agent_opens_an_intervention(client: Client, active_account: ConnectedAccount) -> None:
    signed_in(client, "risk@operator.test", ("risk agent",))
    bad = client.post("/console/risk/new/", {"account": "acct_nope", "kind": "pause_charges", "cause": "fraud"})
    assert bad.status_code == 400
    assert "No such account." in bad.content.decode()
    deadline = (timezone.now() + timedelta(days=10)).date().isoformat()
    made = client.post(
        "/console/risk/new/",
        {"account": active_account.pk, "kind": "pause_charges", "cause": "fraud", "deadline": deadline},
    )
    assert made.status_code == 302
    created = Intervention.objects.get(account=active_account)
    assert made["Location"] == f"/console/risk/{created.pk}/"
    assert created.deadline is not None
    assert created.deadline.date().isoformat() == deadline
    assert created.created_by is not None


def test_cases_from_risk_forms_and_appeals_reach_the_risk_queue(
    client: Client, active_account: ConnectedAccount
) -> None:
    intervention = intervention_create(account=active_account, kind="offboarding", cause="fraud", immediate=True)
    intervention_decide(intervention_id=intervention.pk, decision="offboard", actor=None)
    intervention_appeal_open(
        account=active_account, intervention_id=intervention.pk, text="Please reconsider.", person=None
    )
    from_site = case_create(
        requester_email="robin@shop.example",
        requester_name="Robin",
        subject="Why are my payouts paused?",
        message=MessageInput(body_text="Help"),
        channel=Case.Channel.WEB,
        source_context={"source": "notification_banner.risk_form", "intervention": "pause_payouts"},
    ).case
    case_create(
        requester_email="x@y.example",
        requester_name="X",
        subject="Unrelated billing question",
        message=MessageInput(body_text="Hi"),
        channel=Case.Channel.WEB,
    )
    signed_in(client, "risk@operator.test", ("risk agent",))
    queue = client.get("/console/risk/").content.decode()
    assert f'about <a href="/console/risk/{intervention.pk}/">' in queue  # the appeal, linked
    assert f"#{from_site.number} Why are my payouts paused?" in queue
    assert "Unrelated billing question" not in queue

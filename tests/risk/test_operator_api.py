"""The operator's risk API (``/operator/v1/interventions``): keys, create (idempotent by
reference), list, retrieve, decide; bad input and bad keys get the ``/v1`` error shapes."""

from __future__ import annotations

import json
import time
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from connect_support.accounts.models import ConnectedAccount
from connect_support.identity.models import AuditEvent
from connect_support.risk.models import Intervention, InterventionDecision, OperatorKey
from connect_support.risk.operator_keys import operator_key_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth() -> dict[str, str]:
    _key, raw = operator_key_create(name="risk engine")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _post(path: str, data: dict[str, Any], auth: dict[str, str]) -> Any:
    return Client().post(f"/operator/v1/{path}", data, **auth)


def test_an_intervention_is_opened_listed_and_resolved(auth: dict[str, str], active_account: ConnectedAccount) -> None:
    deadline = int(time.time()) + 5 * 86400
    form = [{"name": "volume", "type": "free_text", "label": "Expected monthly volume?", "required": True}]
    created = _post(
        "interventions",
        {
            "account": active_account.pk,
            "kind": "pause_payouts",
            "cause": "credit",
            "deadline": str(deadline),
            "message": "Tell us about your volume.",
            "form": json.dumps(form),
            "reference": "risk-engine-4711",
        },
        auth,
    )
    assert created.status_code == 200, created.content
    body = created.json()
    assert body["object"] == "intervention"
    assert (body["account"], body["kind"], body["status"], body["deadline"]) == (
        active_account.pk,
        "pause_payouts",
        "action_required",
        deadline,
    )
    assert body["form"][0]["name"] == "volume"
    # A retry with the same reference returns the same intervention.
    again = _post(
        "interventions",
        {"account": active_account.pk, "kind": "pause_payouts", "cause": "credit", "reference": "risk-engine-4711"},
        auth,
    )
    assert again.json()["id"] == body["id"]
    assert Intervention.objects.count() == 1
    stored = Intervention.objects.get()
    assert stored.created_by_key == "risk engine"
    assert InterventionDecision.objects.get(intervention=stored).agent_label == "operator key risk engine"
    assert AuditEvent.objects.filter(kind="risk.intervention_created", detail__operator_key="risk engine").exists()

    listed = Client().get(f"/operator/v1/interventions?account={active_account.pk}", **auth).json()
    assert [row["id"] for row in listed["data"]] == [body["id"]]
    assert Client().get(f"/operator/v1/interventions/{body['id']}", **auth).json()["reference"] == "risk-engine-4711"

    resolved = _post(f"interventions/{body['id']}/decisions", {"decision": "resolve", "message": "Thanks"}, auth)
    assert resolved.json()["status"] == "resolved"
    closed = _post(f"interventions/{body['id']}/decisions", {"decision": "resolve"}, auth)
    assert closed.status_code == 409
    assert closed.json()["error"]["code"] == "intervention_closed"


def test_json_bodies_are_accepted(auth: dict[str, str], active_account: ConnectedAccount) -> None:
    response = Client().post(
        "/operator/v1/interventions",
        json.dumps(
            {
                "account": active_account.pk,
                "kind": "reserve",
                "cause": "credit",
                "immediate": True,
                "reserve_percent": "10",
                "reserve_release_at": int(time.time()) + 90 * 86400,
                "form": [{"name": "q", "type": "free_text", "label": "Why?"}],
            }
        ),
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 200, response.content
    assert response.json()["reserve"]["percent"] == "10.00"
    assert response.json()["effective"] is True


@pytest.mark.parametrize(
    ("data", "param"),
    [
        ({"kind": "pause_everything", "cause": "fraud", "immediate": "true"}, "kind"),
        ({"kind": "pause_payouts", "cause": "fraud"}, "deadline"),
        ({"kind": "pause_payouts", "cause": "fraud", "deadline": "12"}, "deadline"),
        ({"kind": "pause_payouts", "cause": "fraud", "immediate": "true", "form": "[{"}, "form"),
        ({"kind": "reserve", "cause": "credit", "immediate": "true"}, "reserve_amount"),
        ({"kind": "pause_payouts", "cause": "fraud", "immediate": "true", "color": "red"}, "color"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_opened(
    auth: dict[str, str], active_account: ConnectedAccount, data: dict[str, str], param: str
) -> None:
    response = _post("interventions", {"account": active_account.pk, **data}, auth)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["param"] == param
    assert not Intervention.objects.exists()


def test_unknown_ids_and_other_accounts_references(auth: dict[str, str], active_account: ConnectedAccount) -> None:
    assert (
        _post("interventions", {"account": "acct_nope", "kind": "pause_payouts", "cause": "fraud"}, auth).json()[
            "error"
        ]["param"]
        == "account"
    )
    assert Client().get("/operator/v1/interventions/intv_nope", **auth).status_code == 404
    assert _post("interventions/intv_nope/decisions", {"decision": "resolve"}, auth).status_code == 404


@pytest.mark.parametrize("header", ["", "Bearer ", "Bearer sk_test_123", "Bearer opk_forged", "Basic b3BrXzE6"])
def test_only_operator_keys_get_in(header: str, active_account: ConnectedAccount) -> None:
    response = Client().get("/operator/v1/interventions", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_keys_are_made_listed_and_revoked_from_the_command_line() -> None:
    out = StringIO()
    call_command("operator_key", "create", "fraud model", stdout=out)
    key_id, raw = out.getvalue().split("\n")[0].split()[0], out.getvalue().split("\n")[1]
    assert raw.startswith("opk_")
    assert OperatorKey.objects.get(pk=key_id).digest != raw  # only the digest is kept
    assert Client().get("/operator/v1/interventions", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    listing = StringIO()
    call_command("operator_key", "list", stdout=listing)
    assert "fraud model" in listing.getvalue()
    call_command("operator_key", "revoke", key_id, stdout=StringIO())
    assert Client().get("/operator/v1/interventions", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401

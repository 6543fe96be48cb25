"""Interventions in the notification banner: listed with what to do, the deadline and the
consequence; answered in the modal after a recent authentication; then "in review";
an offboarded account sees the suspension and appeals to the risk queue."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from connect_support.accounts.models import ConnectedAccount
from connect_support.cases.models import Case
from connect_support.embedded.models import AccountSession
from connect_support.embedded.sessions import account_session_create
from connect_support.risk.models import Intervention, RiskCaseLink
from connect_support.risk.services import intervention_create, intervention_decide
from tests.risk.conftest import ORIGIN

pytestmark = pytest.mark.django_db


class Page:
    def __init__(self, client: Client, token: str) -> None:
        self.client, self.token = client, token

    def get(self, path: str) -> Any:
        return self.client.get(f"/embedded/api/{path}", HTTP_AUTHORIZATION=f"Bearer {self.token}", HTTP_ORIGIN=ORIGIN)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(
            f"/embedded/api/{path}",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.token}",
            HTTP_ORIGIN=ORIGIN,
        )


def booted(keys: Any, account: ConnectedAccount) -> Page:
    secret = account_session_create(
        account=account,
        components={"notification_banner": {"enabled": True}},
        known_components=("notification_banner",),
    ).client_secret
    client = Client()
    response = client.post(
        "/embedded/api/boot", {"client_secret": secret, "publishable_key": keys.publishable_key}, HTTP_ORIGIN=ORIGIN
    )
    assert response.status_code == 200, response.content
    return Page(client, response.json()["pageToken"])


def authenticate(account: ConnectedAccount) -> None:
    AccountSession.objects.filter(account=account).update(
        authenticated_at=timezone.now(), authenticated_person=account.representative
    )


def test_an_intervention_is_listed_answered_after_authentication_and_then_in_review(
    keys: Any, active_account: ConnectedAccount
) -> None:
    deadline = timezone.now() + timedelta(days=5)
    intervention = intervention_create(
        account=active_account,
        kind="pause_payouts",
        cause="fraud",
        deadline=deadline,
        message="We noticed unusual payments.",
    )
    page = booted(keys, active_account)
    view = page.get("components/notification_banner").json()
    assert view["counts"] == {"total": 1, "actionRequired": 1}
    (item,) = view["items"]
    assert item["id"] == f"intervention:{intervention.pk}"
    assert item["kind"] == "intervention"
    assert item["code"] == "pause_payouts"
    assert item["affects"] == ["payouts"]
    assert item["dueBy"] == int(deadline.timestamp())
    assert "We noticed unusual payments." in item["description"]
    assert "If we don't hear from you by the deadline, payouts to your bank account are paused." in item["description"]
    assert item["support"]["source"] == "notification_banner.risk_form"
    assert item["form"]["requiresAuthentication"] is True
    names = [f["name"] for g in item["form"]["groups"] for f in g["fields"]]
    assert names == ["business_description", "fulfilment", "identity"]

    path = f"notifications/{item['id']}/answer"
    answer = {"business_description": "Handmade mugs", "fulfilment": "Shipped within 3 days"}
    refused = page.post(path, {"values": answer})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "authentication_required"
    authenticate(active_account)
    missing = page.post(path, {"values": {"fulfilment": "x"}})
    assert missing.status_code == 400
    assert "business_description" in missing.json()["error"]["fields"]
    answered = page.post(path, {"values": answer}).json()
    assert answered["counts"] == {"total": 1, "actionRequired": 0}
    assert answered["items"][0]["status"] == "in_review"
    assert answered["items"][0]["form"] is None
    again = page.post(path, {"values": answer})
    assert again.json()["error"]["code"] == "unknown_notification"  # a double submit loses nothing
    assert Intervention.objects.get(pk=intervention.pk).responses.count() == 1

    intervention_decide(intervention_id=intervention.pk, decision="resolve", actor=None)
    assert page.get("components/notification_banner").json()["items"] == []


def test_another_accounts_intervention_cannot_be_answered(keys: Any, active_account: ConnectedAccount) -> None:
    from tests.factories import make_account

    other = make_account(keys.platform, email="other@x.example")
    theirs = intervention_create(account=other, kind="pause_charges", cause="fraud", immediate=True)
    page = booted(keys, active_account)
    authenticate(active_account)
    refused = page.post(f"notifications/intervention:{theirs.pk}/answer", {"values": {"business_description": "x"}})
    assert refused.status_code == 404
    assert Intervention.objects.get(pk=theirs.pk).status == "action_required"


def test_an_offboarded_account_sees_the_suspension_and_appeals_to_risk(
    keys: Any, active_account: ConnectedAccount
) -> None:
    intervention = intervention_create(
        account=active_account, kind="offboarding", cause="supportability", immediate=True
    )
    intervention_decide(intervention_id=intervention.pk, decision="offboard", actor=None)
    page = booted(keys, active_account)
    (item,) = page.get("components/notification_banner").json()["items"]
    assert item["title"] == "Your account is suspended"
    assert item["errors"] == ["Payments and payouts are suspended. Contact support to appeal."]
    assert item["affects"] == ["payments", "payouts"]
    authenticate(active_account)
    after = page.post(f"notifications/{item['id']}/answer", {"values": {"appeal": "We sell legal goods only."}}).json()
    assert after["items"][0]["status"] == "in_review"
    link = RiskCaseLink.objects.get(intervention=intervention)
    case = Case.objects.get(pk=link.case_id)
    assert link.queue == "risk"
    assert case.account_id == active_account.pk
    assert case.source_context["intervention_id"] == intervention.pk
    assert case.messages.get().body_text == "We sell legal goods only."


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


def _upload(page: Page, path: str, values: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data: dict[str, Any] = {"payload": json.dumps({"values": values})}
    for name, (filename, content, content_type) in files.items():
        data[name] = SimpleUploadedFile(filename, content, content_type=content_type)
    return page.client.post(
        f"/embedded/api/{path}", data, HTTP_AUTHORIZATION=f"Bearer {page.token}", HTTP_ORIGIN=ORIGIN
    )


def test_documents_are_uploaded_with_the_answer_and_checked(keys: Any, active_account: ConnectedAccount) -> None:
    intervention = intervention_create(
        account=active_account, kind="pause_payouts", cause="fraud", deadline=timezone.now() + timedelta(days=5)
    )
    page = booted(keys, active_account)
    authenticate(active_account)
    path = f"notifications/intervention:{intervention.pk}/answer"
    answer = {"business_description": "Handmade mugs", "fulfilment": "Shipped within 3 days"}

    disguised = _upload(page, path, answer, {"identity": ("passport.png", b"MZ\x90\x00 not an image", "image/png")})
    assert disguised.status_code == 400
    assert "not a real PNG" in disguised.json()["error"]["fields"]["identity"]
    too_big = _upload(
        page, path, answer, {"identity": ("scan.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024), "application/pdf")}
    )
    assert too_big.status_code == 400
    assert "larger than 10 MB" in too_big.json()["error"]["fields"]["identity"]
    wrong_type = _upload(page, path, answer, {"identity": ("notes.txt", b"hello", "text/plain")})
    assert "PDF, PNG or JPEG" in wrong_type.json()["error"]["fields"]["identity"]
    many = {f"f{n}": (f"{n}.png", PNG, "image/png") for n in range(4)}
    assert _upload(page, path, answer, many).json()["error"]["code"] == "too_many_files"
    bad_payload = page.client.post(
        f"/embedded/api/{path}", {"payload": "[1, 2"}, HTTP_AUTHORIZATION=f"Bearer {page.token}", HTTP_ORIGIN=ORIGIN
    )
    assert bad_payload.json()["error"]["code"] == "invalid_json"
    assert Intervention.objects.get(pk=intervention.pk).responses.count() == 0  # nothing half-saved

    answered = _upload(page, path, answer, {"identity": ("passport.png", PNG, "image/png")})
    assert answered.status_code == 200, answered.content
    assert answered.json()["items"][0]["status"] == "in_review"
    (response,) = Intervention.objects.get(pk=intervention.pk).responses.all()
    (stored,) = response.files.all()
    assert (stored.field, stored.filename, stored.size) == ("identity", "passport.png", len(PNG))
    assert bytes(stored.content) == PNG

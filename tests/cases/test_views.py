"""The contact form: a case per submit (once, whatever the clicks), files checked by
content, robots and bursts turned away, context attached, deflection counted, the
signed-in path linked to the account and a typed account id never trusted."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from connect_support.cases.models import Case, Deflection, OutboundEmail
from connect_support.cases.selectors import deflection_count
from connect_support.helpcenter.loader import load_content
from tests.cases.conftest import MAIL_DATA
from tests.cases.support_site import account_with, case_form, form_fields, sign_in

pytestmark = pytest.mark.django_db
FILES = MAIL_DATA.parent / "files"


def upload(name: str, content: bytes | None = None, source: str | None = None) -> SimpleUploadedFile:
    data = content if content is not None else (FILES / (source or name)).read_bytes()
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_the_form_page_carries_context_and_a_fresh_token(client: Client) -> None:
    fields = form_fields(
        client,
        "/embedded-connect/cases/new/?source=notification_banner.risk_form&intervention=reserve&topic=reserves",
        HTTP_REFERER="http://testserver/embedded-connect/reserves/why-reserve/",
    )
    assert fields["source"] == "notification_banner.risk_form"
    assert fields["intervention"] == "reserve"
    assert json.loads(fields["viewed"]) == ["/embedded-connect/reserves/why-reserve/"]
    assert len(fields["form_token"]) >= 30
    assert fields["form_token"] != form_fields(client)["form_token"]
    page = client.get("/embedded-connect/cases/new/?topic=reserves").content.decode()
    assert '<option value="reserves" selected>' in page
    assert (
        "a risk review"
        in client.get("/embedded-connect/cases/new/?source=notification_banner.risk_form").content.decode()
    )


def test_sending_the_form_opens_a_case_and_queues_the_acknowledgement(client: Client) -> None:
    load_content()
    article = "/embedded-connect/payouts/change-bank-account/"
    data = case_form(client, source="account_management.edit_payout_details", viewed=json.dumps([article, "/evil/"]))
    response = client.post("/embedded-connect/cases/new/", data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.channel, case.status, case.topic, case.account) == ("web", "new", "payouts", None)
    assert case.source_context["component"] == "account_management"
    assert case.source_context["dialog"] == "edit_payout_details"
    assert [a["url"] for a in case.source_context["viewed_articles"]] == [article]
    assert OutboundEmail.objects.get(case=case).kind == "acknowledgement"
    sent = client.get(response["Location"]).content.decode()
    assert f"#{case.number}" in sent
    assert "robin@shop.example" in sent


def test_a_double_submit_opens_one_case(client: Client) -> None:
    data = case_form(client)
    first = client.post("/embedded-connect/cases/new/", data)
    second = client.post("/embedded-connect/cases/new/", data)
    assert first.status_code == second.status_code == 302
    assert Case.objects.count() == 1
    assert OutboundEmail.objects.count() == 1


def test_files_are_checked_by_content(client: Client) -> None:
    data = case_form(client, attachments=[upload("invoice.pdf"), upload("empty.txt", b"")])
    response = client.post("/embedded-connect/cases/new/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "invoice.pdf" in page
    assert "application/x-msdownload" in page
    assert "empty.txt" in page
    assert "empty (0 bytes)" in page
    assert 'aria-invalid="true"' in page
    assert not Case.objects.exists()

    too_many = [upload(f"receipt{n}.png", source="receipt.png") for n in range(6)]
    response = client.post("/embedded-connect/cases/new/", case_form(client, attachments=too_many))
    assert "Attach at most 5 files." in response.content.decode()

    good = [upload("photo.jpg", source="receipt.png"), upload("transactions.csv"), upload("statement.pdf")]
    assert client.post("/embedded-connect/cases/new/", case_form(client, attachments=good)).status_code == 302
    kept = {a.filename: a.content_type for a in Case.objects.get().attachments.all()}
    assert kept == {"photo.jpg.png": "image/png", "transactions.csv": "text/csv", "statement.pdf": "application/pdf"}


def test_an_eleven_megabyte_file_is_refused(client: Client) -> None:
    big = upload("scan.pdf", b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024))
    response = client.post("/embedded-connect/cases/new/", case_form(client, attachments=[big]))
    assert response.status_code == 400
    assert "larger than 10 MB" in response.content.decode()


def test_robots_filling_the_hidden_field_open_nothing(client: Client) -> None:
    response = client.post("/embedded-connect/cases/new/", case_form(client, website="http://spam.example"))
    assert response.status_code == 302
    assert "We received your message" in client.get(response["Location"]).content.decode()
    assert not Case.objects.exists()


def test_bursts_from_one_email_are_limited(client: Client) -> None:
    statuses = [client.post("/embedded-connect/cases/new/", case_form(client)).status_code for _ in range(6)]
    assert statuses == [302] * 5 + [429]
    refused = client.post("/embedded-connect/cases/new/", case_form(client))
    assert int(refused["Retry-After"]) > 0
    assert "try again in" in refused.content.decode()
    assert Case.objects.count() == 5


def test_bad_input_gets_clear_errors(client: Client) -> None:
    response = client.post(
        "/embedded-connect/cases/new/", case_form(client, email="not-an-email", account_id="12345", topic="")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid email address." in page
    assert "Account IDs start with acct_" in page
    assert not Case.objects.exists()


def test_a_typed_account_id_is_never_trusted(client: Client) -> None:
    victim = account_with(email="owner@victim.example", phone="+14155550111")
    response = client.post("/embedded-connect/cases/new/", case_form(client, account_id=victim.pk))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.account is None
    assert case.claimed_account_id == victim.pk


def test_signed_in_users_get_their_details_filled_and_the_case_linked(client: Client) -> None:
    account = account_with(email="owner@business.example", phone="+14155550199")
    sign_in(client, email="owner@business.example", phone="+14155550199")
    page = client.get("/embedded-connect/cases/new/").content.decode()
    assert 'value="Robin Owner"' in page
    assert 'value="owner@business.example"' in page
    assert "this case will be linked to" in page
    data = case_form(client, name="Robin Owner", email="owner@business.example", account_id="acct_someoneelse")
    response = client.post("/embedded-connect/cases/new/", data)
    case = Case.objects.get()
    assert response["Location"] == f"/embedded-connect/cases/{case.pk}/?sent=1"
    assert case.account == account
    assert case.requester_person is not None
    assert case.claimed_account_id == ""


def test_this_solved_my_problem_is_counted(client: Client) -> None:
    load_content()
    client.get("/embedded-connect/cases/new/")
    response = client.post(
        "/embedded-connect/cases/new/solved/",
        {
            "article_url": "/embedded-connect/payouts/change-bank-account/",
            "subject": "change bank account",
            "topic": "payouts",
            "suggested": json.dumps(["/embedded-connect/payouts/change-bank-account/"]),
        },
    )
    assert response.status_code == 200
    assert "Glad you found your answer" in response.content.decode()
    assert deflection_count() == 1
    deflection = Deflection.objects.get()
    assert deflection.article_url == "/embedded-connect/payouts/change-bank-account/"
    assert deflection.suggested[0]["url"] == "/embedded-connect/payouts/change-bank-account/"
    assert not Case.objects.exists()
    refused = client.post(
        "/embedded-connect/cases/new/solved/", {"article_url": "https://evil.example/"}, HTTP_ACCEPT="application/json"
    )
    assert refused.status_code == 400
    assert deflection_count() == 1


def test_the_form_is_protected_by_csrf() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/embedded-connect/cases/new/", case_form(client))
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_an_oversized_upload_is_refused_before_reading(client: Client, settings: Any) -> None:
    settings.CASES_ATTACHMENT_MAX_BYTES = 1024
    settings.CASES_ATTACHMENT_MAX_FILES = 1
    big = upload("scan.pdf", b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024))
    response = client.post("/embedded-connect/cases/new/", case_form(client, attachments=[big]))
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert not Case.objects.exists()

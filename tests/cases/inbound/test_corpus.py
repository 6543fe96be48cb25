"""Every real-world-shaped message in tests/data/mail/ goes through ingestion: each one
becomes a case, is ignored as automatic mail, or is quarantined with a reason. None
crashes, none is lost (the raw bytes are kept as received)."""

from __future__ import annotations

from pathlib import Path

import pytest

from connect_support.cases.inbound.receive import inbound_mail_receive
from connect_support.cases.models import Case, CaseMessage, InboundEmail, OutboundEmail
from tests.cases.conftest import MAIL_DATA

pytestmark = pytest.mark.django_db

# file → (status, reason code)
EXPECTED = {
    "multipart_alternative.eml": ("processed", "new_case"),
    "missing_charset_latin1.eml": ("processed", "new_case"),
    "wrong_charset_declared_ascii.eml": ("processed", "new_case"),
    "unknown_charset.eml": ("processed", "new_case"),
    "eight_bit_headers.eml": ("processed", "new_case"),
    "rfc2047_headers.eml": ("processed", "new_case"),
    "iso2022jp.eml": ("processed", "new_case"),
    "broken_mime_missing_boundary.eml": ("processed", "new_case"),
    "broken_base64.eml": ("processed", "new_case"),
    "html_only_with_script.eml": ("processed", "new_case"),
    "disguised_attachments.eml": ("processed", "new_case"),
    "rfc2231_filename.eml": ("processed", "new_case"),
    "forwarded_message.eml": ("processed", "new_case"),
    "outlook_reply_new_thread.eml": ("processed", "new_case"),
    "auto_reply_outlook.eml": ("ignored", "auto_reply"),
    "vacation_precedence_bulk.eml": ("ignored", "auto_reply"),
    "mailing_list.eml": ("ignored", "auto_reply"),
    "dsn_bounce_postfix.eml": ("ignored", "bounce"),
    "dsn_bounce_exchange.eml": ("ignored", "bounce"),
    "loop_own_mail.eml": ("ignored", "loop"),
    "no_from.eml": ("quarantined", "no_sender"),
    "not_mail.eml": ("quarantined", "unreadable"),
}


def _ingest(name: str) -> InboundEmail:
    raw = (MAIL_DATA / name).read_bytes()
    return inbound_mail_receive(
        raw=raw, source="smtp", envelope_from="sender@example.org", envelope_to=["support@localhost"]
    )


def test_the_corpus_is_covered() -> None:
    assert {path.name for path in Path(MAIL_DATA).glob("*.eml")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_message_is_handled_and_kept(name: str) -> None:
    raw = (MAIL_DATA / name).read_bytes()
    row = _ingest(name)
    status, code = EXPECTED[name]
    assert (row.status, row.reason_code) == (status, code), row.reason
    assert row.reason
    assert bytes(InboundEmail.objects.get(pk=row.pk).raw) == raw  # kept exactly as received
    if status == "processed":
        assert row.case is not None
        assert CaseMessage.objects.filter(case=row.case, inbound=row).count() == 1
        assert OutboundEmail.objects.filter(case=row.case, kind="acknowledgement").count() == 1
    else:
        # Automatic or unreadable mail opens no case and is never answered.
        assert not Case.objects.exists()
        assert not OutboundEmail.objects.exists()


def test_charsets_and_headers_read_as_people_wrote_them() -> None:
    expectations = {
        "missing_charset_latin1.eml": ("Problème de virement", "Jean Dupont", "250 € n'est pas arrivé"),
        "wrong_charset_declared_ascii.eml": ("Refund question", "Søren Kierkegaard", "customer in Århus"),
        "unknown_charset.eml": ("Dispute evidence", "Test Sender", "du_123 — please confirm"),
        "eight_bit_headers.eml": ("Vérification d’identité bloquée", "Zoë Ångström", "pending for a week"),
        "rfc2047_headers.eml": ("Reserve on my balance – why?", "André Piña", "Señor support"),
        "iso2022jp.eml": ("支払いの経過", "山田", "支払いの状況を教えてください。"),
        "multipart_alternative.eml": ("Payout for May has not arrived", "María López", "“in transit”"),
    }
    for name, (subject, requester, words) in expectations.items():
        case = _ingest(name).case
        assert case is not None, name
        assert (case.subject, case.requester_name) == (subject, requester), name
        assert words in case.messages.get().body_text, name


def test_guessed_charsets_are_noted_beside_the_message() -> None:
    message = _ingest("unknown_charset.eml").case.messages.get()  # type: ignore[union-attr]
    assert any("x-klingon-8" in note for note in message.notes)


def test_html_mail_loses_its_scripts() -> None:
    message = _ingest("html_only_with_script.eml").case.messages.get()  # type: ignore[union-attr]
    assert "My account acct_1Abc is restricted." in message.body_text
    assert "alert" not in message.body_text
    for dangerous in ("<script", "onerror", "javascript:", "document.cookie"):
        assert dangerous not in message.body_html
    assert "<b>acct_1Abc</b>" in message.body_html


def test_attachments_are_kept_by_content_and_refused_with_reasons() -> None:
    case = _ingest("disguised_attachments.eml").case
    assert case is not None
    kept = {a.filename: a.content_type for a in case.attachments.all()}
    # A real PNG is kept; a PDF named .png keeps its bytes under its real type.
    assert kept == {"receipt.png": "image/png", "statement.png.pdf": "application/pdf"}
    notes = " ".join(case.messages.get().notes)
    assert "invoice.pdf" in notes
    assert "application/x-msdownload" in notes
    assert "empty.txt" in notes
    assert "empty" in notes


def test_rfc2231_filenames_and_broken_multiparts() -> None:
    case = _ingest("rfc2231_filename.eml").case
    assert [a.filename for a in case.attachments.all()] == ["état_de_compte.pdf"]  # type: ignore[union-attr]
    broken = _ingest("broken_mime_missing_boundary.eml").case
    assert broken is not None
    assert [a.content_type for a in broken.attachments.all()] == ["application/pdf"]
    assert any("MIME problem" in note for note in broken.messages.get().notes)


def test_a_bounce_marks_our_mail_as_bounced() -> None:
    case = _ingest("multipart_alternative.eml").case
    assert case is not None
    acknowledgement = OutboundEmail.objects.get(case=case)
    raw = (
        (MAIL_DATA / "dsn_bounce_postfix.eml")
        .read_bytes()
        .replace(b"ORIGINAL-MESSAGE-ID@localhost", acknowledgement.message_id.encode())
    )
    row = inbound_mail_receive(raw=raw, source="smtp", envelope_from="<>", envelope_to=["support@localhost"])
    assert (row.status, row.reason_code, row.case) == ("ignored", "bounce", case)
    assert "User unknown" in row.reason
    acknowledgement.refresh_from_db()
    assert acknowledgement.status == OutboundEmail.Status.BOUNCED
    assert "550 5.1.1" in acknowledgement.last_error


def test_thirty_megabyte_mail_is_read_and_its_oversized_file_refused() -> None:
    from tests.cases.conftest import mail

    big = bytes(range(256)) * (23 * 1024 * 1024 // 256)  # 23 MB of binary data: 31 MB as base64 in a mail
    raw = mail(
        subject="Our full export",
        body="The export is attached.",
        attachments=[("export.pdf", b"%PDF-1.4\n" + big, "application/pdf"), ("receipt.txt", b"paid\n", "text/plain")],
    )
    assert len(raw) > 30 * 1024 * 1024
    row = inbound_mail_receive(raw=raw, source="smtp", envelope_from="robin@shop.example")
    assert row.status == "processed"
    message = row.case.messages.get()  # type: ignore[union-attr]
    assert message.body_text == "The export is attached."
    assert [a.filename for a in message.attachments.all()] == ["receipt.txt"]
    assert any("export.pdf" in note and "at most 10 MB" in note for note in message.notes)

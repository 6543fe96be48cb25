"""Exporting everything kept about an account or a requester, as a ZIP."""

from __future__ import annotations

import hashlib
import io
import json
import tracemalloc
import zipfile
from typing import Any

import pytest
from django.core.files.base import ContentFile

from connect_support.cases.models import Attachment, CaseMessage
from connect_support.identity.models import AuditEvent
from connect_support.privacy.export import privacy_export
from connect_support.privacy.scope import SubjectNotFoundError, data_subject_find
from tests.privacy.conftest import PDF, World

pytestmark = pytest.mark.django_db


def _open(world: World, query: str) -> zipfile.ZipFile:
    archive = privacy_export(subject=data_subject_find(query=query), actor=world.admin)
    with archive.file:
        return zipfile.ZipFile(io.BytesIO(archive.file.read()))


def _json(archive: zipfile.ZipFile, name: str) -> Any:
    return json.loads(archive.read(name))


def test_an_account_export_holds_every_source_and_the_files(world: World) -> None:
    alice = world.alice
    archive = _open(world, alice.account.pk)
    names = set(archive.namelist())
    assert _json(archive, "account.json")["email"] == alice.email
    assert [p["phone"] for p in _json(archive, "persons.json")] == [alice.phone]
    (case,) = _json(archive, "cases.json")
    bodies = " ".join(message["body_text"] for message in case["messages"])
    assert alice.secret in bodies
    assert "we are looking" in bodies
    assert f"Also {alice.secret}" in bodies
    assert {change["field"] for change in case["changes"]} >= {"status"}
    (attachment,) = case["attachments"]
    assert archive.read(attachment["path"]) == PDF
    (chat,) = _json(archive, "chats.json")
    assert next(item["text"] for item in chat["items"]) == f"Chat about {alice.secret}"
    assert archive.read(chat["attachments"][0]["path"]) == PDF
    assert {mail["kind"] for mail in _json(archive, "emails_sent.json")} >= {"acknowledgement", "agent_reply"}
    (received,) = _json(archive, "emails_received.json")
    assert alice.secret.encode() in archive.read(received["path"])
    assert _json(archive, "account_emails.json")[0]["to"] == alice.email
    assert _json(archive, "interventions.json")[0]["id"] == alice.intervention.pk
    (answer,) = _json(archive, "intervention_answers.json")
    assert alice.secret in answer["answers"]["explanation"]
    assert archive.read(answer["files"][0]["path"]) == PDF
    assert len(_json(archive, "sign_ins.json")) == 1
    assert any(event["kind"] == "support.sign_in" for event in _json(archive, "audit_events.json"))
    assert _json(archive, "platform_events.json")[0]["data"]["object"]["email"] == alice.email
    manifest = _json(archive, "manifest.json")
    assert manifest["subject"] == {"kind": "account", "value": alice.account.pk}
    assert manifest["missing_files"] == []
    assert "manifest.json" in names


def test_another_accounts_data_is_never_included(world: World) -> None:
    archive = _open(world, world.alice.account.pk)
    everything = b"".join(archive.read(name) for name in archive.namelist())
    bruno = world.bruno
    for trace in (bruno.account.pk, bruno.email, bruno.phone, bruno.secret, bruno.case.pk, bruno.conversation.pk):
        assert trace.encode() not in everything, trace


def test_secrets_are_not_exported(world: World) -> None:
    archive = _open(world, world.alice.account.pk)
    (case,) = _json(archive, "cases.json")
    assert "reply_token" not in case
    assert world.alice.case.reply_token.encode() not in archive.read("cases.json")
    for session in _json(archive, "sign_ins.json"):
        assert "digest" not in json.dumps(session)


def test_a_requester_export_finds_their_cases_by_address(world: World) -> None:
    archive = _open(world, world.bruno.email.upper())
    (case,) = _json(archive, "cases.json")
    assert case["id"] == world.bruno.case.pk
    assert "account.json" not in archive.namelist()
    assert world.alice.secret.encode() not in b"".join(archive.read(name) for name in archive.namelist())


def test_the_export_is_audited(world: World) -> None:
    _open(world, world.alice.account.pk)
    event = AuditEvent.objects.get(kind="privacy.exported")
    assert event.actor == world.admin
    assert event.account_id == world.alice.account.pk
    assert event.detail["documents"]["cases"] == 1


@pytest.mark.parametrize("query", ["", "acct_doesnotexist", "not an address", "x" * 300])
def test_lookups_that_name_nobody_are_refused(query: str) -> None:
    with pytest.raises(SubjectNotFoundError):
        data_subject_find(query=query)


def test_a_50_mb_attachment_is_copied_without_being_held_in_memory(world: World) -> None:
    alice = world.alice
    big = bytes(range(256)) * (50 * 1024 * 1024 // 256)
    message = CaseMessage.objects.filter(case=alice.case).first()
    assert message is not None
    attachment = Attachment(
        case=alice.case,
        message=message,
        filename="scan.pdf",
        content_type="application/pdf",
        size=len(big),
        sha256=hashlib.sha256(big).hexdigest(),
        created_at=alice.case.created_at,
    )
    attachment.file.save("scan.pdf", ContentFile(big), save=False)
    attachment.save(force_insert=True)
    del big
    tracemalloc.start()
    try:
        result = privacy_export(subject=data_subject_find(query=alice.account.pk), actor=world.admin)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        attachment.file.delete(save=False)
    assert peak < 8 * 1024 * 1024, f"the export held {peak / 2**20:.1f} MiB at its peak"
    with result.file, zipfile.ZipFile(result.file) as archive:
        name = next(n for n in archive.namelist() if n.endswith("/scan.pdf"))
        digest = hashlib.sha256()
        with archive.open(name) as inside:
            while block := inside.read(1024 * 1024):
                digest.update(block)
    assert digest.hexdigest() == attachment.sha256

"""The privacy page of the console: look up, export (streamed ZIP), erase with a typed
confirmation; admins only."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tracemalloc
import zipfile

import httpx
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.test import Client

from connect_support.cases.models import Attachment, Case, CaseMessage
from connect_support.identity.models import AuditEvent
from tests.chat.support import agent_session
from tests.identity.fixtures import make_agent
from tests.privacy.conftest import World

pytestmark = pytest.mark.django_db


def _signed_in(client: Client, user: User) -> Client:
    client.cookies[settings.SESSION_COOKIE_NAME] = agent_session(user)
    return client


@pytest.mark.parametrize("roles", [("support agent",), ("risk agent", "content editor")])
def test_only_admins_reach_data_rights(client: Client, world: World, roles: tuple[str, ...]) -> None:
    user, _ = make_agent(email="someone@operator.test", roles=roles)
    _signed_in(client, user)
    account_id = world.alice.account.pk
    assert client.get("/console/privacy/", {"q": account_id}).status_code == 403
    assert client.post("/console/privacy/export/", {"q": account_id}).status_code == 403
    assert client.post("/console/privacy/erase/", {"q": account_id, "confirmation": account_id}).status_code == 403
    assert Case.objects.get(pk=world.alice.case.pk).requester_email == world.alice.email
    assert not AuditEvent.objects.filter(kind__startswith="privacy.").exists()
    assert "Privacy</a>" not in client.get("/console/me/").content.decode()


def test_a_lookup_shows_what_is_kept(client: Client, world: World) -> None:
    _signed_in(client, world.admin)
    page = client.get("/console/privacy/", {"q": world.alice.account.pk}).content.decode()
    assert "What is kept about account " + world.alice.account.pk in page
    assert re.search(r"<dt>Cases</dt><dd>1</dd>", page)
    assert re.search(r"<dt>Chat attachments</dt><dd>1</dd>", page)
    by_address = client.get("/console/privacy/", {"q": world.bruno.email}).content.decode()
    assert "requester " + world.bruno.email in by_address
    missing = client.get("/console/privacy/", {"q": "acct_nobody"})
    assert missing.status_code == 404
    assert "No account has the id acct_nobody." in missing.content.decode()
    script = client.get("/console/privacy/", {"q": "<script>x</script>"})
    assert script.status_code == 404
    assert "<script>x</script>" not in script.content.decode()


def test_erasing_needs_the_typed_confirmation(client: Client, world: World) -> None:
    _signed_in(client, world.admin)
    account_id = world.alice.account.pk
    wrong = client.post("/console/privacy/erase/", {"q": account_id, "confirmation": "erase"})
    assert wrong.status_code == 400
    assert f"Type {account_id} exactly to confirm the erasure." in wrong.content.decode()
    assert Case.objects.get(pk=world.alice.case.pk).requester_email == world.alice.email
    done = client.post("/console/privacy/erase/", {"q": account_id, "confirmation": account_id})
    assert done.status_code == 302
    page = client.get(done["Location"]).content.decode()
    assert "was erased. Ids, counts and the audit trail are kept." in page
    assert Case.objects.get(pk=world.alice.case.pk).requester_email != world.alice.email
    # A second submit (a double click) finds nothing more to erase and fails nothing.
    again = client.post("/console/privacy/erase/", {"q": account_id, "confirmation": account_id})
    assert again.status_code == 302
    assert AuditEvent.objects.filter(kind="privacy.erased", actor=world.admin).count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_export_downloads_as_a_streamed_zip(live_url: str, world: World) -> None:
    cookies = {settings.SESSION_COOKIE_NAME: agent_session(world.admin)}
    with httpx.Client(base_url=live_url, cookies=cookies) as http:
        page = http.get("/console/privacy/", params={"q": world.alice.account.pk}).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None
        response = http.post(
            "/console/privacy/export/",
            data={"q": world.alice.account.pk, "csrfmiddlewaretoken": token.group(1)},
            headers={"Referer": live_url + "/console/privacy/"},
        )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert int(response.headers["content-length"]) == len(response.content)
    assert response.headers["cache-control"] == "no-store"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert json.loads(archive.read("account.json"))["id"] == world.alice.account.pk
    assert AuditEvent.objects.filter(kind="privacy.exported", actor=world.admin).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_50_mb_export_streams_through_the_server_in_bounded_memory(live_url: str, world: World) -> None:
    alice = world.alice
    big = os.urandom(1024 * 1024) * 50  # repeated blocks: the ZIP still stores every byte
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
    cookies = {settings.SESSION_COOKIE_NAME: agent_session(world.admin)}
    chunks = 0
    received = 0
    try:
        with httpx.Client(base_url=live_url, cookies=cookies, timeout=60) as http:
            page = http.get("/console/privacy/", params={"q": alice.account.pk}).text
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            assert token is not None
            tracemalloc.start()
            with http.stream(
                "POST",
                "/console/privacy/export/",
                data={"q": alice.account.pk, "csrfmiddlewaretoken": token.group(1)},
                headers={"Referer": live_url + "/console/privacy/"},
            ) as response:
                assert response.status_code == 200
                length = int(response.headers["content-length"])
                for chunk in response.iter_raw():
                    chunks += 1
                    received += len(chunk)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    finally:
        attachment.file.delete(save=False)
    assert received == length > 50 * 1024 * 1024
    assert chunks > 10
    # Server and client run in this process: neither held the archive in memory.
    assert peak < 16 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB while streaming"

"""A full disk for attachments: the contact form says so and keeps nothing half-done (no
case, no message, no file); inbound mail waits in the database and is processed once
there is room. The disk is real: a 64 KiB tmpfs mounted for the test (needs root)."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from connect_support.cases.models import Attachment, Case, CaseMessage, OutboundEmail
from tests.cases.support_site import case_form

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(150 * 1024)


@pytest.fixture
def full_disk(settings: Any) -> Iterator[Path]:
    mount = Path(tempfile.mkdtemp(prefix="cs-full-disk-"))
    command = ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)]
    done = subprocess.run(command, check=False, capture_output=True)
    if done.returncode != 0:
        mount.rmdir()
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.decode()[:120]}")
    settings.MEDIA_ROOT = str(mount)
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)
        mount.rmdir()


def test_the_form_says_the_files_could_not_be_stored_and_keeps_nothing(client: Client, full_disk: Path) -> None:
    data = case_form(client, attachments=SimpleUploadedFile("receipt.png", PNG, content_type="image/png"))
    response = client.post("/embedded-connect/cases/new/", data)
    assert response.status_code == 507
    text = response.content.decode()
    assert "couldn&#x27;t store your files just now" in text or "couldn't store your files just now" in text
    assert "My payout of 1 June did not arrive." in text  # what they wrote is still in the form
    assert not Case.objects.exists()
    assert not CaseMessage.objects.exists()
    assert not Attachment.objects.exists()
    assert not OutboundEmail.objects.exists()
    assert [p for p in full_disk.rglob("*") if p.is_file()] == []  # no partial file left

    # Without the file, the same form goes through.
    retry = case_form(client)
    assert client.post("/embedded-connect/cases/new/", retry).status_code == 302
    assert Case.objects.count() == 1

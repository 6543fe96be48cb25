from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from connect_support.accounts.models import Platform

pytestmark = pytest.mark.django_db


def test_create_platform_prints_working_keys_once() -> None:
    out = StringIO()
    call_command("create_platform", "Orchard", "--origin", "https://app.orchard.example", stdout=out)
    secret = re.search(r"sk_test_\w+", out.getvalue())
    assert secret is not None
    platform = Platform.objects.get(name="Orchard")
    assert platform.allowed_origins == ["https://app.orchard.example"]
    assert all(secret.group(0) not in key.digest + key.hint for key in platform.api_keys.all())
    response = Client().get("/v1/accounts", HTTP_AUTHORIZATION=f"Bearer {secret.group(0)}")
    assert response.status_code == 200
    with pytest.raises(CommandError, match="exists already"):
        call_command("create_platform", "Orchard", stdout=StringIO())

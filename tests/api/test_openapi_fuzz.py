"""Property-based requests generated from ``/v1/openapi.json``: no 5xx, no schema violation."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, settings

from connect_support.api.openapi import openapi_document
from tests.factories import make_account, platform_with_keys

schema = schemathesis.openapi.from_dict(openapi_document())
# The coverage phase enumerates every boundary of every nested field, which takes minutes
# on these wide schemas; random generation (fuzzing) plus our own boundary tests suffice.
schema.config.phases.coverage.enabled = False
schema.config.generation.update(database="none")


@pytest.fixture
def auth(live_url: str) -> dict[str, str]:
    keys = platform_with_keys(name="Fuzzed")
    make_account(keys.platform)
    return {"Authorization": f"Bearer {keys.secret_key}"}


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails_and_matches_its_schema(case: Any, live_url: str, auth: dict[str, str]) -> None:
    # Values the schema allows can still be refused for what a schema cannot say (a cursor
    # naming an account that does not exist): those get a 400, as in the Stripe API.
    case.call_and_validate(
        base_url=live_url, headers=auth, excluded_checks=[schemathesis.checks.positive_data_acceptance]
    )


@pytest.mark.django_db
def test_the_document_is_served() -> None:
    response = Client().get("/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/v1/accounts",
        "/v1/accounts/{account_id}",
        "/v1/account_sessions",
        "/v1/webhook_endpoints",
        "/v1/webhook_endpoints/{endpoint_id}",
        "/v1/connect_settings",
    }

"""An ordinary account update never re-enables what risk paused, and tells the platform."""

from __future__ import annotations

import pytest
from django.test import Client

from connect_support.accounts.models import ConnectedAccount
from connect_support.risk.services import intervention_create
from connect_support.webhooks.models import Event
from tests.factories import complete_individual_params, make_account, platform_with_keys

pytestmark = pytest.mark.django_db(transaction=True)


def test_api_update_keeps_a_payout_pause_and_sends_account_updated() -> None:
    keys = platform_with_keys()
    account = make_account(keys.platform, **complete_individual_params())
    assert account.payouts_enabled is True
    intervention_create(account=account, kind="pause_payouts", cause="fraud", immediate=True)
    assert ConnectedAccount.objects.get(pk=account.pk).payouts_enabled is False

    response = Client().post(f"/v1/accounts/{account.id}", {"business_profile[name]": "Renamed Goods"}, **keys.auth)
    assert response.status_code == 200
    body = response.json()
    assert body["business_profile"]["name"] == "Renamed Goods"
    assert body["payouts_enabled"] is False
    assert body["charges_enabled"] is True
    names = [event.data["object"]["business_profile"]["name"] for event in Event.objects.filter(type="account.updated")]
    assert "Renamed Goods" in names

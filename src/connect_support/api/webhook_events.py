"""Events for platforms: ``account.updated`` with the account in the API's shape.

Named in ``settings.RISK_ACCOUNT_CHANGED_HOOKS`` so that risk (below the API) can announce
changes without importing it; called after commit with the account id."""

from __future__ import annotations

from django.db import transaction

from connect_support.accounts.models import ConnectedAccount
from connect_support.api.serializers import account_object
from connect_support.webhooks.services import event_create


def account_updated(account_id: str) -> None:
    account = (
        ConnectedAccount.objects.select_related("platform").prefetch_related("persons").filter(pk=account_id).first()
    )
    if account is None:
        return
    with transaction.atomic():
        event_create(
            platform=account.platform,
            livemode=account.livemode,
            type="account.updated",
            data_object=account_object(account),
            account_id=account.pk,
        )

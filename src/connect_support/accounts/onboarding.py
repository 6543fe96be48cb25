"""Finishing onboarding: the account user reviewed the details and accepted the terms.

``details_submitted`` records that the account user went through onboarding to the end,
whether or not every requirement is satisfied yet (a failed verification still leaves
work to do, which the notification banner then shows). It is set here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from connect_support.accounts.models import ConnectedAccount
from connect_support.accounts.services import account_update


@transaction.atomic
def account_details_submit(*, account: ConnectedAccount, tos_acceptance: Mapping[str, Any]) -> ConnectedAccount:
    """Record the terms acceptance and mark the account's details as submitted."""
    account = account_update(account=account, params={"tos_acceptance": dict(tos_acceptance)})
    if not account.details_submitted:
        ConnectedAccount.objects.filter(pk=account.pk).update(details_submitted=True)
        account.details_submitted = True
    return account

"""Reads for platforms, keys and accounts. Every account read is scoped to a platform."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from connect_support.accounts.models import ApiKey, ConnectedAccount, Platform
from connect_support.accounts.services import key_digest


def api_key_find(*, raw_key: str) -> ApiKey | None:
    """The live (unrevoked) key with this value, with its platform, or None."""
    if not raw_key or len(raw_key) > 200:
        return None
    return ApiKey.objects.select_related("platform").filter(digest=key_digest(raw_key), revoked_at__isnull=True).first()


def platform_accounts(*, platform: Platform, livemode: bool | None = None) -> QuerySet[ConnectedAccount]:
    queryset = ConnectedAccount.objects.filter(platform=platform, deleted_at__isnull=True)
    if livemode is not None:
        queryset = queryset.filter(livemode=livemode)
    return queryset


def account_get_for_platform(
    *, platform: Platform, account_id: str, with_persons: bool = True
) -> ConnectedAccount | None:
    """The platform's account with that id; another platform's account is not found."""
    queryset = platform_accounts(platform=platform).filter(pk=account_id)
    if with_persons:
        queryset = queryset.prefetch_related("persons")
    return queryset.first()


@dataclass(frozen=True)
class AccountPage:
    accounts: list[ConnectedAccount]
    has_more: bool


def account_list_for_platform(
    *,
    platform: Platform,
    livemode: bool,
    limit: int,
    created: Mapping[str, int] | None = None,
    starting_after: ConnectedAccount | None = None,
    ending_before: ConnectedAccount | None = None,
) -> AccountPage:
    """Newest first, by (created_at, id); cursors are accounts of the same platform."""
    queryset = platform_accounts(platform=platform, livemode=livemode).prefetch_related("persons")
    for operator, bound in (created or {}).items():
        queryset = queryset.filter(**{f"created__{operator}": bound})
    if ending_before is not None:
        cursor = ending_before
        newer = Q(created_at__gt=cursor.created_at) | Q(created_at=cursor.created_at, id__gt=cursor.id)
        rows = list(queryset.filter(newer).order_by("created_at", "id")[: limit + 1])
        has_more = len(rows) > limit
        return AccountPage(list(reversed(rows[:limit])), has_more)
    if starting_after is not None:
        cursor = starting_after
        older = Q(created_at__lt=cursor.created_at) | Q(created_at=cursor.created_at, id__lt=cursor.id)
        queryset = queryset.filter(older)
    rows = list(queryset.order_by("-created_at", "-id")[: limit + 1])
    return AccountPage(rows[:limit], len(rows) > limit)

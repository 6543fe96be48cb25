"""Reads for platforms, keys and accounts. Every account read is scoped to a platform."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from connect_support.accounts.models import ApiKey, ConnectedAccount, Platform
from connect_support.accounts.services import key_digest

# Keys are looked up on every API request; a short in-process memory of recent lookups
# saves a query each time. A revocation therefore takes effect within this many seconds
# on other processes (at once on the process that revoked it).
API_KEY_MEMORY_SECONDS = 10.0
_API_KEY_MEMORY_MAX = 2048
_api_key_memory: dict[str, tuple[float, ApiKey]] = {}


def api_key_find(*, raw_key: str) -> ApiKey | None:
    """The live (unrevoked) key with this value, with its platform, or None."""
    if not raw_key or len(raw_key) > 200:
        return None
    digest = key_digest(raw_key)
    now = time.monotonic()
    remembered = _api_key_memory.get(digest)
    if remembered is not None and remembered[0] > now:
        return remembered[1]
    key = ApiKey.objects.select_related("platform").filter(digest=digest, revoked_at__isnull=True).first()
    if len(_api_key_memory) >= _API_KEY_MEMORY_MAX:
        _api_key_memory.clear()
    # Unknown keys are not remembered, so a key created a moment ago works at once.
    if key is not None:
        _api_key_memory[digest] = (now + API_KEY_MEMORY_SECONDS, key)
    return key


def api_key_forget(*, digest: str) -> None:
    """Drop a key from this process's memory of lookups (called on revocation)."""
    _api_key_memory.pop(digest, None)


def platform_accounts(*, platform: Platform, livemode: bool | None = None) -> QuerySet[ConnectedAccount]:
    queryset = ConnectedAccount.objects.filter(platform=platform, deleted_at__isnull=True)
    if livemode is not None:
        queryset = queryset.filter(livemode=livemode)
    return queryset


# What creating an account session needs of the account, no more: the JSON columns of a
# full account cost more to decode than the rest of that request.
SESSION_FIELDS = ("id", "platform_id", "livemode", "requirement_collection", "deleted_at")


def account_get_for_platform(
    *, platform: Platform, account_id: str, with_persons: bool = True, only: tuple[str, ...] = ()
) -> ConnectedAccount | None:
    """The platform's account with that id; another platform's account is not found."""
    queryset = platform_accounts(platform=platform).filter(pk=account_id)
    if only:
        queryset = queryset.only(*only)
    if with_persons:
        queryset = queryset.prefetch_related("persons")
    found = list(queryset[:1])
    return found[0] if found else None


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

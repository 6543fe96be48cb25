"""Writes for platforms, API keys, connected accounts and their representatives.

Services take values that a surface (the API, the components, the console) has already
parsed into Python types; they enforce the domain's rules and raise ``InvalidParameterError``
naming the offending parameter.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from connect_support.accounts.errors import InvalidParameterError
from connect_support.accounts.ids import new_secret
from connect_support.accounts.models import ApiKey, ConnectedAccount, Person, Platform
from connect_support.accounts.requirements import apply_requirements

# The legacy ``type`` parameter maps onto controller properties:
# (stripe_dashboard.type, losses.payments, fees.payer, requirement_collection).
LEGACY_TYPES: dict[str, tuple[str, str, str, str]] = {
    "standard": ("full", "stripe", "account", "stripe"),
    "express": ("express", "application", "application", "stripe"),
    "custom": ("none", "application", "application", "application"),
}


def key_digest(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def platform_create(
    *,
    name: str,
    business_name: str = "",
    brand_color: str = "#4f46e5",
    accent_color: str = "#0ea5e9",
    logo_url: str = "",
    icon_url: str = "",
    support_url: str = "",
    support_email: str = "",
    notification_banner_url: str = "",
    account_management_url: str = "",
    allowed_origins: Iterable[str] = (),
) -> Platform:
    return Platform.objects.create(
        name=name,
        business_name=business_name or name,
        brand_color=brand_color,
        accent_color=accent_color,
        logo_url=logo_url,
        icon_url=icon_url,
        support_url=support_url,
        support_email=support_email,
        notification_banner_url=notification_banner_url,
        account_management_url=account_management_url,
        allowed_origins=list(allowed_origins),
    )


def api_key_create(
    *, platform: Platform, kind: str, livemode: bool = False, raw_key: str | None = None
) -> tuple[ApiKey, str]:
    """Create a key and return it with its raw value, which is never stored for secrets."""
    mode = "live" if livemode else "test"
    prefix = f"sk_{mode}_" if kind == ApiKey.Kind.SECRET else f"pk_{mode}_"
    raw = raw_key or new_secret(prefix, 48)
    if not raw.startswith(prefix):
        raise InvalidParameterError("key", f"A {kind} {mode} key must start with {prefix}.")
    key = ApiKey.objects.create(
        platform=platform,
        kind=kind,
        livemode=livemode,
        digest=key_digest(raw),
        publishable_key=raw if kind == ApiKey.Kind.PUBLISHABLE else "",
        hint=f"{prefix}…{raw[-4:]}",
    )
    return key, raw


def api_key_revoke(*, key: ApiKey) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    from connect_support.accounts.selectors import api_key_forget

    api_key_forget(digest=key.digest)
    return key


def api_key_touch(*, key: ApiKey) -> None:
    """Record use, at most once a minute per key, so hot paths do not write every time."""
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


def normalize_phone(raw: str, *, country: str, param: str) -> str:
    """A phone number in E.164, or ``InvalidParameterError`` saying why not."""
    try:
        number = phonenumbers.parse(raw, country or None)
    except phonenumbers.NumberParseException as exc:
        raise InvalidParameterError(param, f"Invalid phone number: {raw!r} ({exc}).", "invalid_phone_number") from exc
    if not phonenumbers.is_possible_number(number) or not phonenumbers.is_valid_number(number):
        raise InvalidParameterError(param, f"Invalid phone number: {raw!r}.", "invalid_phone_number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _controller(params: Mapping[str, Any], current: ConnectedAccount | None) -> tuple[str, str, str, str]:
    legacy = params.get("type")
    controller = params.get("controller")
    if legacy and controller:
        raise InvalidParameterError("type", "You cannot set both `type` and `controller`; use `controller`.")
    if legacy:
        return LEGACY_TYPES[legacy]
    if current is not None:
        base = (current.dashboard_type, current.losses_payments, current.fees_payer, current.requirement_collection)
    else:
        base = ("full", "stripe", "account", "stripe")
    if not controller:
        return base
    dashboard = controller.get("stripe_dashboard", {}).get("type", base[0])
    losses = controller.get("losses", {}).get("payments", base[1])
    fees = controller.get("fees", {}).get("payer", base[2])
    collection = controller.get("requirement_collection", base[3])
    if collection == "application" and (dashboard != "none" or losses != "application"):
        raise InvalidParameterError(
            "controller[requirement_collection]",
            "`requirement_collection` can be `application` only when `stripe_dashboard[type]` is "
            "`none` and `losses[payments]` is `application`.",
        )
    if dashboard == "full" and (fees != "account" or losses != "stripe"):
        raise InvalidParameterError(
            "controller[stripe_dashboard][type]",
            "An account with the `full` dashboard pays its own fees (`fees[payer]=account`) and the "
            "operator is liable for its losses (`losses[payments]=stripe`).",
        )
    return dashboard, losses, fees, collection


def _merge(current: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge ``update`` into ``current``; an empty string unsets a key."""
    merged = dict(current)
    for key, value in update.items():
        if value == "" or value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = dict(value) if isinstance(value, Mapping) else value
    return merged


def _apply_company(account: ConnectedAccount, company: Mapping[str, Any]) -> None:
    values = dict(company)
    if "tax_id" in values:
        values.pop("tax_id")
        values["tax_id_provided"] = True
    if values.get("phone"):
        values["phone"] = normalize_phone(values["phone"], country=account.country, param="company[phone]")
    account.company = _merge(account.company, values)


def _apply_person(account: ConnectedAccount, person: Person, values: Mapping[str, Any], param: str) -> None:
    for field in ("first_name", "last_name", "email"):
        if field in values:
            setattr(person, field, values[field])
    if "phone" in values:
        person.phone = (
            normalize_phone(values["phone"], country=account.country, param=f"{param}[phone]")
            if values["phone"]
            else ""
        )
    if "dob" in values:
        person.dob = _merge(person.dob, values["dob"])
    if "address" in values:
        person.address = _merge(person.address, values["address"])
    if values.get("id_number"):
        person.id_number_provided = True
    if values.get("ssn_last_4"):
        person.ssn_last_4_provided = True
    if "metadata" in values:
        person.metadata = _merge(person.metadata, values["metadata"])


def _apply_external_account(account: ConnectedAccount, external: Any) -> None:
    if isinstance(external, str):
        # A token from the operator's client-side libraries; kept as an opaque reference.
        account.external_accounts = [{"object": "bank_account", "id": external, "token": external}]
        return
    number = str(external.get("account_number", ""))
    account.external_accounts = [
        {
            "object": "bank_account",
            "id": new_secret("ba_", 24),
            "account_holder_name": external.get("account_holder_name"),
            "account_holder_type": external.get("account_holder_type"),
            "bank_name": None,
            "country": external.get("country", account.country),
            "currency": external.get("currency", account.default_currency),
            "last4": number[-4:],
            "routing_number": external.get("routing_number"),
            "status": "new",
            "default_for_currency": True,
        }
    ]


def _apply(account: ConnectedAccount, params: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """Copy the parsed parameters onto the account; returns the representative's values."""
    for field in ("email", "country", "business_type"):
        if field in params:
            setattr(account, field, params[field])
    if "default_currency" in params:
        account.default_currency = params["default_currency"].lower()
    if "business_profile" in params:
        profile = dict(params["business_profile"])
        if profile.get("support_phone"):
            profile["support_phone"] = normalize_phone(
                profile["support_phone"], country=account.country, param="business_profile[support_phone]"
            )
        account.business_profile = _merge(account.business_profile, profile)
    if "company" in params:
        _apply_company(account, params["company"])
    if "capabilities" in params:
        capabilities = dict(account.capabilities)
        for name, wanted in params["capabilities"].items():
            capabilities[name] = {**capabilities.get(name, {}), "requested": bool(wanted.get("requested"))}
        account.capabilities = capabilities
    if "external_account" in params:
        _apply_external_account(account, params["external_account"])
    if "tos_acceptance" in params:
        account.tos_acceptance = _merge(account.tos_acceptance, params["tos_acceptance"])
    if "settings" in params:
        account.settings = _merge(account.settings, params["settings"])
    if "metadata" in params:
        account.metadata = _merge(account.metadata, params["metadata"])
    representative: Mapping[str, Any] | None = params.get("individual")
    return representative


def _save_representative(account: ConnectedAccount, values: Mapping[str, Any] | None) -> None:
    if values is None:
        return
    person = account.representative or Person(account=account, relationship={"representative": True})
    _apply_person(account, person, values, "individual")
    person.save()


@transaction.atomic
def account_create(*, platform: Platform, params: Mapping[str, Any], livemode: bool = False) -> ConnectedAccount:
    dashboard, losses, fees, collection = _controller(params, None)
    account = ConnectedAccount(
        platform=platform,
        livemode=livemode,
        dashboard_type=dashboard,
        losses_payments=losses,
        fees_payer=fees,
        requirement_collection=collection,
        created=int(time.time()),
    )
    representative = _apply(account, params)
    account.save()
    _save_representative(account, representative)
    account = ConnectedAccount.objects.prefetch_related("persons").get(pk=account.pk)
    account_flags_refresh(account=account)
    account.save()
    return account


@transaction.atomic
def account_update(*, account: ConnectedAccount, params: Mapping[str, Any]) -> ConnectedAccount:
    account = ConnectedAccount.objects.select_for_update().get(pk=account.pk)
    if "controller" in params or "type" in params:
        raise InvalidParameterError(
            "controller", "Controller properties are set when the account is created and cannot be changed."
        )
    representative = _apply(account, params)
    _save_representative(account, representative)
    account = _reload(account)
    account_flags_refresh(account=account)
    account.save()
    account_changed_announce(account_id=account.pk)
    return account


def account_flags_refresh(*, account: ConnectedAccount) -> None:
    """Recompute requirements and the enabled flags, then lay the restrictions of the layers
    above (risk interventions) over them, so that no update re-enables what they paused.

    The layers are named in ``settings.ACCOUNT_RESTRICTION_OVERLAYS`` because they sit above
    this package and may not be imported from it."""
    apply_requirements(account)
    for path in getattr(settings, "ACCOUNT_RESTRICTION_OVERLAYS", ()):
        import_string(path)(account)


def account_deadlines_enforce(*, now: float | None = None, limit: int = 500) -> int:
    """Restrict accounts whose requirement deadline has passed (the periodic job); returns
    how many changed. Each account is re-read under a row lock, so that several machines
    running the job at once restrict (and announce) it once."""
    moment = int(now if now is not None else time.time())
    ids = list(
        ConnectedAccount.objects.filter(deleted_at=None, requirements__current_deadline__lte=moment)
        .exclude(requirements__current_deadline=None)  # JSON null sorts before numbers on PostgreSQL
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    changed = 0
    for account_id in ids:
        with transaction.atomic():
            account = (
                ConnectedAccount.objects.select_for_update()
                .prefetch_related("persons")
                .filter(pk=account_id, requirements__current_deadline__lte=moment)
                .exclude(requirements__current_deadline=None)
                .first()
            )
            if account is None:
                continue  # another machine got there first, or the account caught up
            apply_requirements(account, now=moment)
            for path in getattr(settings, "ACCOUNT_RESTRICTION_OVERLAYS", ()):
                import_string(path)(account)
            account.save()
            account_changed_announce(account_id=account.pk)
            changed += 1
    return changed


def account_changed_announce(*, account_id: str) -> None:
    """After commit, tell the layers above (platform webhooks) that the account changed."""
    for path in getattr(settings, "ACCOUNT_CHANGED_HOOKS", ()):
        transaction.on_commit(partial(import_string(path), account_id))


def _reload(account: ConnectedAccount) -> ConnectedAccount:
    fresh = ConnectedAccount.objects.prefetch_related("persons").get(pk=account.pk)
    # Keep the unsaved changes made on ``account``: copy its concrete field values.
    for field in ConnectedAccount._meta.concrete_fields:
        setattr(fresh, field.attname, getattr(account, field.attname))
    return fresh


@transaction.atomic
def account_delete(*, account: ConnectedAccount) -> None:
    """Remove the account from the platform's reach; history that refers to it is kept."""
    ConnectedAccount.objects.filter(pk=account.pk).update(deleted_at=timezone.now())

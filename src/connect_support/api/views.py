"""``/v1`` handlers: parse with a declared schema, call one service, serialize."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from connect_support.accounts import selectors
from connect_support.accounts.models import ConnectedAccount
from connect_support.accounts.platform_settings import live_sessions_blocker
from connect_support.accounts.services import account_create, account_delete, account_update
from connect_support.api import schemas
from connect_support.api.errors import invalid_request, no_such
from connect_support.api.openapi import openapi_document
from connect_support.api.pipeline import ApiRequest, api_endpoint
from connect_support.api.serializers import account_object, account_session_object, list_object
from connect_support.embedded.sessions import account_session_create


def _account(
    request: ApiRequest,
    account_id: str,
    *,
    param: str | None = None,
    status: int = 404,
    with_persons: bool = True,
    only: tuple[str, ...] = (),
) -> ConnectedAccount:
    account = selectors.account_get_for_platform(
        platform=request.key.platform, account_id=account_id, with_persons=with_persons, only=only
    )
    if account is None or account.livemode != request.key.livemode:
        raise no_such("account", account_id, param=param, status=status)
    return account


def create_account(request: ApiRequest) -> dict[str, Any]:
    params = schemas.ACCOUNT_CREATE.parse(request.params)
    account = account_create(platform=request.key.platform, params=params, livemode=request.key.livemode)
    return account_object(account)


def list_accounts(request: ApiRequest) -> dict[str, Any]:
    params = schemas.LIST.parse(request.params)
    if "starting_after" in params and "ending_before" in params:
        raise invalid_request(
            "You may only specify one of these parameters: ending_before, starting_after.", param="starting_after"
        )
    cursors: dict[str, ConnectedAccount | None] = {}
    for name in ("starting_after", "ending_before"):
        if name in params:
            cursors[name] = _account(request, params[name], param=name, status=400)
    page = selectors.account_list_for_platform(
        platform=request.key.platform,
        livemode=request.key.livemode,
        limit=params.get("limit", 10),
        created=params.get("created", {}),
        starting_after=cursors.get("starting_after"),
        ending_before=cursors.get("ending_before"),
    )
    return list_object("/v1/accounts", [account_object(a) for a in page.accounts], page.has_more)


def retrieve_account(request: ApiRequest, account_id: str) -> dict[str, Any]:
    schemas.EMPTY.parse(request.params)
    return account_object(_account(request, account_id))


def update_account(request: ApiRequest, account_id: str) -> dict[str, Any]:
    account = _account(request, account_id)
    params = schemas.ACCOUNT_UPDATE.parse(request.params)
    return account_object(account_update(account=account, params=params))


def delete_account(request: ApiRequest, account_id: str) -> dict[str, Any]:
    schemas.EMPTY.parse(request.params)
    account = _account(request, account_id)
    account_delete(account=account)
    return {"id": account.id, "object": "account", "deleted": True}


def create_account_session(request: ApiRequest) -> dict[str, Any]:
    params = schemas.ACCOUNT_SESSION_CREATE.parse(request.params)
    account = _account(
        request, params["account"], param="account", status=400, with_persons=False, only=selectors.SESSION_FIELDS
    )
    if account.livemode and (blocker := live_sessions_blocker(platform=request.key.platform, fresh=True)):
        raise invalid_request(blocker, code="site_link_missing")
    created = account_session_create(
        account=account,
        components=params["components"],
        known_components=schemas.IMPLEMENTED_COMPONENTS + schemas.OTHER_COMPONENTS,
    )
    return account_session_object(created.session, created.client_secret)


accounts = api_endpoint(GET=list_accounts, POST=create_account)
account = api_endpoint(GET=retrieve_account, POST=update_account, DELETE=delete_account)
account_sessions = api_endpoint(POST=create_account_session)


@require_GET
def openapi(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_document(), json_dumps_params={"indent": 1})

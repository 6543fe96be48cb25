"""``/operator/v1/interventions``: the operator's risk API, for the operator's own risk
systems (not for platforms). Authenticated by operator keys (``opk_…``, made with
``connect-support manage operator_key create NAME``), with the ``/v1`` error shapes.

- ``POST /operator/v1/interventions``: open one (``account``, ``kind``, ``cause``,
  ``affects``, ``immediate``, ``deadline`` (unix time), ``message``, ``reserve_percent`` or
  ``reserve_amount`` + ``reserve_currency``, ``reserve_release_at``, ``form`` (the question
  schema as JSON text, or a JSON array in a JSON body), ``reference``: the caller's own id;
  repeating a create with it returns the first one).
- ``GET /operator/v1/interventions?account=…&status=…&limit=…&starting_after=…``
- ``GET /operator/v1/interventions/{id}``
- ``POST /operator/v1/interventions/{id}/decisions``: ``decision`` (resolve,
  request_more_information, escalate, offboard) and ``message``.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from connect_support.accounts.errors import InvalidParameterError
from connect_support.accounts.models import ConnectedAccount
from connect_support.api.errors import ApiError, invalid_request, no_such
from connect_support.api.params import Boolean, Field, Integer, Params, String
from connect_support.api.pipeline import json_response, request_params
from connect_support.risk.models import Intervention, OperatorKey
from connect_support.risk.operator_keys import operator_key_find
from connect_support.risk.services import InterventionStateError, intervention_create, intervention_decide
from connect_support.views import RETRY_AFTER_SECONDS, database_unavailable

logger = logging.getLogger(__name__)


class FormSchema(Field):
    """The question list: a JSON array, or JSON text of one (form-encoded bodies)."""

    def parse(self, value: Any, param: str) -> list[Any]:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise invalid_request(f"Invalid {param}: give the questions as a JSON array.", param=param) from None
        if not isinstance(value, list):
            raise invalid_request(f"Invalid {param}: give the questions as a JSON array.", param=param)
        return value

    def openapi(self) -> dict[str, Any]:
        return {"type": "array", "items": {"type": "object"}}


CREATE = Params(
    {
        "account": String(max_length=100),
        "kind": String(max_length=30, choices=tuple(Intervention.Kind.values), allow_empty=False),
        "cause": String(max_length=30, choices=tuple(Intervention.Cause.values), allow_empty=False),
        "affects": String(max_length=10, choices=tuple(Intervention.Affects.values)),
        "immediate": Boolean(),
        "deadline": Integer(minimum=0, maximum=4_102_444_800),
        "message": String(max_length=5000),
        "reserve_percent": String(max_length=10),
        "reserve_amount": Integer(minimum=1, maximum=10**15),
        "reserve_currency": String(max_length=3, lower=True),
        "reserve_release_at": Integer(minimum=0, maximum=4_102_444_800),
        "form": FormSchema(),
        "reference": String(max_length=100),
    },
    required=("account", "kind", "cause"),
)
DECIDE = Params(
    {
        "decision": String(
            max_length=30,
            choices=("resolve", "request_more_information", "escalate", "offboard"),
            allow_empty=False,
        ),
        "message": String(max_length=5000),
    },
    required=("decision",),
)
LIST = Params(
    {
        "account": String(max_length=100),
        "status": String(max_length=30, choices=tuple(Intervention.Status.values)),
        "limit": Integer(minimum=1, maximum=100),
        "starting_after": String(max_length=100),
    }
)
EMPTY = Params({})


def _time(value: int | None) -> datetime | None:
    return datetime.fromtimestamp(value, tz=UTC) if value is not None else None


def _unix(value: datetime | None) -> int | None:
    return int(value.timestamp()) if value is not None else None


def intervention_object(intervention: Intervention) -> dict[str, Any]:
    return {
        "id": intervention.pk,
        "object": "intervention",
        "account": intervention.account_id,
        "kind": intervention.kind,
        "cause": intervention.cause,
        "affects": intervention.affects,
        "status": intervention.status,
        "immediate": intervention.immediate,
        "effective": intervention.effective,
        "deadline": _unix(intervention.deadline),
        "message": intervention.message,
        "reserve": {
            "amount": intervention.reserve_amount,
            "currency": intervention.reserve_currency or None,
            "percent": str(Decimal(intervention.reserve_percent).quantize(Decimal("0.01")))
            if intervention.reserve_percent is not None
            else None,
            "release_at": _unix(intervention.reserve_release_at),
        }
        if intervention.kind == Intervention.Kind.RESERVE
        else None,
        "form": intervention.form,
        "reference": intervention.reference or None,
        "created": _unix(intervention.created_at),
        "updated": _unix(intervention.updated_at),
        "resolved": _unix(intervention.resolved_at),
    }


def _key(request: HttpRequest) -> OperatorKey:
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise ApiError(401, "invalid_request_error", "Provide an operator key: 'Authorization: Bearer opk_…'.")
    key = operator_key_find(raw=raw.strip())
    if key is None:
        raise ApiError(401, "invalid_request_error", "Invalid or revoked operator key.", code="api_key_invalid")
    return key


Handler = Callable[..., dict[str, Any]]


def operator_endpoint(**handlers: Handler) -> Callable[..., HttpResponse]:
    allowed = sorted(handlers)

    @csrf_exempt
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        try:
            handler = handlers.get(request.method or "GET")
            if handler is None:
                raise ApiError(
                    405,
                    "invalid_request_error",
                    f"This URL accepts {', '.join(allowed)}.",
                    headers={"Allow": ", ".join(allowed)},
                )
            key = _key(request)
            params = request_params(request)
            try:
                return json_response(handler(key, params, **kwargs))
            except InvalidParameterError as exc:
                raise ApiError(400, "invalid_request_error", exc.message, code=exc.code, param=exc.param) from exc
            except InterventionStateError as exc:
                raise ApiError(409, "invalid_request_error", str(exc), code="intervention_closed") from exc
        except ApiError as error:
            return error.response()
        except Exception as failure:
            if database_unavailable(failure):
                logger.warning("database unavailable", extra={"path": request.path})
                return ApiError(
                    503,
                    "api_error",
                    "The service is briefly unavailable; nothing was applied. Retry in a few seconds.",
                    headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                ).response()
            logger.exception("operator api request failed", extra={"path": request.path})
            return ApiError(500, "api_error", "Something went wrong on our side; nothing was applied.").response()

    functools.update_wrapper(view, next(iter(handlers.values())))
    return view


def _intervention(intervention_id: str, *, status: int = 404, param: str | None = None) -> Intervention:
    found = Intervention.objects.filter(pk=intervention_id[:40]).first()
    if found is None:
        raise no_such("intervention", intervention_id, param=param, status=status)
    return found


def create(key: OperatorKey, raw: dict[str, Any]) -> dict[str, Any]:
    params = CREATE.parse(raw)
    account = ConnectedAccount.objects.filter(pk=params["account"], deleted_at=None).select_related("platform").first()
    if account is None:
        raise no_such("account", params["account"], param="account", status=400)
    intervention = intervention_create(
        account=account,
        kind=params["kind"],
        cause=params["cause"],
        affects=params.get("affects") or None,
        message=params.get("message", ""),
        immediate=params.get("immediate", False),
        deadline=_time(params.get("deadline")),
        form=params.get("form"),
        reserve_amount=params.get("reserve_amount"),
        reserve_currency=params.get("reserve_currency", ""),
        reserve_percent=params.get("reserve_percent") or None,
        reserve_release_at=_time(params.get("reserve_release_at")),
        reference=params.get("reference", ""),
        operator_key=key.name,
    )
    return intervention_object(intervention)


def listing(key: OperatorKey, raw: dict[str, Any]) -> dict[str, Any]:
    params = LIST.parse(raw)
    limit = params.get("limit", 10)
    query = Intervention.objects.order_by("-created_at", "-id")
    if params.get("account"):
        query = query.filter(account_id=params["account"])
    if params.get("status"):
        query = query.filter(status=params["status"])
    if params.get("starting_after"):
        cursor = _intervention(params["starting_after"], status=400, param="starting_after")
        query = query.filter(created_at__lte=cursor.created_at).exclude(created_at=cursor.created_at, id__gte=cursor.id)
    rows = list(query[: limit + 1])
    return {
        "object": "list",
        "url": "/operator/v1/interventions",
        "has_more": len(rows) > limit,
        "data": [intervention_object(row) for row in rows[:limit]],
    }


def retrieve(key: OperatorKey, raw: dict[str, Any], intervention_id: str) -> dict[str, Any]:
    EMPTY.parse(raw)
    return intervention_object(_intervention(intervention_id))


def decide(key: OperatorKey, raw: dict[str, Any], intervention_id: str) -> dict[str, Any]:
    found = _intervention(intervention_id)
    params = DECIDE.parse(raw)
    decided = intervention_decide(
        intervention_id=found.pk,
        decision=params["decision"],
        message=params.get("message", ""),
        actor=None,
        operator_key=key.name,
    )
    return intervention_object(decided)


interventions = operator_endpoint(GET=listing, POST=create)
intervention = operator_endpoint(GET=retrieve)
decisions = operator_endpoint(POST=decide)

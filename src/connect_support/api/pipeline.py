"""What every ``/v1`` request goes through: method, size, key, body, errors.

A handler receives an ``ApiRequest`` with the platform's key and decoded parameters and
returns a JSON-able dict (or raises ``ApiError``). Nothing an API client does can produce
an HTML page or a traceback: unexpected failures become a logged ``api_error``.
"""

from __future__ import annotations

import base64
import binascii
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt

from connect_support.accounts.errors import InvalidParameterError
from connect_support.accounts.models import ApiKey
from connect_support.accounts.selectors import api_key_find
from connect_support.accounts.services import api_key_touch
from connect_support.api.encoding import decode_body, decode_form, decode_pairs
from connect_support.api.errors import ApiError
from connect_support.api.idempotency import idempotent
from connect_support.views import RETRY_AFTER_SECONDS, database_unavailable

logger = logging.getLogger(__name__)
MAX_BODY_BYTES = 1024 * 1024


@dataclass
class ApiRequest:
    http: HttpRequest
    key: ApiKey
    params: dict[str, Any]


Handler = Callable[..., dict[str, Any]]


def _masked(raw: str) -> str:
    return f"{raw[:8]}{'*' * 12}{raw[-4:]}" if len(raw) > 16 else "****"


def _raw_key(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    if not header:
        raise ApiError(
            401,
            "invalid_request_error",
            "You did not provide an API key. Provide it in the Authorization header, using Bearer auth "
            "(e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
        )
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer":
        return credentials.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise ApiError(401, "invalid_request_error", "Invalid basic authorization header.") from exc
        return decoded.partition(":")[0]
    raise ApiError(
        401, "invalid_request_error", "Invalid authorization header: use 'Bearer <secret key>' or basic auth."
    )


def authenticate(request: HttpRequest) -> ApiKey:
    raw = _raw_key(request)
    key = api_key_find(raw_key=raw)
    if key is None:
        raise ApiError(
            401, "invalid_request_error", f"Invalid API Key provided: {_masked(raw)}", code="api_key_invalid"
        )
    if key.kind != ApiKey.Kind.SECRET:
        raise ApiError(
            401,
            "invalid_request_error",
            "This API call cannot be made with a publishable API key. Please use a secret API key.",
            code="secret_key_required",
        )
    api_key_touch(key=key)
    return key


def request_params(request: HttpRequest) -> dict[str, Any]:
    """The decoded parameters of a request (query, form, multipart or JSON), size-checked."""
    return _params(request)


def _params(request: HttpRequest) -> dict[str, Any]:
    if request.method in {"GET", "DELETE"}:
        query = request.META.get("QUERY_STRING", "")
        try:
            return decode_form(query) if query else {}
        except ValueError as exc:
            raise ApiError(400, "invalid_request_error", f"Invalid query string: {exc}") from exc
    length = request.META.get("CONTENT_LENGTH") or "0"
    if length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise ApiError(413, "invalid_request_error", "The request body is larger than 1 MiB.", code="request_too_large")
    try:
        body = request.body
    except RequestDataTooBig as exc:
        raise ApiError(
            413, "invalid_request_error", "The request body is larger than 1 MiB.", code="request_too_large"
        ) from exc
    if request.content_type == "multipart/form-data":
        try:
            pairs = [(key, value) for key, values in request.POST.lists() for value in values]
        except (ValueError, TooManyFieldsSent, MultiPartParserError) as exc:
            raise ApiError(400, "invalid_request_error", f"Invalid multipart body: {exc}") from exc
        params = decode_pairs(pairs)
    else:
        params = decode_body(body, request.content_type or "")
    # Query parameters on a POST are accepted too, as the Stripe API does.
    for key, value in parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True):
        params.setdefault(key, value)
    return params


def json_response(body: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def api_endpoint(**handlers: Handler) -> Callable[..., HttpResponse]:
    """Build a view from one handler per HTTP method: ``api_endpoint(GET=..., POST=...)``."""
    allowed = sorted(handlers)

    @csrf_exempt
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        try:
            method = request.method or "GET"
            handler = handlers.get(method)
            if handler is None:
                raise ApiError(
                    405,
                    "invalid_request_error",
                    f"Unrecognized request URL ({method}: {request.path}). This URL accepts {', '.join(allowed)}.",
                    headers={"Allow": ", ".join(allowed)},
                )
            key = authenticate(request)
            api_request = ApiRequest(http=request, key=key, params=_params(request))

            def run() -> JsonResponse:
                try:
                    return json_response(handler(api_request, **kwargs))
                except InvalidParameterError as exc:
                    raise ApiError(400, "invalid_request_error", exc.message, code=exc.code, param=exc.param) from exc

            if method == "POST":
                return idempotent(request, key, api_request.params, run)
            return run()
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
            logger.exception("api request failed", extra={"path": request.path, "method": request.method})
            return ApiError(
                500, "api_error", "Something went wrong on our side; the request was not applied."
            ).response()

    functools.update_wrapper(view, next(iter(handlers.values())))
    return view


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return ApiError(
        404,
        "invalid_request_error",
        f"Unrecognized request URL ({request.method}: {request.path}).",
        code="url_invalid",
    ).response()

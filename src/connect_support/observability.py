"""Request ids for logs and responses.

Every request gets an id (a sane ``X-Request-ID`` from the proxy is kept, anything else is
replaced) that is echoed in the response and stamped on every log line written while the
request is handled.
"""

from __future__ import annotations

import contextvars
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponseBase

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def new_request_id(incoming: str | None = None) -> str:
    if incoming and _SANE_ID.match(incoming):
        return incoming
    return secrets.token_hex(8)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class RequestIdMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self._acall(request)
        token = request_id_var.set(new_request_id(request.headers.get("X-Request-ID")))
        try:
            response: HttpResponseBase = self.get_response(request)
            response["X-Request-ID"] = request_id_var.get()
            return response
        finally:
            request_id_var.reset(token)

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        token = request_id_var.set(new_request_id(request.headers.get("X-Request-ID")))
        try:
            get_response: Callable[[HttpRequest], Awaitable[HttpResponseBase]] = self.get_response
            response = await get_response(request)
            response["X-Request-ID"] = request_id_var.get()
            return response
        finally:
            request_id_var.reset(token)

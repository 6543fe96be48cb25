"""Enforces the session rules on every request that carries a session cookie.

After this middleware, ``request.user`` is authenticated only for an agent whose session
passed both factors and is neither idle, expired nor revoked: code elsewhere that checks
``request.user`` (the admin, later console pages) inherits the rules. Requests without a
session cookie (anonymous visitors, the API) pass through without any work.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from connect_support.identity.sessions import agent_session_resolve, support_session_resolve


def _enforce(request: HttpRequest) -> None:
    agent_session_resolve(request)
    support_session_resolve(request)


class SignInSessionMiddleware:
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
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            _enforce(request)
        return self.get_response(request)

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            await sync_to_async(_enforce, thread_sensitive=True)(request)
        get_response: Callable[[HttpRequest], Awaitable[HttpResponseBase]] = self.get_response
        return await get_response(request)

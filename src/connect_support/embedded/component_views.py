"""``/embedded/api/…``: the endpoints the components call from the platform's page.

``POST boot`` exchanges the client secret (form-encoded, a CORS "simple" request) for a
page token. Every other endpoint takes ``Authorization: Bearer <page token>`` and JSON,
and answers JSON: ``{"error": {"type", "code", "message", "fields"?}}`` when refused.
Cookies are never used, so CSRF does not apply.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from connect_support.embedded import component_writes, components
from connect_support.embedded.claims import account_session_from_page_token
from connect_support.embedded.components import ComponentError, ViewOptions
from connect_support.embedded.cors import allow_origin, origin_registered_by_any_platform, preflight, request_origin
from connect_support.embedded.models import AccountSession
from connect_support.identity.audit import client_ip
from connect_support.identity.headers import origin_allowed
from connect_support.identity.policy import Limit
from connect_support.identity.ratelimit import rate_limit_hit

MAX_BODY_BYTES = 64 * 1024
# Answers with documents: up to MAX_FILES files of 10 MB each (checked again per file).
MAX_UPLOAD_BYTES = 32 * 1024 * 1024
MAX_FILES = 3
MAX_FILE_BYTES = 10 * 1024 * 1024
BOOTS_PER_IP = Limit("component-boot-ip", 120, 60)


def _json(body: dict[str, Any], *, status: int = 200, origin: str | None = None) -> HttpResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return allow_origin(response, origin)


def _error(error: ComponentError, origin: str | None) -> HttpResponse:
    return _json(error.body(), status=error.status, origin=origin)


def _support_site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("helpcenter:home"))


@csrf_exempt
def boot(request: HttpRequest) -> HttpResponse:
    if request.method == "OPTIONS":
        return preflight(request)
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST, OPTIONS"})
    origin = request_origin(request)
    decision = rate_limit_hit(limit=BOOTS_PER_IP, key=client_ip(request) or "unknown")
    if not decision.allowed:
        refused = ComponentError(429, "rate_limit_error", "rate_limited", "Too many account sessions from this page.")
        return _error(refused, origin_registered_by_any_platform(origin) if origin else None)
    try:
        booted = components.session_boot(
            client_secret=request.POST.get("client_secret", ""),
            publishable_key=request.POST.get("publishable_key", ""),
            origin=origin,
        )
    except ComponentError as refused:
        # An unregistered origin gets no CORS header and so reads nothing; the loader
        # tells that refusal apart from a network failure (see connect.js). A secret
        # that names no session tells nothing, so any registered origin may read it.
        readable_by = refused.readable_by
        if refused.code == "account_session_invalid" and origin:
            readable_by = origin_registered_by_any_platform(origin)
        return _error(refused, readable_by)
    description = components.session_description(session=booted.session, support_site_url=_support_site_url(request))
    description["pageToken"] = booted.page_token
    return _json(
        description, origin=origin_allowed(platform=booted.session.platform, origin=origin) if origin else None
    )


def _allowed(request: HttpRequest, session: AccountSession | None, origin: str | None) -> str | None:
    if origin is None or session is None:
        return None
    return origin_allowed(platform=session.platform, origin=origin)


Handler = Callable[[HttpRequest, AccountSession, dict[str, Any]], dict[str, Any]]


def _multipart(request: HttpRequest) -> dict[str, Any]:
    """An answer with documents: the JSON body in the ``payload`` part, files beside it.
    Each file is read whole (at most 10 MB plus one byte, so oversize is detected)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_UPLOAD_BYTES:
        raise ComponentError(413, "invalid_request_error", "body_too_large", "The files are too large (30 MB at most).")
    try:
        parsed = json.loads(request.POST.get("payload") or "{}")
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise ComponentError(400, "invalid_request_error", "invalid_json", "Send the form as a JSON object in payload.")
    if len(request.FILES) > MAX_FILES:
        raise ComponentError(400, "invalid_request_error", "too_many_files", f"Send at most {MAX_FILES} files.")
    documents = []
    for name, uploads in request.FILES.lists():
        upload = uploads[-1]
        content = upload.read(MAX_FILE_BYTES + 1)
        documents.append(
            {
                "field": str(name)[:80],
                "filename": str(upload.name or "document")[:200],
                "content_type": str(upload.content_type or "application/octet-stream")[:100],
                "content": content,
            }
        )
    parsed["documents"] = documents
    return parsed


def _endpoint(
    methods: tuple[str, ...], handler: Handler, *, accepts_files: bool = False
) -> Callable[..., HttpResponse]:
    """Authorize by page token and origin, parse JSON (or, where ``accepts_files``, a
    multipart answer with documents), call ``handler``, answer with CORS."""

    @csrf_exempt
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if request.method == "OPTIONS":
            return preflight(request)
        if request.method not in methods:
            return HttpResponse(status=405, headers={"Allow": ", ".join((*methods, "OPTIONS"))})
        origin = request_origin(request)
        authorization = request.headers.get("Authorization", "")
        token = authorization[7:].strip() if authorization.lower().startswith("bearer ") else ""
        session = account_session_from_page_token(token=token)
        if session is None:
            expired = ComponentError(
                401, "authentication_error", "account_session_expired", "This account session has expired or was ended."
            )
            # The page must read this to fetch a fresh session; it names no account.
            return _error(expired, origin_registered_by_any_platform(origin) if origin else None)
        allowed = _allowed(request, session, origin)
        if origin is not None and allowed is None:
            refused = ComponentError(
                403,
                "invalid_request_error",
                "origin_not_allowed",
                "This page's origin is not registered by the platform.",
            )
            return _error(refused, None)
        body: dict[str, Any] = {}
        if request.method == "POST" and accepts_files and request.content_type == "multipart/form-data":
            try:
                body = _multipart(request)
            except ComponentError as refused:
                return _error(refused, allowed)
        elif request.method == "POST":
            if len(request.body) > MAX_BODY_BYTES:
                return _error(
                    ComponentError(413, "invalid_request_error", "body_too_large", "The form is too large."), allowed
                )
            try:
                parsed = json.loads(request.body or b"{}")
            except ValueError:
                parsed = None
            if not isinstance(parsed, dict):
                return _error(
                    ComponentError(400, "invalid_request_error", "invalid_json", "Send a JSON object."), allowed
                )
            body = parsed
        body.update(kwargs)
        try:
            return _json(handler(request, session, body), origin=allowed)
        except ComponentError as refused:
            return _error(refused, allowed)

    return view


def _options(request: HttpRequest, body: dict[str, Any]) -> ViewOptions:
    fields = str(body.get("fields") or request.GET.get("fields") or "currently_due")
    future = str(body.get("futureRequirements") or request.GET.get("future_requirements") or "omit")
    return ViewOptions(
        fields=fields if fields in {"currently_due", "eventually_due"} else "currently_due",
        future_requirements=future if future in {"omit", "include"} else "omit",
    )


def _values(body: dict[str, Any]) -> dict[str, Any]:
    values = body.get("values")
    if not isinstance(values, dict):
        return {}
    return {str(k)[:80]: v if isinstance(v, bool) else str(v)[:2000] for k, v in values.items()}


def _session(request: HttpRequest, session: AccountSession, body: dict[str, Any]) -> dict[str, Any]:
    return {"authentication": components.authentication_state(session), "expiresAt": session.expires_at}


def _component(request: HttpRequest, session: AccountSession, body: dict[str, Any]) -> dict[str, Any]:
    return components.component_view(session=session, component=body["component"], options=_options(request, body))


def _section(request: HttpRequest, session: AccountSession, body: dict[str, Any]) -> dict[str, Any]:
    return component_writes.section_save(
        session=session,
        component=body["component"],
        section_id=body["section"],
        values=_values(body),
        fields_option=_options(request, body).fields,
    )


def _submit(request: HttpRequest, session: AccountSession, body: dict[str, Any]) -> dict[str, Any]:
    return component_writes.onboarding_submit(
        session=session,
        values=_values(body),
        ip=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
        fields_option=_options(request, body).fields,
        skip_terms=body.get("skipTermsOfService") is True,
    )


def _answer(request: HttpRequest, session: AccountSession, body: dict[str, Any]) -> dict[str, Any]:
    given = body.get("documents")
    documents: list[dict[str, Any]] = [d for d in given if isinstance(d, dict)] if isinstance(given, list) else []
    return component_writes.notification_answer(
        session=session,
        item_id=body["item"],
        values=_values(body),
        documents=documents,
        options=_options(request, body),
        ip=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
    )


def _logout(request: HttpRequest, session: AccountSession, body: dict[str, Any]) -> dict[str, Any]:
    components.session_end(session=session)
    return {"ended": True}


def ping(request: HttpRequest) -> HttpResponse:
    """Reachability for the loader: a failed CORS request plus a reachable server means
    the page's origin was refused, not that the network is down."""
    response = HttpResponse(status=204)
    response["Cache-Control"] = "no-store"
    return response


session_view = _endpoint(("GET",), _session)
component_view = _endpoint(("GET",), _component)
section_view = _endpoint(("POST",), _section)
submit_view = _endpoint(("POST",), _submit)
answer_view = _endpoint(("POST",), _answer, accepts_files=True)
logout_view = _endpoint(("POST",), _logout)

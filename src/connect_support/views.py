"""The landing page, the liveness probe and the error pages."""

from __future__ import annotations

import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string

RETRY_AFTER_SECONDS = 5


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "landing.html")


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/v1/"):
        return JsonResponse(
            {
                "error": {
                    "type": "invalid_request_error",
                    "code": "url_invalid",
                    "message": f"Unrecognized request URL ({request.method}: {request.path}).",
                }
            },
            status=404,
        )
    if request.path.startswith("/embedded-connect/"):
        from connect_support.helpcenter.views import not_found_page

        return not_found_page(request)
    return render(request, "404.html", status=404)


def database_unavailable(failure: BaseException | None) -> bool:
    """Whether ``failure`` means the database cannot be reached (not a bad query)."""
    return isinstance(failure, (OperationalError, InterfaceError)) or (
        isinstance(failure, DatabaseError) and "connection" in str(failure).lower()
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or 503 with Retry-After when the database cannot be reached (a restart, a
    failover): the client should simply try again, and the next request reconnects."""
    unavailable = database_unavailable(sys.exc_info()[1])
    status = 503 if unavailable else 500
    if request.path.startswith(("/v1/", "/operator/", "/embedded/api/")):
        message = (
            "The service is briefly unavailable; retry in a few seconds."
            if unavailable
            else "Something went wrong on our side; the request was not applied."
        )
        response: HttpResponse = JsonResponse({"error": {"type": "api_error", "message": message}}, status=status)
    else:
        response = HttpResponse(
            render_to_string("500.html", {"unavailable": unavailable}), status=status, content_type="text/html"
        )
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response

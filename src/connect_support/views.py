"""The landing page and the liveness probe."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


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

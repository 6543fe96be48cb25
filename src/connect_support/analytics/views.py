"""The support site's counting beacon: pages post one small event after they load, so the
cached page path itself never writes."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from connect_support.analytics.services import UnknownCountError, daily_count_increment
from connect_support.identity.policy import Limit
from connect_support.identity.ratelimit import rate_limit_hit

BEACONS_PER_IP = Limit("analytics-beacon", 120, 60)
MAX_BEACON_BYTES = 1024


def _error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


# Exempt from CSRF: navigator.sendBeacon cannot send a token, and the beacon only adds one
# to an anonymous daily counter; it reads and changes nothing of the visitor's.
@csrf_exempt
@require_POST
def beacon(request: HttpRequest) -> HttpResponse:
    """``POST {"kind": "search" | "article_view", "topic": "<slug>"}`` → 204."""
    if len(request.body) > MAX_BEACON_BYTES:
        return _error("too_large", "Beacons are small JSON objects.", 413)
    if not rate_limit_hit(limit=BEACONS_PER_IP, key=str(request.META.get("REMOTE_ADDR") or "unknown")).allowed:
        return _error("rate_limited", "Too many events; try again later.", 429)
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        return _error("bad_json", "Send a JSON object.", 400)
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("kind"), str)
        or not isinstance(body.get("topic", ""), str)
    ):
        return _error("bad_beacon", 'Send {"kind": "search" | "article_view", "topic": "<slug>"}.', 400)
    try:
        daily_count_increment(kind=body["kind"], topic=body.get("topic", "") if body["kind"] != "search" else "")
    except UnknownCountError as unknown:
        return _error("bad_beacon", str(unknown), 400)
    return HttpResponse(status=204)

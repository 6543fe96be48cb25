"""Template context shared by every page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def operator(request: HttpRequest) -> dict[str, str]:
    return {"operator_name": settings.OPERATOR_NAME}

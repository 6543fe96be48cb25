"""Errors in the shape and with the status codes of the Stripe API."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        error_type: str,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message
        self.code = code
        self.param = param
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.error_type, "message": self.message}
        if self.code:
            error["code"] = self.code
        if self.param:
            error["param"] = self.param
        return {"error": error}

    def response(self) -> JsonResponse:
        response = JsonResponse(self.body(), status=self.status)
        for name, value in self.headers.items():
            response[name] = value
        return response


def invalid_request(message: str, *, param: str | None = None, code: str = "parameter_invalid") -> ApiError:
    return ApiError(400, "invalid_request_error", message, code=code, param=param)


def unknown_parameter(param: str) -> ApiError:
    return ApiError(
        400, "invalid_request_error", f"Received unknown parameter: {param}", code="parameter_unknown", param=param
    )


def missing_parameter(param: str) -> ApiError:
    return ApiError(
        400, "invalid_request_error", f"Missing required param: {param}.", code="parameter_missing", param=param
    )


def no_such(resource: str, identifier: str, *, param: str | None = None, status: int = 404) -> ApiError:
    shown = identifier if len(identifier) <= 80 else identifier[:80] + "…"
    return ApiError(
        status, "invalid_request_error", f"No such {resource}: '{shown}'", code="resource_missing", param=param
    )

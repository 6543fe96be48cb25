"""The OpenAPI 3 document of ``/v1``, built from the same schemas that parse requests."""

from __future__ import annotations

from functools import cache
from typing import Any

from connect_support.api import schemas
from connect_support.api.params import Params

_NULLABLE_STRING = {"type": "string", "nullable": True}
_REQUIREMENTS = {
    "type": "object",
    "properties": {
        "alternatives": {"type": "array", "items": {"type": "object"}},
        "current_deadline": {"type": "integer", "nullable": True},
        "currently_due": {"type": "array", "items": {"type": "string"}},
        "disabled_reason": _NULLABLE_STRING,
        "errors": {"type": "array", "items": {"type": "object"}},
        "eventually_due": {"type": "array", "items": {"type": "string"}},
        "past_due": {"type": "array", "items": {"type": "string"}},
        "pending_verification": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["currently_due", "eventually_due", "past_due", "pending_verification", "errors", "disabled_reason"],
}
_ACCOUNT = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "pattern": "^acct_"},
        "object": {"type": "string", "enum": ["account"]},
        "business_profile": {"type": "object"},
        "business_type": {
            "type": "string",
            "nullable": True,
            "enum": ["individual", "company", "non_profit", "government_entity", None],
        },
        "capabilities": {"type": "object", "additionalProperties": {"type": "string"}},
        "charges_enabled": {"type": "boolean"},
        "controller": {
            "type": "object",
            "properties": {
                "fees": {"type": "object", "properties": {"payer": {"type": "string"}}},
                "is_controller": {"type": "boolean"},
                "losses": {"type": "object", "properties": {"payments": {"type": "string"}}},
                "requirement_collection": {"type": "string", "enum": ["stripe", "application"]},
                "stripe_dashboard": {
                    "type": "object",
                    "properties": {"type": {"type": "string", "enum": ["full", "express", "none"]}},
                },
                "type": {"type": "string"},
            },
        },
        "country": {"type": "string"},
        "created": {"type": "integer"},
        "default_currency": {"type": "string"},
        "details_submitted": {"type": "boolean"},
        "email": _NULLABLE_STRING,
        "external_accounts": {"type": "object"},
        "future_requirements": _REQUIREMENTS,
        "livemode": {"type": "boolean"},
        "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
        "payouts_enabled": {"type": "boolean"},
        "requirements": _REQUIREMENTS,
        "settings": {"type": "object"},
        "tos_acceptance": {"type": "object"},
        "type": {"type": "string", "enum": ["standard", "express", "custom", "none"]},
    },
    "required": [
        "id",
        "object",
        "charges_enabled",
        "payouts_enabled",
        "details_submitted",
        "controller",
        "requirements",
        "capabilities",
        "created",
        "metadata",
    ],
}
_DELETED_ACCOUNT = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "object": {"type": "string", "enum": ["account"]},
        "deleted": {"type": "boolean", "enum": [True]},
    },
    "required": ["id", "object", "deleted"],
}
_ACCOUNT_LIST = {
    "type": "object",
    "properties": {
        "object": {"type": "string", "enum": ["list"]},
        "data": {"type": "array", "items": {"$ref": "#/components/schemas/account"}},
        "has_more": {"type": "boolean"},
        "url": {"type": "string"},
    },
    "required": ["object", "data", "has_more", "url"],
}
_COMPONENT = {
    "type": "object",
    "properties": {"enabled": {"type": "boolean"}, "features": {"type": "object"}},
    "required": ["enabled", "features"],
}
_ACCOUNT_SESSION = {
    "type": "object",
    "properties": {
        "object": {"type": "string", "enum": ["account_session"]},
        "account": {"type": "string"},
        "client_secret": {"type": "string"},
        "expires_at": {"type": "integer"},
        "livemode": {"type": "boolean"},
        "components": {"type": "object", "additionalProperties": _COMPONENT},
    },
    "required": ["object", "account", "client_secret", "expires_at", "livemode", "components"],
}
_ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "type": {
                    "type": "string",
                    "enum": [
                        "api_error",
                        "card_error",
                        "idempotency_error",
                        "invalid_request_error",
                        "authentication_error",
                        "rate_limit_error",
                    ],
                },
                "code": {"type": "string"},
                "message": {"type": "string"},
                "param": {"type": "string"},
            },
            "required": ["type", "message"],
        }
    },
    "required": ["error"],
}


def _body(spec: Params) -> dict[str, Any]:
    schema = spec.openapi()
    return {
        "required": bool(spec.required),
        "content": {
            "application/x-www-form-urlencoded": {"schema": schema},
            "application/json": {"schema": schema},
        },
    }


def _responses(ok: str, description: str) -> dict[str, Any]:
    error = {
        "description": "Error",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/error"}}},
    }
    return {
        "200": {"description": description, "content": {"application/json": {"schema": {"$ref": ok}}}},
        "default": error,
    }


_ACCOUNT_ID = {"name": "account_id", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 100}}


@cache
def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Connect Support platform API",
            "version": "2025-01-01",
            "description": "Accounts and account sessions, compatible with the Stripe API for these resources.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "account": _ACCOUNT,
                "deleted_account": _DELETED_ACCOUNT,
                "account_list": _ACCOUNT_LIST,
                "account_session": _ACCOUNT_SESSION,
                "error": _ERROR,
            },
        },
        "paths": {
            "/v1/accounts": {
                "get": {
                    "operationId": "ListAccounts",
                    "summary": "List the platform's connected accounts, newest first.",
                    "parameters": [
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                        {"name": "starting_after", "in": "query", "schema": {"type": "string", "maxLength": 100}},
                        {"name": "ending_before", "in": "query", "schema": {"type": "string", "maxLength": 100}},
                    ],
                    "responses": _responses("#/components/schemas/account_list", "A list of accounts."),
                },
                "post": {
                    "operationId": "CreateAccount",
                    "summary": "Create a connected account.",
                    "requestBody": _body(schemas.ACCOUNT_CREATE),
                    "responses": _responses("#/components/schemas/account", "The account."),
                },
            },
            "/v1/accounts/{account_id}": {
                "parameters": [_ACCOUNT_ID],
                "get": {
                    "operationId": "RetrieveAccount",
                    "summary": "Retrieve one of the platform's accounts.",
                    "responses": _responses("#/components/schemas/account", "The account."),
                },
                "post": {
                    "operationId": "UpdateAccount",
                    "summary": "Update an account; empty strings unset values.",
                    "requestBody": _body(schemas.ACCOUNT_UPDATE),
                    "responses": _responses("#/components/schemas/account", "The account."),
                },
                "delete": {
                    "operationId": "DeleteAccount",
                    "summary": "Delete an account.",
                    "responses": _responses("#/components/schemas/deleted_account", "The deleted account."),
                },
            },
            "/v1/account_sessions": {
                "post": {
                    "operationId": "CreateAccountSession",
                    "summary": "Create a single-use session that lets one page render components for an account.",
                    "requestBody": _body(schemas.ACCOUNT_SESSION_CREATE),
                    "responses": _responses("#/components/schemas/account_session", "The account session."),
                }
            },
        },
    }

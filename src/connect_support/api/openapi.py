"""The OpenAPI 3 document of ``/v1``, built from the same schemas that parse requests."""

from __future__ import annotations

from functools import cache
from typing import Any

from connect_support.api import schemas, settings_views, webhook_views
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
_WEBHOOK_ENDPOINT = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "pattern": "^we_"},
        "object": {"type": "string", "enum": ["webhook_endpoint"]},
        "api_version": _NULLABLE_STRING,
        "application": _NULLABLE_STRING,
        "created": {"type": "integer"},
        "description": _NULLABLE_STRING,
        "enabled_events": {"type": "array", "items": {"type": "string"}},
        "livemode": {"type": "boolean"},
        "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
        "secret": {"type": "string", "description": "Returned by create only."},
        "status": {"type": "string", "enum": ["enabled", "disabled"]},
        "url": {"type": "string"},
    },
    "required": ["id", "object", "created", "enabled_events", "livemode", "metadata", "status", "url"],
}
_DELETED_WEBHOOK_ENDPOINT = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "object": {"type": "string", "enum": ["webhook_endpoint"]},
        "deleted": {"type": "boolean", "enum": [True]},
    },
    "required": ["id", "object", "deleted"],
}
_WEBHOOK_ENDPOINT_LIST = {
    "type": "object",
    "properties": {
        "object": {"type": "string", "enum": ["list"]},
        "data": {"type": "array", "items": {"$ref": "#/components/schemas/webhook_endpoint"}},
        "has_more": {"type": "boolean"},
        "url": {"type": "string"},
    },
    "required": ["object", "data", "has_more", "url"],
}
_CONNECT_SETTINGS = {
    "type": "object",
    "properties": {
        "object": {"type": "string", "enum": ["connect_settings"]},
        "platform": {"type": "string"},
        "branding": {"type": "object"},
        "site_links": {
            "type": "object",
            "properties": {"notification_banner": _NULLABLE_STRING, "account_management": _NULLABLE_STRING},
        },
        "support": {"type": "object"},
        "allowed_origins": {"type": "array", "items": {"type": "string"}},
        "live_account_sessions": {
            "type": "object",
            "properties": {"allowed": {"type": "boolean"}, "reason": _NULLABLE_STRING},
        },
    },
    "required": ["object", "platform", "branding", "site_links", "allowed_origins", "live_account_sessions"],
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
_ENDPOINT_ID = {"name": "endpoint_id", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 100}}
_PAGE = [
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
    {"name": "starting_after", "in": "query", "schema": {"type": "string", "maxLength": 100}},
    {"name": "ending_before", "in": "query", "schema": {"type": "string", "maxLength": 100}},
]


@cache
def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Connect Support platform API",
            "version": "2025-01-01",
            "description": (
                "Accounts, account sessions and webhook endpoints, compatible with the Stripe API for these "
                "resources; plus the platform's Connect settings."
            ),
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
                "webhook_endpoint": _WEBHOOK_ENDPOINT,
                "deleted_webhook_endpoint": _DELETED_WEBHOOK_ENDPOINT,
                "webhook_endpoint_list": _WEBHOOK_ENDPOINT_LIST,
                "connect_settings": _CONNECT_SETTINGS,
                "error": _ERROR,
            },
        },
        "paths": {
            "/v1/accounts": {
                "get": {
                    "operationId": "ListAccounts",
                    "summary": "List the platform's connected accounts, newest first.",
                    "parameters": _PAGE,
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
            "/v1/webhook_endpoints": {
                "get": {
                    "operationId": "ListWebhookEndpoints",
                    "summary": "List the platform's webhook endpoints, newest first.",
                    "parameters": _PAGE,
                    "responses": _responses("#/components/schemas/webhook_endpoint_list", "A list of endpoints."),
                },
                "post": {
                    "operationId": "CreateWebhookEndpoint",
                    "summary": "Create a webhook endpoint; the signing secret is returned this once.",
                    "requestBody": _body(webhook_views.CREATE),
                    "responses": _responses("#/components/schemas/webhook_endpoint", "The endpoint."),
                },
            },
            "/v1/webhook_endpoints/{endpoint_id}": {
                "parameters": [_ENDPOINT_ID],
                "get": {
                    "operationId": "RetrieveWebhookEndpoint",
                    "summary": "Retrieve a webhook endpoint.",
                    "responses": _responses("#/components/schemas/webhook_endpoint", "The endpoint."),
                },
                "post": {
                    "operationId": "UpdateWebhookEndpoint",
                    "summary": "Update a webhook endpoint's URL, events, description, metadata or status.",
                    "requestBody": _body(webhook_views.UPDATE),
                    "responses": _responses("#/components/schemas/webhook_endpoint", "The endpoint."),
                },
                "delete": {
                    "operationId": "DeleteWebhookEndpoint",
                    "summary": "Delete a webhook endpoint; deliveries stop, the delivery log is kept.",
                    "responses": _responses("#/components/schemas/deleted_webhook_endpoint", "The deleted endpoint."),
                },
            },
            "/v1/connect_settings": {
                "get": {
                    "operationId": "RetrieveConnectSettings",
                    "summary": "The platform's branding, site links and allowed origins.",
                    "responses": _responses("#/components/schemas/connect_settings", "The settings."),
                },
                "post": {
                    "operationId": "UpdateConnectSettings",
                    "summary": "Update branding, site links, support contacts or allowed origins; empty strings unset.",
                    "requestBody": _body(settings_views.UPDATE),
                    "responses": _responses("#/components/schemas/connect_settings", "The settings."),
                },
            },
        },
    }

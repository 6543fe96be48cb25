"""``/v1/webhook_endpoints``: Stripe's webhook endpoint resource (create, list, retrieve,
update, delete). The ``secret`` is returned only by create, as Stripe does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from connect_support.api.errors import invalid_request, no_such
from connect_support.api.params import Boolean, Field, Integer, Metadata, Params, String
from connect_support.api.pipeline import ApiRequest, api_endpoint
from connect_support.api.serializers import list_object
from connect_support.webhooks.models import WebhookEndpoint
from connect_support.webhooks.services import (
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
)

MAX_LIST = 100


@dataclass
class StringList(Field):
    """A list of short strings (``enabled_events[0]=…`` or ``enabled_events[]=…``)."""

    max_items: int = 20
    description: str = ""
    allow_empty: bool = False  # an empty string clears the list

    def parse(self, value: Any, param: str) -> list[str]:
        if self.allow_empty and value in ("", []):
            return []
        if isinstance(value, dict):  # sparse indexes decode to a hash
            value = [value[key] for key in sorted(value, key=lambda k: int(k) if str(k).isdigit() else 0)]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or len(value) > self.max_items:
            raise invalid_request(f"Invalid array: {param} must list 1 to {self.max_items} values.", param=param)
        return [String(max_length=100).parse(item, f"{param}[{index}]") for index, item in enumerate(value)]

    def openapi(self) -> dict[str, Any]:
        return {
            "type": "array",
            "items": {"type": "string", "maxLength": 100},
            "minItems": 0 if self.allow_empty else 1,
            "maxItems": self.max_items,
        }


_FIELDS: dict[str, Field] = {
    "url": String(max_length=2000),
    "enabled_events": StringList(),
    "description": String(max_length=500),
    "metadata": Metadata(),
}
CREATE = Params(
    {**_FIELDS, "api_version": String(max_length=40), "connect": Boolean()}, required=("url", "enabled_events")
)
UPDATE = Params({**_FIELDS, "disabled": Boolean()})
LIST = Params(
    {
        "limit": Integer(minimum=1, maximum=MAX_LIST),
        "starting_after": String(max_length=100),
        "ending_before": String(max_length=100),
    }
)
EMPTY = Params({})


def endpoint_object(endpoint: WebhookEndpoint, *, with_secret: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": endpoint.pk,
        "object": "webhook_endpoint",
        "api_version": endpoint.api_version or None,
        "application": None,
        "created": endpoint.created,
        "description": endpoint.description or None,
        "enabled_events": endpoint.enabled_events,
        "livemode": endpoint.livemode,
        "metadata": endpoint.metadata,
        "status": endpoint.status,
        "url": endpoint.url,
    }
    if with_secret:
        body["secret"] = endpoint.secret
    return body


def _visible(request: ApiRequest) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(platform=request.key.platform, livemode=request.key.livemode, deleted_at=None)


def _endpoint(request: ApiRequest, endpoint_id: str, *, param: str | None = None, status: int = 404) -> WebhookEndpoint:
    found = _visible(request).filter(pk=endpoint_id[:40]).first()
    if found is None:
        raise no_such("webhook_endpoint", endpoint_id, param=param, status=status)
    return found


def create_endpoint(request: ApiRequest) -> dict[str, Any]:
    params = CREATE.parse(request.params)
    endpoint = webhook_endpoint_create(
        platform=request.key.platform,
        livemode=request.key.livemode,
        url=params["url"],
        enabled_events=params["enabled_events"],
        description=params.get("description", ""),
        metadata=params.get("metadata"),
        api_version=params.get("api_version", ""),
    )
    return endpoint_object(endpoint, with_secret=True)


def list_endpoints(request: ApiRequest) -> dict[str, Any]:
    params = LIST.parse(request.params)
    if "starting_after" in params and "ending_before" in params:
        raise invalid_request(
            "You may only specify one of these parameters: ending_before, starting_after.", param="starting_after"
        )
    limit = params.get("limit", 10)
    if "ending_before" in params:
        cursor = _endpoint(request, params["ending_before"], param="ending_before", status=400)
        newer = _visible(request).filter(created__gte=cursor.created)
        newer = newer.exclude(created=cursor.created, id__lte=cursor.id).order_by("created", "id")
        rows = list(newer[: limit + 1])
        has_more = len(rows) > limit
        shown = list(reversed(rows[:limit]))
    else:
        query = _visible(request).order_by("-created", "-id")
        if "starting_after" in params:
            cursor = _endpoint(request, params["starting_after"], param="starting_after", status=400)
            query = query.filter(created__lte=cursor.created).exclude(created=cursor.created, id__gte=cursor.id)
        rows = list(query[: limit + 1])
        has_more = len(rows) > limit
        shown = rows[:limit]
    return list_object("/v1/webhook_endpoints", [endpoint_object(e) for e in shown], has_more)


def retrieve_endpoint(request: ApiRequest, endpoint_id: str) -> dict[str, Any]:
    EMPTY.parse(request.params)
    return endpoint_object(_endpoint(request, endpoint_id))


def update_endpoint(request: ApiRequest, endpoint_id: str) -> dict[str, Any]:
    endpoint = _endpoint(request, endpoint_id)
    params = UPDATE.parse(request.params)
    return endpoint_object(webhook_endpoint_update(endpoint=endpoint, params=params))


def delete_endpoint(request: ApiRequest, endpoint_id: str) -> dict[str, Any]:
    EMPTY.parse(request.params)
    endpoint = _endpoint(request, endpoint_id)
    webhook_endpoint_delete(endpoint=endpoint)
    return {"id": endpoint.pk, "object": "webhook_endpoint", "deleted": True}


webhook_endpoints = api_endpoint(GET=list_endpoints, POST=create_endpoint)
webhook_endpoint = api_endpoint(GET=retrieve_endpoint, POST=update_endpoint, DELETE=delete_endpoint)

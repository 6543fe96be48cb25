"""The inbox at /console/: queues of chats and cases, filters, search, and the fragment
that open inboxes fetch again when the WebSocket says something changed."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from connect_support.console.access import console_view
from connect_support.console.inbox_search import MAX_QUERY_CHARS
from connect_support.console.inbox_selectors import (
    COUNT_CAP,
    FILTER_NAMES,
    QUEUES,
    QUEUES_BY_KEY,
    SEARCH_LIMIT,
    CasePage,
    case_due,
    case_page,
    case_search_page,
    chat_rows,
    cursor_decode,
    filter_choices,
    filters_parse,
    queue_counts,
)
from connect_support.identity.access import agent_can
from connect_support.identity.selectors import agent_user


def _default_queue(keys: list[str]) -> str:
    for key in ("unassigned", "waiting"):
        if key in keys:
            return key
    return keys[0] if keys else ""


@never_cache
@console_view()
@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    agent = agent_user(request)
    assert agent is not None  # noqa: S101 (console_view guarantees it)
    now = timezone.now()
    actor = agent.actor
    queues = [queue for queue in QUEUES if agent_can(actor=actor, permission=queue.permission)]
    keys = [queue.key for queue in queues]
    choices = filter_choices(wanted_platform=str(request.GET.get("platform") or ""))
    filters, errors = filters_parse(request.GET, choices)

    key = str(request.GET.get("queue") or "") or _default_queue(keys)
    if key not in keys:
        if key in QUEUES_BY_KEY:
            errors.append(f"“{QUEUES_BY_KEY[key].label}” needs the permission '{QUEUES_BY_KEY[key].permission}'.")
        else:
            errors.append("There is no such queue; showing your default queue.")
        key = _default_queue(keys)
    queue = QUEUES_BY_KEY.get(key)

    raw_query = str(request.GET.get("q") or "")
    query = " ".join(raw_query.split())
    if len(query) > MAX_QUERY_CHARS:
        errors.append(f"Searches are cut at {MAX_QUERY_CHARS} characters.")
        query = query[:MAX_QUERY_CHARS]
    after = str(request.GET.get("after") or "")
    if after and cursor_decode(after) is None:
        errors.append("That page link is no longer valid; showing the first page.")
        after = ""

    can_cases = "unassigned" in keys
    page: CasePage | None = None
    chats: list[Any] = []
    searching = bool(query) and can_cases
    if query and not can_cases:
        errors.append("Searching cases needs the permission 'cases.work'.")
    if searching:
        page = case_search_page(query=query, filters=filters)
    elif queue is not None and queue.kind == "cases":
        page = case_page(key=key, user=agent.user, filters=filters, after=after, now=now)
    elif queue is not None:
        chats = chat_rows(key=key, user=agent.user, filters=filters)

    kept = {name: getattr(filters, name) for name in FILTER_NAMES if getattr(filters, name)}
    counts = queue_counts(queues=queues, user=agent.user, now=now)
    context = {
        "nav": "inbox",
        "queues": [
            {
                "key": q.key,
                "label": q.label,
                "kind": q.kind,
                "count": counts[q.key],
                "href": "?" + urlencode({**kept, "queue": q.key}),
            }
            for q in queues
        ],
        "queue": queue,
        "choices": choices,
        "filters": filters,
        "query": query,
        "searching": searching,
        "errors": errors,
        "now": now,
        "rows": [(case, case_due(case), page.snippets.get(case.pk), case.pk in page.direct_ids) for case in page.cases]
        if page is not None
        else [],
        "page": page,
        "chats": chats,
        "next_href": "?" + urlencode({**kept, "queue": key, "after": page.next_cursor})
        if page is not None and page.next_cursor
        else "",
        "first_href": "?" + urlencode({**kept, "queue": key}),
        "clear_href": "?" + urlencode({"queue": key}),
        "count_cap": COUNT_CAP,
        "search_limit": SEARCH_LIMIT,
        "can_risk": agent_can(actor=actor, permission="risk.review"),
    }
    if request.GET.get("fragment") == "1":
        return JsonResponse(
            {
                "counts": counts,
                "list": render_to_string("console/inbox_list.html", context, request=request),
            }
        )
    return render(request, "console/inbox.html", context)

"""The audit log for admins: sign-ins, role changes, case and chat changes, exports and
erasures in one list (privacy/trail.py), filtered, paged by cursor, exported as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterator
from datetime import UTC
from itertools import islice

from asgiref.sync import sync_to_async
from django import forms
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from connect_support.console.access import console_view
from connect_support.identity.audit import AuditKind, audit_record
from connect_support.identity.selectors import agent_user
from connect_support.privacy.trail import (
    MAX_FILTER_CHARS,
    Cursor,
    TrailEntry,
    TrailFilters,
    audit_trail_page,
    audit_trail_stream,
    trail_kinds,
)

PAGE_SIZE = 50
CSV_BATCH = 500
CSV_COLUMNS = ("at", "kind", "event", "actor", "subject", "account", "ip", "detail")


class TrailFilterForm(forms.Form):
    kind = forms.ChoiceField(required=False, label="What happened")
    actor = forms.CharField(required=False, max_length=MAX_FILTER_CHARS, label="Who did it")
    subject = forms.CharField(required=False, max_length=MAX_FILTER_CHARS, label="To whom or what")
    since = forms.DateField(required=False, label="From (UTC)", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To (UTC)", widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(required=False, max_length=MAX_FILTER_CHARS, label="Containing")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # (Form's own signature)
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)  # noqa: S101 (declared above)
        kind_field.choices = [("", "Anything"), *trail_kinds()]

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date comes before the start date.")
        return cleaned

    def filters(self) -> TrailFilters:
        data = self.cleaned_data
        return TrailFilters(
            kind=data.get("kind") or "",
            actor=(data.get("actor") or "").strip(),
            subject=(data.get("subject") or "").strip(),
            since=data.get("since"),
            until=data.get("until"),
            text=(data.get("text") or "").strip(),
        )


def _form(request: HttpRequest) -> TrailFilterForm:
    data = {name: request.GET.get(name, "") for name in TrailFilterForm.base_fields}
    return TrailFilterForm(data)


@never_cache
@console_view("audit.view")
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if not form.is_valid():
        context = {"form": form, "entries": [], "next_url": "", "nav": "audit", "query": ""}
        return render(request, "console/audit.html", context, status=400)
    raw_cursor = request.GET.get("after", "")
    cursor = Cursor.decode(raw_cursor) if raw_cursor else None
    page = audit_trail_page(filters=form.filters(), cursor=cursor, limit=PAGE_SIZE)
    query = request.GET.copy()
    query.pop("after", None)
    next_url = ""
    if page.next_cursor:
        query["after"] = page.next_cursor
        next_url = "?" + query.urlencode()
        query.pop("after")
    context = {
        "form": form,
        "entries": page.entries,
        "next_url": next_url,
        "first_url": "?" + query.urlencode() if cursor else "",
        "bad_cursor": bool(raw_cursor) and cursor is None,
        "query": query.urlencode(),
        "nav": "audit",
    }
    return render(request, "console/audit.html", context)


def _cell(value: str) -> str:
    """Spreadsheets run cells that start like a formula; such text is kept as text."""
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


def _csv_rows(entries: Iterator[TrailEntry]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        detail = "; ".join(f"{key}={value}" for key, value in sorted(entry.detail.items()))
        writer.writerow(
            [
                entry.at.astimezone(UTC).isoformat(),
                entry.kind,
                _cell(entry.label),
                _cell(entry.actor),
                _cell(entry.subject),
                entry.account_id,
                entry.ip,
                _cell(detail),
            ]
        )
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


async def _streamed(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """Pull the CSV in batches on the thread that holds the database connection, so the
    whole export never sits in memory (a plain iterator would be read to the end first)."""
    next_batch = sync_to_async(lambda: list(islice(chunks, 8)), thread_sensitive=True)
    while batch := await next_batch():
        for chunk in batch:
            yield chunk


# console_view is typed for HttpResponse; a download is a StreamingHttpResponse.
@never_cache
@console_view("audit.view")  # type: ignore[arg-type]
@require_GET
def audit_export(request: HttpRequest) -> HttpResponseBase:
    form = _form(request)
    if not form.is_valid():
        context = {"form": form, "entries": [], "next_url": "", "nav": "audit", "query": ""}
        return render(request, "console/audit.html", context, status=400)
    filters = form.filters()
    agent = agent_user(request)
    audit_record(
        kind=AuditKind.AUDIT_EXPORTED,
        request=request,
        actor=agent.user if agent is not None else None,
        detail={"filters": filters.as_detail()},
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(_streamed(_csv_rows(audit_trail_stream(filters=filters))), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    return response

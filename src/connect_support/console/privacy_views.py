"""Data rights in the console: look up an account or a requester, see what is kept,
download it all as a ZIP, or erase it after typing a confirmation (privacy/)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import IO
from urllib.parse import urlencode

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from connect_support.console.access import console_view
from connect_support.identity.selectors import agent_user
from connect_support.privacy.erase import ErasureConfirmationError, privacy_erase
from connect_support.privacy.export import privacy_export
from connect_support.privacy.scope import DataSubject, SubjectNotFoundError, data_subject_find, data_subject_summary

CHUNK = 256 * 1024


def _page(
    request: HttpRequest,
    *,
    query: str,
    subject: DataSubject | None,
    error: str = "",
    erase_error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "query": query,
        "subject": subject,
        "summary": data_subject_summary(subject) if subject is not None else [],
        "error": error,
        "erase_error": erase_error,
        "erased": request.GET.get("erased") == "1",
        "nav": "privacy",
    }
    return render(request, "console/privacy.html", context, status=status)


@never_cache
@console_view("privacy.manage")
@require_GET
def privacy_lookup(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    if not query:
        return _page(request, query="", subject=None)
    try:
        subject = data_subject_find(query=query)
    except SubjectNotFoundError as error:
        return _page(request, query=query[:254], subject=None, error=str(error), status=404)
    return _page(request, query=query, subject=subject)


async def _file_chunks(handle: IO[bytes]) -> AsyncIterator[bytes]:
    """The archive in blocks (a plain file iterator would be read whole before sending)."""
    read = sync_to_async(handle.read, thread_sensitive=False)
    try:
        while chunk := await read(CHUNK):
            yield chunk
    finally:
        handle.close()


# console_view is typed for HttpResponse; a download is a StreamingHttpResponse.
@console_view("privacy.manage")  # type: ignore[arg-type]
@require_POST
def privacy_download(request: HttpRequest) -> HttpResponseBase:
    query = request.POST.get("q", "").strip()
    try:
        subject = data_subject_find(query=query)
    except SubjectNotFoundError as error:
        return _page(request, query=query[:254], subject=None, error=str(error), status=404)
    agent = agent_user(request)
    assert agent is not None  # noqa: S101 (console_view guarantees it)
    archive = privacy_export(subject=subject, actor=agent.user, request=request)
    response = StreamingHttpResponse(_file_chunks(archive.file), content_type="application/zip")
    response["Content-Length"] = str(archive.size)
    response["Content-Disposition"] = f'attachment; filename="{archive.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@console_view("privacy.manage")
@require_POST
def privacy_erase_view(request: HttpRequest) -> HttpResponse:
    query = request.POST.get("q", "").strip()
    try:
        subject = data_subject_find(query=query)
    except SubjectNotFoundError as error:
        return _page(request, query=query[:254], subject=None, error=str(error), status=404)
    agent = agent_user(request)
    assert agent is not None  # noqa: S101 (console_view guarantees it)
    try:
        privacy_erase(
            subject=subject, confirmation=request.POST.get("confirmation", ""), actor=agent.user, request=request
        )
    except ErasureConfirmationError as error:
        return _page(request, query=query, subject=subject, erase_error=str(error), status=400)
    return HttpResponseRedirect(reverse("console-privacy") + "?" + urlencode({"q": query, "erased": "1"}))

"""The support site's HTTP side of chat: the widget's state, file uploads and downloads.
Pages are cached and shared, so everything about this visitor comes from ``state``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import FileResponse, HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.middleware.csrf import get_token
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from connect_support.accounts.eligibility import support_eligibility
from connect_support.cases.attachments import max_attachment_bytes
from connect_support.chat.attachments import Uploader, attachment_json, attachment_upload
from connect_support.chat.availability import chat_availability
from connect_support.chat.errors import ChatRefusedError
from connect_support.chat.models import ChatAttachment, ChatMessage
from connect_support.chat.selectors import attachment_for, conversation_for_customer, conversation_open_for
from connect_support.helpcenter.models import TOPIC_SLUGS
from connect_support.identity.selectors import SupportUser, support_user


def _private(response: JsonResponse) -> JsonResponse:
    response["Cache-Control"] = "no-store, private"
    response["Vary"] = "Cookie"
    return response


def _topics() -> list[dict[str, str]]:
    from connect_support.helpcenter.selectors import topic_list

    titles = {topic.slug: topic.title for topic in topic_list(locale="en")}
    return [{"slug": slug, "title": titles.get(slug, slug.capitalize())} for slug in TOPIC_SLUGS]


def _requester_key(user: SupportUser) -> str:
    return f"{user.account.pk}:{user.person.pk if user.person is not None else '-'}"


@never_cache
@require_GET
def state(request: HttpRequest) -> JsonResponse:
    """What the Contact support widget should offer this visitor (see docs/chat-protocol.md)."""
    next_path = request.GET.get("next", "")
    if not next_path.startswith("/embedded-connect/"):
        next_path = "/embedded-connect/"
    body: dict[str, Any] = {
        "signed_in": False,
        "sign_in_url": reverse("support-auth-start") + "?" + urlencode({"next": next_path}),
        "email_url": reverse("cases:new"),
        "csrf_token": get_token(request),
    }
    user = support_user(request)
    if user is None:
        return _private(JsonResponse(body))
    eligibility = support_eligibility(user.account)
    platform = user.account.platform
    body.update(
        {
            "signed_in": True,
            "eligible": eligibility.eligible,
            "first_name": user.first_name,
            "account": {"id": user.account.pk, "business_name": user.account.business_name},
        }
    )
    if not eligibility.eligible:
        body["platform"] = {
            "name": platform.display_name,
            "support_url": platform.support_url,
            "support_email": platform.support_email,
        }
        return _private(JsonResponse(body))
    conversation = conversation_open_for(requester_key=_requester_key(user))
    body["conversation"] = {"id": conversation.pk, "status": conversation.status} if conversation else None
    body["availability"] = chat_availability().as_json()
    body["topics"] = _topics()
    body["max_file_bytes"] = max_attachment_bytes()
    return _private(JsonResponse(body))


def _error(refusal: ChatRefusedError, status: int) -> JsonResponse:
    return _private(JsonResponse({"error": {"code": refusal.code, "message": refusal.message}}, status=status))


@require_POST
def upload(request: HttpRequest, conversation_id: str) -> JsonResponse:
    """``POST`` multipart ``file`` → ``{"id", "filename", "content_type", "size"}``; send the
    id in a message's ``attachments`` afterwards."""
    user = support_user(request)
    if user is None:
        return _error(ChatRefusedError("not_signed_in", "Sign in to send files."), 401)
    if not support_eligibility(user.account).eligible:
        return _error(ChatRefusedError("not_eligible", "Your platform supports your account."), 403)
    incoming = request.FILES.get("file")
    if incoming is None:
        return _error(ChatRefusedError("no_file", "Choose a file to send."), 400)
    if incoming.size is not None and incoming.size > max_attachment_bytes():
        limit = max_attachment_bytes() // 1_048_576
        return _error(ChatRefusedError("file_refused", f"Files can be at most {limit} MB."), 400)
    uploader = Uploader(
        kind=ChatMessage.Author.CUSTOMER, account_id=user.account.pk, requester_key=_requester_key(user)
    )
    try:
        attachment = attachment_upload(
            conversation_id=conversation_id,
            uploader=uploader,
            filename=incoming.name or "file",
            content=incoming.read(),
        )
    except ChatRefusedError as refusal:
        return _error(refusal, 404 if refusal.code == "not_found" else 429 if refusal.code == "rate_limited" else 400)
    return _private(JsonResponse(attachment_json(attachment), status=201))


def attachment_response(attachment: ChatAttachment) -> FileResponse:
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@require_GET
def download(request: HttpRequest, conversation_id: str, attachment_id: str) -> HttpResponseBase:
    user = support_user(request)
    conversation = (
        conversation_for_customer(account_id=user.account.pk, conversation_id=conversation_id) if user else None
    )
    if user is None or conversation is None or conversation.requester_key != _requester_key(user):
        return _private(JsonResponse({"error": {"code": "not_found", "message": "There is no such file."}}, status=404))
    attachment = attachment_for(conversation_id=conversation.pk, attachment_id=attachment_id)
    if attachment is None or attachment.message_id is None:
        return _private(JsonResponse({"error": {"code": "not_found", "message": "There is no such file."}}, status=404))
    return attachment_response(attachment)

"""The agents' chat workspace (``/console/chats/``), the chat settings page, and chat
files for agents. The workspace itself talks to ``/console/chats/ws`` (chat.consumers)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from connect_support.cases.macros import macro_get_for, macro_record_use, macro_render_detailed, macros_for
from connect_support.cases.models import Macro
from connect_support.chat.account_panel import account_panel_for
from connect_support.chat.attachments import Uploader, attachment_json, attachment_upload
from connect_support.chat.availability import chat_availability, chat_settings_get, hours_summary
from connect_support.chat.configuration import (
    SettingsError,
    SettingsInput,
    chat_holiday_add,
    chat_holiday_remove,
    chat_settings_update,
    hours_format,
)
from connect_support.chat.errors import ChatRefusedError
from connect_support.chat.models import AgentParticipation, ChatHoliday, ChatMessage, Conversation
from connect_support.chat.selectors import (
    agent_display_name,
    attachment_for,
    conversation_for_transcript,
    conversation_of_agent,
)
from connect_support.chat.views import attachment_response
from connect_support.console.access import console_view
from connect_support.console.chat_forms import ChatSettingsForm, HolidayForm
from connect_support.identity.access import agent_can
from connect_support.identity.selectors import agent_user

# The picker filters as the agent types; a team rarely has more.
MACROS_LISTED = 200


@never_cache
@console_view("chats.work")
@require_safe
def workspace(request: HttpRequest) -> HttpResponse:
    agent = agent_user(request)
    assert agent is not None  # noqa: S101 (console_view guarantees it)
    settings_row = chat_settings_get()
    context = {
        "agent": agent,
        "availability": chat_availability(),
        "hours": hours_summary(settings_row),
        "settings_row": settings_row,
        "can_manage": agent_can(actor=agent.actor, permission="agents.manage"),
        "nav": "chats",
    }
    return render(request, "console/chats.html", context)


def _initial() -> dict[str, Any]:
    row = chat_settings_get()
    initial: dict[str, Any] = {
        "enabled": row.enabled,
        "time_zone": row.time_zone,
        "routing": row.routing,
        "idle_minutes": row.idle_minutes,
        "no_answer_seconds": row.no_answer_seconds,
        "max_wait_minutes": row.max_wait_minutes,
    }
    for day in range(7):
        initial[f"day_{day}"] = hours_format((row.weekly_hours or {}).get(str(day), []))
    return initial


@never_cache
@console_view("agents.manage")
@require_http_methods(["GET", "HEAD", "POST"])
def chat_settings(request: HttpRequest) -> HttpResponse:
    """Business hours, holidays, routing and timers."""
    form = ChatSettingsForm(request.POST if request.method == "POST" and "save_settings" in request.POST else None,
                            initial=_initial())  # fmt: skip
    holiday_form = HolidayForm(request.POST if request.method == "POST" and "add_holiday" in request.POST else None)
    status = 200
    if request.method == "POST":
        if "save_settings" in request.POST and form.is_valid():
            data = form.cleaned_data
            try:
                chat_settings_update(
                    values=SettingsInput(
                        enabled=data["enabled"],
                        time_zone=data["time_zone"].strip(),
                        weekly_hours=data["weekly_hours"],
                        routing=data["routing"],
                        idle_minutes=data["idle_minutes"],
                        no_answer_seconds=data["no_answer_seconds"],
                        max_wait_minutes=data["max_wait_minutes"],
                    )
                )
            except SettingsError as error:
                form.add_error("time_zone" if "time zone" in str(error) else None, str(error))
            else:
                messages.success(request, "Chat settings saved.")
                return HttpResponseRedirect(reverse("console-chat-settings"))
        elif "add_holiday" in request.POST and holiday_form.is_valid():
            chat_holiday_add(day=holiday_form.cleaned_data["date"], name=holiday_form.cleaned_data["name"])
            messages.success(request, "Holiday added.")
            return HttpResponseRedirect(reverse("console-chat-settings"))
        status = 400
    context = {
        "form": form,
        "holiday_form": holiday_form,
        "holidays": ChatHoliday.objects.all(),
        "hours": hours_summary(chat_settings_get()),
        "availability": chat_availability(),
        "nav": "chats",
    }
    return render(request, "console/chat_settings.html", context, status=status)


@console_view("agents.manage")
@require_POST
def holiday_delete(request: HttpRequest, holiday_id: int) -> HttpResponse:
    if chat_holiday_remove(holiday_id=holiday_id):
        messages.success(request, "Holiday removed.")
    return HttpResponseRedirect(reverse("console-chat-settings"))


@console_view("chats.work")
@require_POST
def upload(request: HttpRequest, conversation_id: str) -> JsonResponse:
    agent = agent_user(request)
    assert agent is not None  # noqa: S101 (console_view guarantees it)
    incoming = request.FILES.get("file")
    if incoming is None:
        return JsonResponse({"error": {"code": "no_file", "message": "Choose a file to send."}}, status=400)
    uploader = Uploader(kind=ChatMessage.Author.AGENT, user_id=agent.user.pk)
    try:
        attachment = attachment_upload(
            conversation_id=conversation_id,
            uploader=uploader,
            filename=incoming.name or "file",
            content=incoming.read(),
        )
    except ChatRefusedError as refusal:
        status = 404 if refusal.code == "not_found" else 400
        return JsonResponse({"error": {"code": refusal.code, "message": refusal.message}}, status=status)
    return JsonResponse(attachment_json(attachment), status=201)


# console_view is typed for HttpResponse; a file download is a StreamingHttpResponse.
@console_view("chats.work")  # type: ignore[arg-type]
@require_safe
def download(request: HttpRequest, conversation_id: str, attachment_id: str) -> HttpResponseBase:
    agent = agent_user(request)
    assert agent is not None  # noqa: S101 (console_view guarantees it)
    took_part = AgentParticipation.objects.filter(conversation_id=conversation_id, agent=agent.user).exists()
    if not took_part and not Conversation.objects.filter(pk=conversation_id, agent=agent.user).exists():
        raise Http404("No such chat among yours.")
    attachment = attachment_for(conversation_id=conversation_id, attachment_id=attachment_id)
    if attachment is None or attachment.message_id is None:
        raise Http404("No such file.")
    return attachment_response(attachment)


def _agent_conversation(request: HttpRequest, conversation_id: str) -> tuple[Any, Conversation]:
    """The signed-in agent and a chat they answer or once did; a 404 for any other."""
    agent = agent_user(request)
    assert agent is not None  # noqa: S101 (console_view guarantees it)
    conversation = conversation_of_agent(user_id=agent.user.pk, conversation_id=conversation_id)
    if conversation is None:
        raise Http404("No such chat among yours.")
    return agent, conversation


@never_cache
@console_view("chats.work")
@require_safe
def account_panel(request: HttpRequest, conversation_id: str) -> HttpResponse:
    """Beside a chat: the account's open risk interventions and its requirements, as they
    stand now (the workspace loads it when a chat is opened)."""
    agent, conversation = _agent_conversation(request, conversation_id)
    context = {
        "conversation": conversation,
        "panel": account_panel_for(account=conversation.account),
        "can_review": agent_can(actor=agent.actor, permission="risk.review"),
    }
    return render(request, "console/_chat_account.html", context)


@never_cache
@console_view("chats.work")
@require_safe
def macro_list(request: HttpRequest, conversation_id: str) -> JsonResponse:
    """The macros this agent may use in a chat: every shared one and their own."""
    agent, _conversation = _agent_conversation(request, conversation_id)
    macros = [
        {"id": macro.pk, "title": macro.title, "shared": macro.shared, "preview": macro.body[:140]}
        for macro in macros_for(user=agent.user)[:MACROS_LISTED]
    ]
    return JsonResponse({"macros": macros})


@never_cache
@console_view("chats.work")
@require_POST
def macro_insert(request: HttpRequest, conversation_id: str, macro_id: str) -> JsonResponse:
    """A macro filled in for this chat, for the composer (never sent from here)."""
    agent, conversation = _agent_conversation(request, conversation_id)
    try:
        macro = macro_get_for(user=agent.user, macro_id=macro_id)
    except Macro.DoesNotExist:
        return JsonResponse({"error": {"code": "not_found", "message": "There is no such macro."}}, status=404)
    rendering = macro_render_detailed(macro=macro, agent_name=agent_display_name(agent.user), conversation=conversation)
    macro_record_use(macro=macro)
    return JsonResponse({"text": rendering.text, "missing": rendering.missing, "unknown": rendering.unknown})


@never_cache
@console_view("console.use")
@require_safe
def transcript(request: HttpRequest, conversation_id: str) -> HttpResponse:
    """A chat as it happened, for agents who work chats or cases (a case made from a chat
    links here through its ``source_context["conversation_id"]``)."""
    agent = agent_user(request)
    assert agent is not None  # noqa: S101 (console_view guarantees it)
    if not any(agent_can(actor=agent.actor, permission=p) for p in ("chats.work", "cases.work")):
        return render(request, "console/forbidden.html", {"permission": "chats.work"}, status=403)
    conversation = conversation_for_transcript(conversation_id=conversation_id)
    if conversation is None:
        raise Http404("No such chat.")
    context = {
        "conversation": conversation,
        "items": ChatMessage.objects.filter(conversation=conversation).order_by("seq"),
        "panel": account_panel_for(account=conversation.account),
        "can_review": agent_can(actor=agent.actor, permission="risk.review"),
        "nav": "chats",
    }
    return render(request, "console/chat_transcript.html", context)

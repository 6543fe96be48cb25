"""The console's case view (``/console/cases/<number>/``): the thread with replies and
internal notes kept apart, replying with macros, status/priority/assignee/tags, merging,
attachments, and the account's context beside it. Every change names the case version it
was made on; a stale one answers 409 with what changed and the agent's input kept.

Agents with ``cases.work`` act on every case; risk agents (``risk.review``) on the cases
routed to risk (appeals and questions about an intervention)."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from connect_support.cases.editing import CaseEditError, CaseVersionConflictError, case_edit, case_reply
from connect_support.cases.macros import (
    PLACEHOLDERS,
    MacroError,
    MacroPermissionError,
    macro_create,
    macro_delete,
    macro_get_for,
    macro_record_use,
    macro_render_detailed,
    macro_update,
    macros_for,
)
from connect_support.cases.merge import case_merge
from connect_support.cases.models import Case, Macro
from connect_support.console.access import console_view
from connect_support.console.case_forms import CaseEditForm, MacroForm, MergeForm, ReplyForm
from connect_support.console.case_panel import (
    PREVIEWABLE_IMAGES,
    case_history_rows,
    case_side_panel,
    is_risk_case,
    thread_page,
)
from connect_support.identity.access import agent_can
from connect_support.identity.agents import ROLES
from connect_support.identity.selectors import Agent, agent_user

MACROS_LISTED = 200
_CASE_WORKERS = ("support agent", "risk agent", "admin")


class _ForbiddenError(Exception):
    pass


def _agent(request: HttpRequest) -> Agent:
    agent = agent_user(request)
    assert agent is not None  # noqa: S101 (console_view guarantees it)
    return agent


def _case(request: HttpRequest, number: int) -> tuple[Agent, Case]:
    """The signed-in agent and the case, if they may work it (404 / 403 otherwise)."""
    agent = _agent(request)
    case = Case.objects.select_related("account__platform", "assignee", "merged_into").filter(number=number).first()
    if case is None:
        raise Http404("No such case.")
    actor = agent.actor  # one read of the agent's roles
    if agent_can(actor=actor, permission="cases.work"):
        return agent, case
    if agent_can(actor=actor, permission="risk.review") and is_risk_case(case=case):
        return agent, case
    raise _ForbiddenError


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "console/forbidden.html", {"permission": "cases.work"}, status=403)


def _assignees() -> QuerySet[User]:
    roles = [role for role in ROLES if role in _CASE_WORKERS]
    return (
        User.objects.filter(is_active=True)
        .filter(groups__name__in=roles)
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


def _agent_name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _edit_initial(case: Case) -> dict[str, Any]:
    return {
        "version": case.version,
        "status": case.status,
        "priority": case.priority,
        "assignee": case.assignee_id,
        "tags": ", ".join(case.tags or []),
    }


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and len(raw) < 7 else 1


def _render_case(
    request: HttpRequest,
    agent: Agent,
    case: Case,
    *,
    reply_form: ReplyForm | None = None,
    edit_form: CaseEditForm | None = None,
    merge_form: MergeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    macro_note = ""
    if reply_form is None:
        initial: dict[str, Any] = {"version": case.version, "form_token": secrets.token_urlsafe(24)}
        macro_id = request.GET.get("macro", "")
        if macro_id:
            try:
                macro = macro_get_for(user=agent.user, macro_id=macro_id[:40])
            except Macro.DoesNotExist:
                macro_note = "That macro is not available to you."
            else:
                rendering = macro_render_detailed(macro=macro, agent_name=_agent_name(agent.user), case=case)
                initial["body"] = rendering.text
                macro_record_use(macro=macro)
                left = [*rendering.missing, *rendering.unknown]
                if left:
                    macro_note = "Fill in by hand: " + ", ".join("{{ " + name + " }}" for name in left)
        reply_form = ReplyForm(initial=initial)
    context = {
        "nav": "cases",
        "case": case,
        "thread": thread_page(case=case, page=_page_number(request)),
        "panel": case_side_panel(case=case),
        "history": case_history_rows(case=case),
        "reply_form": reply_form,
        "edit_form": edit_form or CaseEditForm(initial=_edit_initial(case), assignees=_assignees()),
        "merge_form": merge_form or MergeForm(initial={"version": case.version}),
        "macros": list(macros_for(user=agent.user)[:MACROS_LISTED]),
        "macro_note": macro_note,
        "previewable": PREVIEWABLE_IMAGES,
        "can_review": agent_can(actor=agent.actor, permission="risk.review"),
    }
    return render(request, "console/case.html", context, status=status)


def _conflict(
    request: HttpRequest, conflict: CaseVersionConflictError, *, action: str, form: Any, note: str = ""
) -> HttpResponse:
    context = {
        "nav": "cases",
        "case": conflict.case,
        "changes": conflict.changes,
        "action": action,
        "form": form,
        "note": note,
    }
    return render(request, "console/case_conflict.html", context, status=409)


@never_cache
@console_view("console.use")
@require_safe
def case_detail(request: HttpRequest, number: int) -> HttpResponse:
    try:
        agent, case = _case(request, number)
    except _ForbiddenError:
        return _forbidden(request)
    return _render_case(request, agent, case)


@never_cache
@console_view("console.use")
@require_safe
def case_version(request: HttpRequest, number: int) -> JsonResponse:
    """What the open page polls: has the case changed since it was rendered?"""
    try:
        _, case = _case(request, number)
    except _ForbiddenError:
        return JsonResponse({"error": {"code": "forbidden", "message": "This needs cases.work."}}, status=403)
    return JsonResponse({"version": case.version, "status": case.status, "merged_into": case.merged_into_id})


@never_cache
@console_view("console.use")
@require_safe
def case_macro(request: HttpRequest, number: int, macro_id: str) -> JsonResponse:
    """A macro filled in for this case, for the reply box (nothing is sent from here)."""
    try:
        agent, case = _case(request, number)
    except _ForbiddenError:
        return JsonResponse({"error": {"code": "forbidden", "message": "This needs cases.work."}}, status=403)
    try:
        macro = macro_get_for(user=agent.user, macro_id=macro_id[:40])
    except Macro.DoesNotExist:
        return JsonResponse({"error": {"code": "not_found", "message": "There is no such macro."}}, status=404)
    rendering = macro_render_detailed(macro=macro, agent_name=_agent_name(agent.user), case=case)
    macro_record_use(macro=macro)
    return JsonResponse({"text": rendering.text, "missing": rendering.missing, "unknown": rendering.unknown})


def _case_url(case: Case, anchor: str = "") -> str:
    return reverse("console-case", kwargs={"number": case.number}) + anchor


def _merged_away(request: HttpRequest, case: Case) -> HttpResponse | None:
    """A form posted to a case merged meanwhile: nothing to do here, the work is there."""
    if case.merged_into is None:
        return None
    messages.error(
        request, f"Case #{case.number} was merged into this case; nothing was saved. Check the thread and act here."
    )
    return HttpResponseRedirect(_case_url(case.merged_into))


@console_view("console.use")
@require_POST
def case_reply_view(request: HttpRequest, number: int) -> HttpResponse:
    try:
        agent, case = _case(request, number)
    except _ForbiddenError:
        return _forbidden(request)
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_case(request, agent, case, reply_form=form, status=400)
    data = form.cleaned_data
    if case.merged_into is not None:
        # Merged meanwhile: offer the same text on the case that now holds the thread.
        survivor = case.merged_into
        kept = ReplyForm(
            initial={**data, "version": survivor.version, "form_token": secrets.token_urlsafe(24), "attachments": None}
        )
        messages.error(request, f"Case #{case.number} was merged into this case; your message was not sent yet.")
        return _render_case(request, agent, survivor, reply_form=kept, status=409)
    internal = data["kind"] == "note"
    status = (data.get("note_status") or None) if internal else data["reply_status"]
    try:
        created = case_reply(
            case=case,
            agent=agent.user,
            version=data["version"],
            body_text=data.get("body") or "",
            internal=internal,
            status=status,
            form_token=data["form_token"],
            files=data.get("attachments") or [],
        )
    except CaseVersionConflictError as conflict:
        kept = ReplyForm(initial={**data, "version": conflict.case.version, "attachments": None})
        note = "Your files were not kept: attach them again." if data.get("attachments") else ""
        return _conflict(request, conflict, action="reply", form=kept, note=note)
    except CaseEditError as refused:
        form.add_error(None, str(refused))
        return _render_case(request, agent, case, reply_form=form, status=400)
    messages.success(request, "Internal note added." if created.internal else "Reply sent to the requester.")
    return HttpResponseRedirect(_case_url(case, f"#message-{created.pk}"))


@console_view("console.use")
@require_POST
def case_update_view(request: HttpRequest, number: int) -> HttpResponse:
    try:
        agent, case = _case(request, number)
    except _ForbiddenError:
        return _forbidden(request)
    if (elsewhere := _merged_away(request, case)) is not None:
        return elsewhere
    form = CaseEditForm(request.POST, assignees=_assignees())
    if not form.is_valid():
        return _render_case(request, agent, case, edit_form=form, status=400)
    data = form.cleaned_data
    try:
        case_edit(
            case=case,
            agent=agent.user,
            version=data["version"],
            status=data["status"],
            priority=data["priority"],
            assignee=data.get("assignee"),
            tags=data.get("tags") or "",
        )
    except CaseVersionConflictError as conflict:
        kept = CaseEditForm(
            initial={**data, "version": conflict.case.version, "assignee": getattr(data.get("assignee"), "pk", None)},
            assignees=_assignees(),
        )
        return _conflict(request, conflict, action="update", form=kept)
    except CaseEditError as refused:
        form.add_error(None, str(refused))
        return _render_case(request, agent, case, edit_form=form, status=400)
    messages.success(request, "Case updated.")
    return HttpResponseRedirect(_case_url(case, "#properties"))


@console_view("console.use")
@require_POST
def case_merge_view(request: HttpRequest, number: int) -> HttpResponse:
    try:
        agent, case = _case(request, number)
    except _ForbiddenError:
        return _forbidden(request)
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _render_case(request, agent, case, merge_form=form, status=400)
    data = form.cleaned_data
    if case.merged_into is not None and case.merged_into.number == data["into"]:
        # A double click: the first click did it.
        return HttpResponseRedirect(_case_url(case.merged_into))
    try:
        _, target = _case(request, data["into"])
    except (Http404, _ForbiddenError):
        form.add_error("into", f"There is no case #{data['into']} you can work on.")
        return _render_case(request, agent, case, merge_form=form, status=400)
    try:
        survivor = case_merge(source=case, target=target, agent=agent.user, version=data["version"])
    except CaseVersionConflictError as conflict:
        kept = MergeForm(initial={**data, "version": conflict.case.version})
        return _conflict(request, conflict, action="merge", form=kept)
    except CaseEditError as refused:
        form.add_error(None, str(refused))
        return _render_case(request, agent, case, merge_form=form, status=400)
    messages.success(request, f"Case #{case.number} was merged into this case.")
    return HttpResponseRedirect(_case_url(survivor))


# console_view is typed for HttpResponse; a file download is a FileResponse.
@never_cache
@console_view("console.use")  # type: ignore[arg-type]
@require_safe
def case_file(request: HttpRequest, number: int, attachment_id: str) -> HttpResponseBase:
    """An attachment of the case (or of a case merged into it): images the browser can show
    inline, anything else as a download; never sniffed, never run."""
    try:
        _, case = _case(request, number)
    except _ForbiddenError:
        return _forbidden(request)
    attachment = case.attachments.filter(pk=attachment_id[:40]).first()
    if attachment is None:
        raise Http404("No such file.")
    inline = attachment.content_type in PREVIEWABLE_IMAGES and request.GET.get("download") != "1"
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    return response


# Macros (``/console/macros/``): shared ones for the team, personal ones for their owner.


def _macro_context(agent: Agent, form: MacroForm, editing: Macro | None = None) -> dict[str, Any]:
    return {
        "nav": "macros",
        "macros": list(macros_for(user=agent.user)),
        "form": form,
        "editing": editing,
        "placeholders": sorted(PLACEHOLDERS.items()),
        "user_id": agent.user.pk,
    }


@never_cache
@console_view("console.use")
def macro_list(request: HttpRequest) -> HttpResponse:
    agent = _agent(request)
    if request.method == "POST":
        form = MacroForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                macro = macro_create(user=agent.user, title=data["title"], body=data["body"], shared=data["shared"])
            except MacroError as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, f"Macro “{macro.title}” saved.")
                return HttpResponseRedirect(reverse("console-macros"))
        return render(request, "console/macros.html", _macro_context(agent, form), status=400)
    if request.method not in {"GET", "HEAD"}:
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    return render(request, "console/macros.html", _macro_context(agent, MacroForm(initial={"shared": False})))


def _own_macro(agent: Agent, macro_id: str) -> Macro:
    try:
        return macro_get_for(user=agent.user, macro_id=macro_id[:40])
    except Macro.DoesNotExist:
        raise Http404("No such macro among yours or the shared ones.") from None


@never_cache
@console_view("console.use")
def macro_edit(request: HttpRequest, macro_id: str) -> HttpResponse:
    agent = _agent(request)
    macro = _own_macro(agent, macro_id)
    if request.method == "POST":
        form = MacroForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                macro_update(
                    macro=macro, user=agent.user, title=data["title"], body=data["body"], shared=data["shared"]
                )
            except (MacroError, MacroPermissionError) as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, f"Macro “{macro.title}” saved.")
                return HttpResponseRedirect(reverse("console-macros"))
        return render(request, "console/macro_edit.html", _macro_context(agent, form, macro), status=400)
    if request.method not in {"GET", "HEAD"}:
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    form = MacroForm(initial={"title": macro.title, "body": macro.body, "shared": macro.shared})
    return render(request, "console/macro_edit.html", _macro_context(agent, form, macro))


@console_view("console.use")
@require_POST
def macro_delete_view(request: HttpRequest, macro_id: str) -> HttpResponse:
    agent = _agent(request)
    try:
        macro = macro_get_for(user=agent.user, macro_id=macro_id[:40])
    except Macro.DoesNotExist:
        # Already deleted (a double click) or never visible: nothing left to do.
        messages.info(request, "That macro no longer exists.")
        return HttpResponseRedirect(reverse("console-macros"))
    try:
        macro_delete(macro=macro, user=agent.user)
    except MacroPermissionError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"Macro “{macro.title}” deleted.")
    return HttpResponseRedirect(reverse("console-macros"))

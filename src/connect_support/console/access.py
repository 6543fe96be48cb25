"""The guard every console page sits behind: a signed-in agent with the right permission."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from connect_support.identity.access import agent_can
from connect_support.identity.selectors import agent_user

View = Callable[..., HttpResponse]


def console_view(permission: str = "console.use") -> Callable[[View], View]:
    """Anonymous visitors go to the sign-in page (and come back); signed-in agents without
    the permission get a 403 page that says which permission is missing."""

    def decorator(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            agent = agent_user(request)
            if agent is None:
                target = reverse("console-login") + "?" + urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(target)
            if not agent_can(actor=agent.actor, permission=permission):
                return render(request, "console/forbidden.html", {"permission": permission}, status=403)
            return view(request, *args, **kwargs)

        return guarded

    return decorator

"""The admin site behind the console's two-factor sign-in.

Django's own admin login accepts a password alone; this site never shows it. Signing in
happens at ``/console/login/``, and only agents with the ``admin`` role (``agents.manage``)
get in.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from connect_support.identity.access import agent_can
from connect_support.identity.selectors import agent_user


class ConsoleAdminSite(admin.AdminSite):
    site_header = "Connect Support administration"
    site_title = "Connect Support admin"

    def has_permission(self, request: HttpRequest) -> bool:
        agent = agent_user(request)
        return agent is not None and agent_can(actor=agent.actor, permission="agents.manage")

    def login(self, request: HttpRequest, extra_context: dict[str, object] | None = None) -> HttpResponse:
        if agent_user(request) is not None:
            return render(request, "console/forbidden.html", {"permission": "agents.manage"}, status=403)
        next_url = request.GET.get("next") or reverse("admin:index")
        return HttpResponseRedirect(reverse("console-login") + "?" + urlencode({"next": next_url}))

"""Template filters of the console: what the signed-in agent may do, for the navigation."""

from __future__ import annotations

from django import template
from django.http import HttpRequest

from connect_support.identity.access import agent_can
from connect_support.identity.selectors import agent_user

register = template.Library()


@register.filter
def agent_may(request: object, permission: str) -> bool:
    """``{% if request|agent_may:"chats.work" %}``: a signed-in agent with the permission.
    A template rendered without a request (no ``request`` in its context) gets False."""
    if not isinstance(request, HttpRequest):
        return False
    agent = agent_user(request)
    return agent is not None and agent_can(actor=agent.actor, permission=permission)

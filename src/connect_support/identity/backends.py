"""Authentication backend: Django's model backend, with the ``admin`` role holding every
permission so that admins can use the admin site without per-model grants."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser, User

from connect_support.identity.agents import agent_roles

_ROLES_ATTR = "_cs_roles"


def _is_admin(user_obj: User | AnonymousUser) -> bool:
    if not isinstance(user_obj, User) or not user_obj.is_active or not user_obj.is_staff:
        return False
    roles: frozenset[str] | None = getattr(user_obj, _ROLES_ATTR, None)
    if roles is None:
        roles = agent_roles(user=user_obj)
        setattr(user_obj, _ROLES_ATTR, roles)
    return "admin" in roles


class RoleAwareBackend(ModelBackend):
    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return _is_admin(user_obj) or super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return _is_admin(user_obj) or super().has_module_perms(user_obj, app_label)

"""Agents: staff users with roles (groups) and a TOTP device."""

from __future__ import annotations

from django.contrib.auth.models import Group, User
from django.db import transaction

from connect_support.identity.models import TotpDevice

ROLES = ("support agent", "risk agent", "content editor", "admin")


@transaction.atomic
def agent_ensure(*, email: str, password: str, name: str, roles: tuple[str, ...], totp_secret: str) -> User:
    """Create the agent or bring it to the given state (used by seeding; idempotent)."""
    first_name, _, last_name = name.partition(" ")
    user, _created = User.objects.get_or_create(
        username=email, defaults={"email": email, "first_name": first_name, "last_name": last_name}
    )
    user.email = email
    user.first_name = first_name
    user.last_name = last_name
    user.is_staff = True
    user.set_password(password)
    user.save()
    for role in roles:
        group, _ = Group.objects.get_or_create(name=role)
        user.groups.add(group)
    TotpDevice.objects.update_or_create(user=user, defaults={"secret": totp_secret, "confirmed": True})
    return user

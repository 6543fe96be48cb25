"""Agents in the admin: role changes and second-factor resets go through the audited services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from connect_support.identity.agents import agent_roles, totp_reset
from connect_support.identity.audit import AuditKind, audit_record
from connect_support.identity.models import AuditEvent

# Generic only for the type checker (django-stubs); Django's classes are not subscriptable.
if TYPE_CHECKING:
    AuditEventAdminBase = admin.ModelAdmin[AuditEvent]
    UserAdminBase = UserAdmin[User]
    UserFormBase = ModelForm[User]
else:
    AuditEventAdminBase = admin.ModelAdmin
    UserAdminBase = UserAdmin
    UserFormBase = ModelForm


class AgentAdmin(UserAdminBase):
    actions = ["reset_second_factor"]

    def save_related(self, request: HttpRequest, form: UserFormBase, formsets: Any, change: bool) -> None:
        user: User = form.instance
        before = agent_roles(user=user) if change else frozenset()
        super().save_related(request, form, formsets, change)
        after = agent_roles(user=user)
        actor = request.user if isinstance(request.user, User) else None
        for role in sorted(after - before):
            audit_record(kind=AuditKind.ROLE_GRANTED, request=request, actor=actor, subject=user, detail={"role": role})
        for role in sorted(before - after):
            audit_record(kind=AuditKind.ROLE_REVOKED, request=request, actor=actor, subject=user, detail={"role": role})

    @admin.action(description="Reset two-factor authentication (the agent enrolls again)")
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor = request.user if isinstance(request.user, User) else None
        for agent in queryset:
            totp_reset(actor=actor, agent=agent, request=request)
        messages.success(request, f"Reset two-factor authentication for {queryset.count()} agent(s).")


class AuditEventAdmin(AuditEventAdminBase):
    list_display = ("at", "kind", "subject_label", "actor", "ip")
    list_filter = ("kind",)
    search_fields = ("subject_label", "account_id", "kind")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False


admin.site.unregister(User)
admin.site.register(User, AgentAdmin)
admin.site.register(AuditEvent, AuditEventAdmin)

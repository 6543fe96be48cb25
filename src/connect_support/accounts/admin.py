"""The operator's view of platforms, keys and accounts in the admin.

Platforms are edited here (branding, support contact, site links, allowed origins); keys
can be revoked but never shown again; accounts are read-only because platforms own their
data through the API.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from connect_support.accounts.eligibility import support_eligibility
from connect_support.accounts.models import ApiKey, ConnectedAccount, Person, Platform
from connect_support.accounts.services import api_key_revoke


class ApiKeyInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ApiKey
    extra = 0
    can_delete = False
    fields = ("kind", "livemode", "hint", "publishable_key", "created", "last_used_at", "revoked_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # keys are created with `connect-support manage create_platform_key`


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "business_name", "support_email", "created")
    search_fields = ("name", "business_name", "id")
    readonly_fields = ("id", "created")
    inlines = (ApiKeyInline,)
    fieldsets = (
        (None, {"fields": ("id", "name", "created")}),
        ("Branding", {"fields": ("business_name", "logo_url", "icon_url", "brand_color", "accent_color")}),
        ("Support contact for accounts we do not support", {"fields": ("support_url", "support_email")}),
        (
            "Site links and embedding",
            {"fields": ("notification_banner_url", "account_management_url", "allowed_origins")},
        ),
    )


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("hint", "platform", "kind", "livemode", "created", "last_used_at", "revoked_at")
    list_filter = ("kind", "livemode", "revoked_at")
    readonly_fields = (
        "id",
        "platform",
        "kind",
        "livemode",
        "hint",
        "publishable_key",
        "digest",
        "created",
        "last_used_at",
        "revoked_at",
    )
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for key in queryset:
            api_key_revoke(key=key)
        self.message_user(request, f"Revoked {queryset.count()} key(s).")


class PersonInline(admin.StackedInline):  # type: ignore[type-arg]
    model = Person
    extra = 0
    can_delete = False
    fields = ("first_name", "last_name", "email", "phone", "relationship")
    readonly_fields = fields


@admin.register(ConnectedAccount)
class ConnectedAccountAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("id", "business", "platform", "eligible", "details_submitted", "charges_enabled", "payouts_enabled")
    list_filter = ("platform", "dashboard_type", "losses_payments", "charges_enabled", "payouts_enabled")
    search_fields = ("id", "email", "business_profile__name")
    inlines = (PersonInline,)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in ConnectedAccount._meta.concrete_fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Business")
    def business(self, account: ConnectedAccount) -> str:
        return account.business_name

    @admin.display(description="Operator supports", boolean=True)
    def eligible(self, account: ConnectedAccount) -> bool:
        return support_eligibility(account).eligible

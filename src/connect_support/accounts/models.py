from __future__ import annotations

import time
from functools import partial
from typing import Any

from django.db import models
from django.utils import timezone

from connect_support.accounts.ids import new_id


def _now_unix() -> int:
    return int(time.time())


class Platform(models.Model):
    """A business that embeds the operator's components and owns connected accounts."""

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "plat"), editable=False)
    name = models.CharField(max_length=200, unique=True)
    # Branding used in co-branded emails and the support site.
    business_name = models.CharField(max_length=200, blank=True)
    logo_url = models.URLField(blank=True)
    icon_url = models.URLField(blank=True)
    brand_color = models.CharField(max_length=7, default="#4f46e5")
    accent_color = models.CharField(max_length=7, default="#0ea5e9")
    # Where accounts the operator does not support get help.
    support_url = models.URLField(blank=True)
    support_email = models.EmailField(blank=True)
    # Site links: the platform's pages that host our components.
    notification_banner_url = models.URLField(blank=True)
    account_management_url = models.URLField(blank=True)
    # Origins allowed to embed the components, e.g. ["https://app.example.com"].
    allowed_origins = models.JSONField(default=list, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.business_name or self.name


class ApiKey(models.Model):
    """A platform's key. Secret keys are kept only as a SHA-256 digest and shown once."""

    class Kind(models.TextChoices):
        SECRET = "secret", "Secret"
        PUBLISHABLE = "publishable", "Publishable"

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "key"), editable=False)
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="api_keys")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    livemode = models.BooleanField(default=False)
    # SHA-256 of the whole key; keys carry ≥190 bits of randomness, so a fast hash is
    # enough and lets the key be found by its digest.
    digest = models.CharField(max_length=64, unique=True)
    # Publishable keys are public by design and kept whole; secret keys keep a hint.
    publishable_key = models.CharField(max_length=120, blank=True)
    hint = models.CharField(max_length=24)
    created = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} key {self.hint} of {self.platform_id}"


class ConnectedAccount(models.Model):
    """A business on a platform, in the shape of the Accounts API."""

    class BusinessType(models.TextChoices):
        INDIVIDUAL = "individual"
        COMPANY = "company"
        NON_PROFIT = "non_profit"
        GOVERNMENT_ENTITY = "government_entity"

    class DashboardType(models.TextChoices):
        FULL = "full"
        EXPRESS = "express"
        NONE = "none"

    class LossesPayer(models.TextChoices):
        STRIPE = "stripe"
        APPLICATION = "application"

    class FeesPayer(models.TextChoices):
        ACCOUNT = "account"
        APPLICATION = "application"

    class RequirementCollection(models.TextChoices):
        STRIPE = "stripe"
        APPLICATION = "application"

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "acct"), editable=False)
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="accounts")
    livemode = models.BooleanField(default=False)
    email = models.EmailField(blank=True)
    country = models.CharField(max_length=2, default="US")
    default_currency = models.CharField(max_length=3, default="usd")
    business_type = models.CharField(max_length=20, choices=BusinessType.choices, blank=True)
    business_profile = models.JSONField(default=dict, blank=True)
    company = models.JSONField(default=dict, blank=True)
    dashboard_type = models.CharField(max_length=10, choices=DashboardType.choices, default=DashboardType.FULL)
    losses_payments = models.CharField(max_length=12, choices=LossesPayer.choices, default=LossesPayer.STRIPE)
    fees_payer = models.CharField(max_length=12, choices=FeesPayer.choices, default=FeesPayer.ACCOUNT)
    requirement_collection = models.CharField(
        max_length=12, choices=RequirementCollection.choices, default=RequirementCollection.STRIPE
    )
    capabilities = models.JSONField(default=dict, blank=True)
    external_accounts = models.JSONField(default=list, blank=True)
    tos_acceptance = models.JSONField(default=dict, blank=True)
    settings = models.JSONField(default=dict, blank=True)
    details_submitted = models.BooleanField(default=False)
    charges_enabled = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    requirements = models.JSONField(default=dict, blank=True)
    future_requirements = models.JSONField(default=dict, blank=True)
    # When each requirement first became due ({code: unix time}); an account that was
    # active gets a grace period from that moment before it is restricted.
    requirements_due_since = models.JSONField(default=dict, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    created = models.BigIntegerField(default=_now_unix)
    # Lists are ordered by this finer clock, so accounts made in the same second keep
    # their creation order; ``created`` is the API's whole-second timestamp.
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["platform", "-created_at", "-id"], name="account_list_idx")]

    def __str__(self) -> str:
        return self.id

    @property
    def business_name(self) -> str:
        name = self.business_profile.get("name") or self.company.get("name")
        if name:
            return str(name)
        person = self.representative
        return person.full_name if person else self.email or self.id

    @property
    def representative(self) -> Person | None:
        # Prefetch-friendly: iterate the cached relation when it was prefetched.
        for person in self.persons.all():
            if person.is_representative:
                return person
        return None


class Person(models.Model):
    """Someone behind an account; the representative holds the account's sign-in phone."""

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "person"), editable=False)
    account = models.ForeignKey(ConnectedAccount, on_delete=models.CASCADE, related_name="persons")
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    # E.164, validated with phonenumbers.
    phone = models.CharField(max_length=20, blank=True)
    dob = models.JSONField(default=dict, blank=True)
    address = models.JSONField(default=dict, blank=True)
    id_number_provided = models.BooleanField(default=False)
    ssn_last_4_provided = models.BooleanField(default=False)
    relationship = models.JSONField(default=dict, blank=True)
    verification = models.JSONField(default=dict, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    created = models.BigIntegerField(default=_now_unix)

    class Meta:
        indexes = [models.Index(fields=["phone"]), models.Index(fields=["email"])]

    def __str__(self) -> str:
        return self.full_name or self.id

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_representative(self) -> bool:
        relationship: dict[str, Any] = self.relationship
        return bool(relationship.get("representative"))

"""Forms of the console's platform pages. They bound and shape the input; the rules
(https links, origins, colors) are the service's, so the API and the console agree."""

from __future__ import annotations

from typing import Any

from django import forms

from connect_support.accounts.models import Platform

MAX_ORIGINS_TEXT = 20 * 310


class PlatformSettingsForm(forms.Form):
    business_name = forms.CharField(label="Business name", max_length=200)
    notification_banner = forms.CharField(
        label="Notification banner page",
        max_length=2000,
        required=False,
        help_text="The platform's page that hosts the notification banner. Emails link here with "
        "?stripe_account_id=acct_… appended. Live-mode account sessions need it.",
    )
    account_management = forms.CharField(label="Account management page", max_length=2000, required=False)
    support_url = forms.CharField(label="Platform's own support page", max_length=2000, required=False)
    support_email = forms.CharField(label="Platform's support email", max_length=254, required=False)
    primary_color = forms.CharField(label="Brand color", max_length=7)
    secondary_color = forms.CharField(label="Accent color", max_length=7)
    allowed_origins = forms.CharField(
        label="Allowed origins",
        max_length=MAX_ORIGINS_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text="One per line, like https://app.example.com. Only these sites may embed the components.",
    )

    def __init__(self, data: Any = None, *, platform: Platform) -> None:
        self.current = {
            "business_name": platform.display_name,
            "notification_banner": platform.notification_banner_url,
            "account_management": platform.account_management_url,
            "support_url": platform.support_url,
            "support_email": platform.support_email,
            "primary_color": platform.brand_color,
            "secondary_color": platform.accent_color,
            "allowed_origins": "\n".join(platform.allowed_origins or []),
        }
        super().__init__(data, initial=self.current)

    def as_params(self) -> dict[str, Any]:
        data = self.cleaned_data
        origins = [line.strip() for line in data["allowed_origins"].splitlines() if line.strip()]
        return {
            "branding": {
                "business_name": data["business_name"],
                "primary_color": data["primary_color"],
                "secondary_color": data["secondary_color"],
            },
            "site_links": {
                "notification_banner": data["notification_banner"],
                "account_management": data["account_management"],
            },
            "support": {"url": data["support_url"], "email": data["support_email"]},
            "allowed_origins": origins,
        }


class TestSendForm(forms.Form):
    to = forms.EmailField(label="Send a test to", max_length=254)

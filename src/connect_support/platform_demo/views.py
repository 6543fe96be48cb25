"""The demo platform's pages. Everything about accounts goes through the public API."""

from __future__ import annotations

from typing import Any, cast

import stripe
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from connect_support.accounts.eligibility import support_eligibility
from connect_support.platform_demo.keys import (
    DEMO_PLATFORMS,
    DemoPlatform,
    demo_platform,
    demo_publishable_key,
    demo_secret_key,
)


def _client(request: HttpRequest, platform: DemoPlatform) -> stripe.StripeClient:
    api_base = settings.PUBLIC_URL or request.build_absolute_uri("/").rstrip("/")
    return stripe.StripeClient(demo_secret_key(platform), base_addresses={"api": api_base}, max_network_retries=1)


class _Controller:
    def __init__(self, account: Any) -> None:
        self.dashboard_type = account.controller.stripe_dashboard.type
        self.losses_payments = account.controller.losses.payments


def _row(account: Any) -> dict[str, Any]:
    requirements = account.requirements
    profile = account.business_profile
    individual = getattr(account, "individual", None)
    name = (profile.name if profile else None) or (
        f"{individual.first_name} {individual.last_name}" if individual else account.email or account.id
    )
    return {
        "id": account.id,
        "name": name,
        "email": account.email,
        "business_type": account.business_type,
        "details_submitted": account.details_submitted,
        "charges_enabled": account.charges_enabled,
        "payouts_enabled": account.payouts_enabled,
        "currently_due": list(requirements.currently_due) if requirements else [],
        "eligibility": support_eligibility(_Controller(account)),
        "dashboard": account.controller.stripe_dashboard.type,
        "losses": account.controller.losses.payments,
    }


@require_http_methods(["GET"])
async def home(request: HttpRequest) -> HttpResponse:
    platform = demo_platform(request.GET.get("platform", ""))
    context: dict[str, Any] = {
        "platform": platform,
        "platforms": DEMO_PLATFORMS,
        "created": request.GET.get("created", ""),
        "error": request.GET.get("error", ""),
    }
    try:
        page = await _client(request, platform).v1.accounts.list_async(params={"limit": 100})
        context["accounts"] = [_row(account) for account in page.data]
    except stripe.StripeError as exc:
        context["accounts"] = []
        context["api_error"] = exc.user_message or str(exc)
    return render(request, "platform_demo/home.html", context)


@require_http_methods(["GET"])
async def seller_settings(request: HttpRequest, platform_slug: str, account_id: str) -> HttpResponse:
    """The platform's "seller settings" page: the banner, then onboarding or account
    management, embedded with connect.js. The page keeps no secret: the client secret is
    minted per page view by :func:`account_session` below."""
    platform = demo_platform(platform_slug)
    if platform.slug != platform_slug:
        raise Http404("No such demo platform.")
    try:
        account = await _client(request, platform).v1.accounts.retrieve_async(account_id)
    except stripe.InvalidRequestError as exc:
        raise Http404("No such seller.") from exc
    except stripe.StripeError as exc:
        return render(
            request, "platform_demo/seller.html", {"platform": platform, "api_error": exc.user_message or str(exc)}
        )
    requested = request.GET.get("overlays", "dialog")
    overlays = requested if requested in {"dialog", "drawer"} else "dialog"
    row = _row(account)
    config = {
        "publishableKey": demo_publishable_key(platform),
        "accountSessionUrl": reverse("demo-account-session", args=[platform.slug, account.id]),
        "connectUrl": reverse("connect-js"),
        "component": "account_management" if account.details_submitted else "account_onboarding",
        "appearance": {
            "overlays": overlays,
            "variables": {"colorPrimary": _BRAND[platform.slug], "borderRadius": "10px"},
        },
    }
    response = render(
        request,
        "platform_demo/seller.html",
        {
            "platform": platform,
            "platforms": DEMO_PLATFORMS,
            "account": row,
            "brand": _BRAND[platform.slug],
            "config": config,
            "overlays": overlays,
        },
    )
    # The authentication popup must keep its opener to report back (docs/embedding.md).
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin-allow-popups"
    return response


_BRAND = {"juniper": "#0f766e", "ledgerly": "#6d28d9"}


@require_POST
async def account_session(request: HttpRequest, platform_slug: str, account_id: str) -> JsonResponse:
    """The platform's server side: one account session per page view, through the API.

    A real platform takes the account from its own signed-in user; the demo takes it from
    the address, as if the visitor had signed in as that seller."""
    platform = demo_platform(platform_slug)
    try:
        session = await _client(request, platform).v1.account_sessions.create_async(
            params={
                "account": account_id,
                "components": {
                    "account_onboarding": {"enabled": True},
                    "account_management": {"enabled": True},
                    "notification_banner": {"enabled": True},
                },
            }
        )
    except stripe.StripeError as exc:
        return JsonResponse({"error": exc.user_message or str(exc)}, status=502)
    response = JsonResponse({"client_secret": session.client_secret})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
async def create_account(request: HttpRequest) -> HttpResponse:
    platform = demo_platform(request.POST.get("platform", ""))
    first_name, _, last_name = request.POST.get("owner", "").strip().partition(" ")
    params: dict[str, Any] = {
        "email": request.POST.get("email", ""),
        "country": request.POST.get("country", "US"),
        "business_type": "individual",
        "business_profile": {"name": request.POST.get("business_name", "")},
        "controller": {
            "stripe_dashboard": {"type": request.POST.get("dashboard", "none")},
            "losses": {"payments": request.POST.get("losses", "stripe")},
            "fees": {"payer": "application" if request.POST.get("dashboard") != "full" else "account"},
            "requirement_collection": "stripe",
        },
        "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}},
        "individual": {
            "first_name": first_name,
            "last_name": last_name,
            "email": request.POST.get("email", ""),
            "phone": request.POST.get("phone", ""),
        },
    }
    target = reverse("demo-home") + f"?platform={platform.slug}"
    try:
        # Built from a form; the API validates it and answers with a clear error.
        account = await _client(request, platform).v1.accounts.create_async(params=cast("Any", params))
    except stripe.StripeError as exc:
        message = exc.user_message or str(exc)
        return HttpResponseRedirect(f"{target}&error={_quote(message)}")
    return HttpResponseRedirect(f"{target}&created={account.id}")


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text[:300])

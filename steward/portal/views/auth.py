"""Signing in to the portal: the password form (handled by the shared login view) and the
sign-in link by mail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from steward.core.branding import branding
from steward.portal.forms import LinkRequestForm
from steward.portal.services import signin_links
from steward.web.forms import LoginForm
from steward.web.views_auth import LoginView

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


class PortalLoginView(LoginView):
    """The shared password sign-in (lock-outs, second factor) on the portal's branded page,
    beside the form that asks for a sign-in link."""

    template_name = "portal/login.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("link_form", LinkRequestForm())
        return {
            "brand": branding(),
            **context,
            "next": context.get("next") or reverse("portal:home"),
        }


def _login_page(request: HttpRequest, status: int = 200, **context: Any) -> HttpResponse:
    base = {
        "brand": branding(),
        "form": LoginForm(request),
        "link_form": LinkRequestForm(),
        "next": reverse("portal:home"),
    }
    return render(request, "portal/login.html", {**base, **context}, status=status)


@never_cache
@require_POST
def link_request(request: HttpRequest) -> HttpResponse:
    """Mail a sign-in link. The answer is the same whether the address has an account or not;
    only a malformed address or too many requests answer differently, for any address."""
    form = LinkRequestForm(request.POST)
    if not form.is_valid():
        return _login_page(request, status=400, link_form=form)
    address, now = form.cleaned_data["email"], timezone.now()
    wait = signin_links.rate_limited(address, _client_ip(request), now)
    if wait:
        minutes = max(1, round(wait / 60))
        plural = "s" if minutes > 1 else ""
        problem = f"Too many sign-in links were asked for. Try again in {minutes} minute{plural}."
        response = _login_page(request, status=429, link_form=form, link_problem=problem)
        response["Retry-After"] = str(wait)
        return response
    signin_links.send_signin_links(address, now)
    return render(request, "portal/link_sent.html", {"brand": branding(), "address": address})


@never_cache
def link_signin(request: HttpRequest) -> HttpResponse:
    """GET shows a button; only its POST signs in, so a mail scanner that follows the link
    does not use it up."""
    token = request.POST.get("token") or request.GET.get("token") or ""
    now = timezone.now()
    try:
        user = signin_links.user_from_link_token(token, now)
    except signin_links.LinkError as exc:
        context = {"brand": branding(), "reason": str(exc)}
        return render(request, "portal/link_invalid.html", context, status=400)
    if request.method != "POST":
        return render(request, "portal/link_confirm.html", {"brand": branding(), "token": token})
    login(request, user, backend=BACKEND)  # moves last_login: the link is used up
    return HttpResponseRedirect(reverse("portal:home"))

"""Signing in: the password step, the lock-out page and the authenticator-code step."""

from __future__ import annotations

import math
from typing import Any

import django_otp
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from steward.tenancy.choices import Role
from steward.web.forms import LoginForm, VerifyCodeForm
from steward.web.otp import has_confirmed_device


class LoginView(auth_views.LoginView):
    """Password step. When the user has an authenticator, the OTP gate takes over next."""

    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        """Client contacts land on the client portal; staff on the dashboard."""
        if getattr(self.request.user, "role", None) == Role.CLIENT_CONTACT:
            return reverse("portal:home")
        return str(super().get_default_redirect_url())


def lockout(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' lock-out answer: say plainly how long until the next try (HTTP 429)."""
    cool_off = get_cool_off(request)
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else None
    context = {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "web/lockout.html", context, status=429)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return str(resolve_url(settings.LOGIN_REDIRECT_URL))


@sensitive_post_parameters("otp_token")
@never_cache
@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The code step: django-otp's token form checks the code against the user's device and,
    on success, marks the session as verified by that device."""
    user: Any = request.user
    if user.is_verified() or not has_confirmed_device(user):
        return HttpResponseRedirect(_safe_next(request))
    form = VerifyCodeForm(user, request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        django_otp.login(request, user.otp_device)
        return HttpResponseRedirect(_safe_next(request))
    return render(request, "web/otp_verify.html", {"form": form, "next": _safe_next(request)})

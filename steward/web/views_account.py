"""The signed-in user's own account: password, API tokens, two-factor sign-in."""

from __future__ import annotations

from typing import Any

import django_otp
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from steward.tenancy import services as tenancy_services
from steward.tenancy.models import ApiToken, User
from steward.tenancy.roles import CHANGE_USERS, STAFF_ROLES
from steward.web import services
from steward.web.forms import EnrolCodeForm, TokenCreateForm
from steward.web.navigation import may
from steward.web.otp import confirmed_device, grouped_secret, pending_device, qr_svg


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    context = {
        "nav_active": "account",
        "device": confirmed_device(user),
        "is_staff_role": user.role in STAFF_ROLES,
        "token_count": user.api_tokens.filter(revoked_at__isnull=True).count(),
    }
    return render(request, "web/account/account.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's own view: checks the old password, validates the new one, keeps the session."""

    template_name = "web/account/password_change.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form: Any) -> HttpResponse:
        messages.success(self.request, "Your password has been changed.")
        return super().form_valid(form)


# --- API tokens ---------------------------------------------------------------------------------


def _manageable_tokens(user: Any) -> QuerySet[ApiToken]:
    """Own tokens; owners and admins also those of every user they can see."""
    tokens = ApiToken.objects.select_related("user")
    if may(user, CHANGE_USERS):
        return tokens.filter(user__in=User.objects.visible_to(user))
    return tokens.filter(user=user)


@sensitive_post_parameters()
@never_cache
@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """List tokens; creating one shows its plain value on this response only."""
    user: Any = request.user
    form = TokenCreateForm(request.POST or None)
    plain = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, plain = tenancy_services.create_token(
                user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at(),
            )
        except ValidationError as exc:
            _add_errors(form, exc, {"expires_at": "expires_on"})
        else:
            form = TokenCreateForm()
    show_all = may(user, CHANGE_USERS) and request.GET.get("all") == "1"
    listed = _manageable_tokens(user) if show_all else user.api_tokens.select_related("user")
    context = {
        "nav_active": "account",
        "form": form,
        "plain": plain,
        "tokens": listed.order_by("-created_at"),
        "show_all": show_all,
        "may_see_all": may(user, CHANGE_USERS),
    }
    return render(request, "web/account/tokens.html", context)


def _add_errors(form: Any, exc: ValidationError, rename: dict[str, str] | None = None) -> None:
    """Attach a service's ValidationError to the form, under the form's own field names."""
    rename = rename or {}
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            name = rename.get(field, field)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    """GET asks for confirmation, POST revokes. Tokens the user may not manage are a 404."""
    token = get_object_or_404(_manageable_tokens(request.user), pk=token_id)
    tenancy_services.may_manage_tokens_of(request.user, token.user)  # type: ignore[arg-type]
    if request.method == "POST":
        tenancy_services.revoke_token(token)
        messages.success(request, f"Token “{token.name}” has been revoked.")
        return HttpResponseRedirect(reverse("tokens"))
    return render(request, "web/account/token_revoke.html", {"token": token})


# --- Two-factor sign-in -------------------------------------------------------------------------


def _staff_only(user: Any) -> None:
    if user.role not in STAFF_ROLES:
        raise PermissionDenied("two-factor sign-in is for MSP staff")


@never_cache
@login_required
def otp_settings(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    _staff_only(user)
    context = {
        "nav_active": "account",
        "device": confirmed_device(user),
        "pending": pending_device(user),
        "remove_form": EnrolCodeForm(),
    }
    return render(request, "web/account/otp_settings.html", context)


@sensitive_post_parameters("code")
@never_cache
@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """POST ``start`` makes a new secret; GET shows it as a QR code; POST ``code`` confirms."""
    user: Any = request.user
    _staff_only(user)
    if request.method == "POST" and "start" in request.POST:
        services.start_totp_enrolment(user)
        return HttpResponseRedirect(reverse("otp_setup"))
    device = pending_device(user)
    if device is None:
        return HttpResponseRedirect(reverse("otp_settings"))
    form = EnrolCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            confirmed = services.confirm_totp_enrolment(device, form.cleaned_data["code"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            # This session proved the code just now: count it as verified.
            django_otp.login(request, confirmed)
            messages.success(request, "Two-factor sign-in is on. You will be asked for a code.")
            return HttpResponseRedirect(reverse("otp_settings"))
    context = {
        "nav_active": "account",
        "form": form,
        "qr": qr_svg(device),
        "secret": grouped_secret(device),
    }
    return render(request, "web/account/otp_setup.html", context)


@sensitive_post_parameters("code")
@login_required
@require_POST
def otp_remove(request: HttpRequest) -> HttpResponse:
    """Turning the second factor off asks for a current code, so a walk-up session cannot."""
    user: Any = request.user
    _staff_only(user)
    device = confirmed_device(user)
    form = EnrolCodeForm(request.POST)
    if device is None:
        return HttpResponseRedirect(reverse("otp_settings"))
    if form.is_valid() and device.verify_token(form.cleaned_data["code"]):
        services.remove_totp(user)
        messages.success(request, "Two-factor sign-in is off for your account.")
        return HttpResponseRedirect(reverse("otp_settings"))
    messages.error(request, "That code is not right; two-factor sign-in is still on.")
    return HttpResponseRedirect(reverse("otp_settings"))

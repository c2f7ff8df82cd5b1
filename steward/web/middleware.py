"""The second-factor gate: a session signed in by password only reaches the code step."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

from steward.web.otp import has_confirmed_device

# Paths an unverified session may still reach: the code step itself and signing out.
_OPEN_URL_NAMES = ("otp_verify", "logout", "login")


class OTPRequiredMiddleware:
    """Sends a signed-in user with a confirmed authenticator, whose session has not yet passed
    the code step, to that step; the API answers 403 instead of redirecting."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._needs_code(request):
            return self._refuse(request)
        return self.get_response(request)

    def _needs_code(self, request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if user.is_verified():
            return False
        if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return False
        if request.path in {reverse(name) for name in _OPEN_URL_NAMES}:
            return False
        return has_confirmed_device(user)

    def _refuse(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": "enter your authenticator code first"}, status=403)
        target = f"{reverse('otp_verify')}?{urlencode({'next': request.get_full_path()})}"
        # django-htmx's middleware runs later, so read htmx's request header directly.
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)

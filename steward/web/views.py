from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from steward.tenancy.models import Client


@login_required
def home(request: HttpRequest) -> HttpResponse:
    clients = Client.objects.visible_to(request.user)
    return render(request, "web/home.html", {"clients": clients})

"""Channels: list, create, edit (the URL is write-only), delete, send a test message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from steward.notify import config
from steward.notify.forms import ChannelForm
from steward.notify.models import Channel
from steward.notify.views.common import add_errors, page, require_configure, require_staff, visible


@login_required
def channel_list(request: HttpRequest) -> HttpResponse:
    require_staff(request)
    rows = Channel.objects.visible_to(request.user).select_related("client")
    return page(request, "notify/channel_list.html", rows=rows.order_by("client__name", "name"))


def _form_page(request: HttpRequest, channel: Channel | None) -> HttpResponse:
    require_configure(request)
    form = ChannelForm(request.POST or None, user=request.user, editing=channel)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if channel is None:
                channel = config.create_channel(data.get("client"), data["name"], data["url"],
                                                data["enabled"])  # fmt: skip
            else:
                config.update_channel(channel, data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Saved channel {channel.name}.")
            return HttpResponseRedirect(reverse("notify:channels"))
    elif channel is not None and request.method != "POST":
        form = ChannelForm(initial={"name": channel.name, "enabled": channel.enabled},
                           user=request.user, editing=channel)  # fmt: skip
    title = f"Channel {channel.name}" if channel else "New channel"
    return page(request, "notify/form.html", form=form, title=title,
                cancel=reverse("notify:channels"), section="Channels",
                section_url=reverse("notify:channels"))  # fmt: skip


@login_required
def channel_create(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@login_required
def channel_edit(request: HttpRequest, channel_id: int) -> HttpResponse:
    return _form_page(request, visible(Channel, request, channel_id))


@login_required
@require_POST
def channel_delete(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = visible(Channel, request, channel_id)
    require_configure(request)
    config.delete_channel(channel)
    messages.success(request, f"Deleted channel {channel.name}.")
    return HttpResponseRedirect(reverse("notify:channels"))


@login_required
@require_POST
def channel_test(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = visible(Channel, request, channel_id)
    require_configure(request)
    problem = config.test_channel(channel)
    if getattr(request, "htmx", False):
        return page(request, "notify/_test_result.html", problem=problem, channel=channel)
    if problem:
        messages.error(request, f"The test to {channel.name} failed: {problem}")
    else:
        messages.success(request, f"A test message went to {channel.name}.")
    return HttpResponseRedirect(reverse("notify:channels"))

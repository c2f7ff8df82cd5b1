"""Policies: which events reach whom, MSP-wide or per client, with quiet hours."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from steward.notify import config
from steward.notify.forms import PolicyForm, policy_initial
from steward.notify.models import Policy
from steward.notify.views.common import add_errors, page, require_configure, require_staff, visible
from steward.tenancy.models import Client


@login_required
def policy_list(request: HttpRequest) -> HttpResponse:
    require_staff(request)
    rows = (
        Policy.objects.visible_to(request.user)
        .select_related("client")
        .prefetch_related("channels", "users", "named_contacts")
        .order_by("client__name", "name", "pk")
    )
    return page(request, "notify/policy_list.html", rows=rows)


def _client(request: HttpRequest) -> Client | None:
    """The client a new policy is for: ?client=<id> among those the user sees."""
    raw = request.POST.get("client") or request.GET.get("client") or ""
    if not (raw.isascii() and raw.isdigit()):
        return None
    return Client.objects.visible_to(request.user).filter(pk=int(raw)).first()


def _form_page(request: HttpRequest, policy: Policy | None) -> HttpResponse:
    require_configure(request)
    creating = policy is None
    client = _client(request) if policy is None else policy.client
    form = PolicyForm(request.POST or None, user=request.user, client=client, creating=creating,
                      initial=policy_initial(policy) if policy else {"client": client})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        row = policy or Policy(client=data.get("client"))
        try:
            config.save_policy(row, data, data["named_contacts"], data["users"], data["channels"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Saved policy {row.name}.")
            return HttpResponseRedirect(reverse("notify:policies"))
    title = f"Policy {policy.name}" if policy else "New policy"
    return page(request, "notify/form.html", form=form, title=title,
                cancel=reverse("notify:policies"), section="Policies",
                section_url=reverse("notify:policies"))  # fmt: skip


@login_required
def policy_create(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@login_required
def policy_edit(request: HttpRequest, policy_id: int) -> HttpResponse:
    return _form_page(request, visible(Policy, request, policy_id))


@login_required
@require_POST
def policy_delete(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = visible(Policy, request, policy_id)
    require_configure(request)
    config.delete_policy(policy)
    messages.success(request, f"Deleted policy {policy.name}.")
    return HttpResponseRedirect(reverse("notify:policies"))

"""The alert rule editor of a client: the default rules with their values, and the client's
and its assets' overrides (created, changed and deleted through ``services.alert_rules``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from steward.monitoring.forms import RuleOverrideForm
from steward.monitoring.models import AlertRule, Asset
from steward.monitoring.rules.defaults import DEFAULT_RULES
from steward.monitoring.rules.model import Rule
from steward.monitoring.services import alert_rules
from steward.monitoring.views.common import (
    add_errors,
    page,
    require_configure,
    visible,
    visible_client,
)
from steward.tenancy.models import Client


def default_rules() -> list[tuple[Rule, list[str]]]:
    """Each default rule once, with the asset kinds that have it (the first kind's values)."""
    found: dict[str, tuple[Rule, list[str]]] = {}
    for kind, rules in DEFAULT_RULES.items():
        for rule in rules:
            found.setdefault(rule.id, (rule, []))[1].append(kind)
    return sorted(found.values(), key=lambda pair: pair[0].id)


@login_required
def rule_list(request: HttpRequest, client_id: int) -> HttpResponse:
    client = visible_client(request, client_id)
    rows = (
        AlertRule.objects.visible_to(request.user)
        .filter(client=client)
        .select_related("asset")
        .order_by("rule_id", "asset__name", "pk")
    )
    return page(
        request, "monitoring/rule_list.html", client=client, rows=rows, defaults=default_rules()
    )


def _assets(request: HttpRequest, client: Client) -> Any:
    return Asset.objects.visible_to(request.user).filter(client=client).order_by("name")


def _rule_form(request: HttpRequest, client: Client, row: AlertRule | None) -> HttpResponse:
    require_configure(request)
    data = request.POST if request.method == "POST" else None
    initial = RuleOverrideForm.initial_of(row) if row else {"rule_id": request.GET.get("rule")}
    form = RuleOverrideForm(data, initial=initial, assets=_assets(request, client))
    if data is not None and form.is_valid():
        values = form.values()
        values["severity"] = values["severity"] or ""
        try:
            if row is None:
                asset = values.pop("asset")
                alert_rules.create_rule(client, asset, **values)
            else:
                alert_rules.update_rule(row, values)
        except ValidationError as exc:
            add_errors(form, exc, {"asset_id": "asset"})
        else:
            messages.success(request, f"Saved the override of {values['rule_id']}.")
            return HttpResponseRedirect(reverse("monitoring:rules", args=[client.pk]))
    return page(
        request,
        "monitoring/rule_form.html",
        400 if form.errors else 200,
        form=form,
        client=client,
        title=f"Override {row.rule_id}" if row else "New rule override",
        cancel=reverse("monitoring:rules", args=[client.pk]),
    )


@login_required
def rule_create(request: HttpRequest, client_id: int) -> HttpResponse:
    return _rule_form(request, visible_client(request, client_id), None)


def _client_row(request: HttpRequest, alert_rule_id: int) -> tuple[AlertRule, Client]:
    row = visible(AlertRule, request, alert_rule_id)
    if row.client is None:
        raise Http404("global overrides are edited in the admin")
    return row, row.client


@login_required
def rule_edit(request: HttpRequest, alert_rule_id: int) -> HttpResponse:
    row, client = _client_row(request, alert_rule_id)
    if row.is_extra:
        raise Http404("extra rules are edited through the API")
    return _rule_form(request, client, row)


@login_required
@require_POST
def rule_delete(request: HttpRequest, alert_rule_id: int) -> HttpResponse:
    row, client = _client_row(request, alert_rule_id)
    require_configure(request)
    alert_rules.delete_rule(row)
    messages.success(request, f"Deleted the override of {row.rule_id}.")
    return HttpResponseRedirect(reverse("monitoring:rules", args=[client.pk]))


urlpatterns = [
    path("clients/<int:client_id>/rules/", rule_list, name="rules"),
    path("clients/<int:client_id>/rules/new/", rule_create, name="rule_create"),
    path("rules/<int:alert_rule_id>/edit/", rule_edit, name="rule_edit"),
    path("rules/<int:alert_rule_id>/delete/", rule_delete, name="rule_delete"),
]

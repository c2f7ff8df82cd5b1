"""Web pages: the portfolio (clients by areas), a client's scorecard, one obligation's evidence."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from steward.obligations import services
from steward.obligations.choices import Category, Status, category_number
from steward.obligations.evaluation import evaluate_all
from steward.obligations.forms import ObligationForm
from steward.obligations.models import Obligation
from steward.obligations.periods import Period, PeriodError
from steward.obligations.registry import registry
from steward.obligations.scorecard import client_scorecard, portfolio
from steward.tenancy.models import Client
from steward.tenancy.roles import CHANGE_CLIENTS

# Short column heads for the portfolio grid; the full label is the header's title.
SHORT_AREA_NAMES = (
    "Service delivery", "Proactive", "Security", "Reporting", "Resources", "Agreements",
    "Improvement", "Alignment",
)  # fmt: skip
AREAS = [
    (category_number(value), value, label, short)
    for (value, label), short in zip(Category.choices, SHORT_AREA_NAMES, strict=True)
]


def _period(request: HttpRequest, tz: str) -> tuple[Period, str]:
    """The ``period`` query parameter (YYYY-MM or YYYY-Qn), else the current month in ``tz``;
    a bad value falls back to the current month with the reason shown on the page."""
    text = request.GET.get("period", "").strip()
    current = Period.at(timezone.now(), tz)
    if not text:
        return current, ""
    try:
        return Period.parse(text), ""
    except PeriodError as exc:
        return current, f"period: {exc}"


def _picker(period: Period) -> dict[str, Any]:
    return {
        "period": period,
        "previous_period": period.previous(),
        "next_period": period.next(),
        "month_value": period.as_kind("monthly").key,
    }


def _may_change(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_superuser or user.has_role_permission(CHANGE_CLIENTS))


@login_required
def portfolio_view(request: HttpRequest) -> HttpResponse:
    period, error = _period(request, "UTC")
    clients = Client.objects.visible_to(request.user).order_by("name", "pk")
    rows = portfolio(clients, period)
    counts = {s: sum(1 for r in rows if r.worst == s) for s in Status.values}
    context = {"rows": rows, "areas": AREAS, "period_error": error, "counts": counts}
    context |= {"statuses": Status, "nav_active": "scorecards", **_picker(period)}
    return render(request, "obligations/portfolio.html", context)


@login_required
def scorecard_view(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_object_or_404(Client.objects.visible_to(request.user), pk=client_id)
    period, error = _period(request, client.timezone)
    card = client_scorecard(client, period)
    context = {"card": card, "client": client, "period_error": error, **_picker(period)}
    context |= {"nav_active": "scorecards", "may_change": _may_change(request)}
    context["has_obligations"] = any(area.lines for area in card.areas)
    return render(request, "obligations/scorecard.html", context)


@login_required
def obligation_view(request: HttpRequest, obligation_id: int) -> HttpResponse:
    obligation = get_object_or_404(
        Obligation.objects.visible_to(request.user).select_related("client", "vendor_program"),
        pk=obligation_id,
    )
    period, error = _period(request, obligation.timezone)
    chosen = obligation.period_for(period)
    history = list(obligation.evaluations.order_by("-period_start")[:24])
    unit = registry.get(obligation.measure_key).unit if obligation.measure_key in registry else ""
    terms = SimpleNamespace(unit=unit, comparator=obligation.comparator)
    selected = next((e for e in history if e.period == chosen.key), None)
    context = {
        "obligation": obligation,
        "chosen": chosen,
        "selected": selected,
        "history": history,
        "terms": terms,
        "period_error": error,
        "may_change": _may_change(request),
        "nav_active": "scorecards",
        **_picker(period),
    }
    return render(request, "obligations/obligation.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def obligation_edit(request: HttpRequest, obligation_id: int) -> HttpResponse:
    obligation = get_object_or_404(Obligation.objects.visible_to(request.user), pk=obligation_id)
    if not _may_change(request):
        raise PermissionDenied("your role does not allow changing obligations")
    form = ObligationForm(request.POST or None, instance=obligation)
    if request.method == "POST" and form.is_valid():
        services.update_obligation(obligation, form.cleaned_data)
        messages.success(request, "Obligation saved. Results of closed periods keep their target.")
        return redirect("obligations:obligation", obligation_id=obligation.pk)
    context = {"obligation": obligation, "form": form, "nav_active": "scorecards"}
    return render(request, "obligations/obligation_edit.html", context)


def _client_to_change(request: HttpRequest, client_id: int) -> Client:
    client = get_object_or_404(Client.objects.visible_to(request.user), pk=client_id)
    if not _may_change(request):
        raise PermissionDenied("your role does not allow changing obligations")
    return client


@login_required
@require_http_methods(["POST"])
def scorecard_defaults(request: HttpRequest, client_id: int) -> HttpResponse:
    """Add the default obligation set to the client (what it already has is skipped)."""
    client = _client_to_change(request, client_id)
    created = services.create_default_obligations(client)
    messages.success(request, f"{len(created)} default obligation(s) added.")
    return redirect("obligations:scorecard", client_id=client.pk)


@login_required
@require_http_methods(["POST"])
def scorecard_evaluate(request: HttpRequest, client_id: int) -> HttpResponse:
    """Evaluate the client's obligations for the posted period now (final results are kept)."""
    client = _client_to_change(request, client_id)
    try:
        period = Period.parse(request.POST.get("period", ""))
    except PeriodError as exc:
        messages.error(request, f"period: {exc}")
        return redirect("obligations:scorecard", client_id=client.pk)
    run = evaluate_all(period, timezone.now(), clients=[client])
    messages.success(
        request,
        f"{period.label}: {run.created + run.updated} result(s) computed, "
        f"{run.kept} kept (closed and final).",
    )
    return redirect(f"{reverse('obligations:scorecard', args=[client.pk])}?period={period.key}")

"""Alerts under /api/v1/: the webhooks other tools post to (their own ``swh_`` token, bound to
one client), and the user routes: list, read with history, acknowledge. Maintenance windows,
rule overrides and webhook sources are in ``alert_config``."""

import json
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Query, Router
from ninja.pagination import LimitOffsetPagination, paginate

from steward.api.params import ObjectId
from steward.monitoring.api import alert_config
from steward.monitoring.api.alert_schemas import (
    AcknowledgeIn,
    AlertDetail,
    AlertFilters,
    AlertOut,
    IntakeOut,
)
from steward.monitoring.api.common import reader, staff_writer, visible
from steward.monitoring.intake.model import IntakeError
from steward.monitoring.models import Alert
from steward.monitoring.services import alert_intake, alert_state

router = Router(tags=["alerts"])
router.add_router("", alert_config.router)

MAX_BODY = 10 * 1024 * 1024
WEBHOOK_DOC = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


def _webhook(request: HttpRequest, kind: str) -> HttpResponse:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    source = alert_intake.authenticate_source(token.strip()) if scheme.lower() == "bearer" else None
    if source is None:
        answer = JsonResponse(
            {"detail": "a valid webhook source token is required (Authorization: Bearer swh_…)"},
            status=401,
        )
        answer["WWW-Authenticate"] = "Bearer"
        return answer
    if len(request.body) > MAX_BODY:
        return JsonResponse({"detail": f"body: larger than {MAX_BODY} bytes"}, status=413)
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as error:
        return JsonResponse({"detail": f"body: not JSON ({error})"}, status=422)
    try:
        result = alert_intake.receive(source, kind, payload, timezone.now())
    except IntakeError as error:
        return JsonResponse({"detail": str(error)}, status=422)
    errors = [{"loc": e.field, "msg": e.reason} for e in result.errors]
    return JsonResponse({"accepted": result.accepted, "errors": errors})


@router.post(
    "/alerts/alertmanager",
    auth=None,
    response=IntakeOut,
    openapi_extra=WEBHOOK_DOC,
    summary="Alertmanager webhook (payload version 4)",
)
def alertmanager_webhook(request: HttpRequest) -> HttpResponse:
    return _webhook(request, "alertmanager")


@router.post(
    "/alerts/webhook",
    auth=None,
    response=IntakeOut,
    openapi_extra=WEBHOOK_DOC,
    summary="Generic JSON webhook (one alert or an array)",
)
def generic_webhook(request: HttpRequest) -> HttpResponse:
    return _webhook(request, "generic")


@router.get("/alerts", response=list[AlertOut])
@paginate(LimitOffsetPagination)
def list_alerts(request: HttpRequest, filters: Query[AlertFilters]) -> QuerySet[Alert]:
    """Alerts, the latest change first. ``state``: ok, pending or firing."""
    alerts = Alert.objects.visible_to(reader(request).user)
    wanted: dict[str, Any] = {
        "client_id": filters.client_id,
        "asset_id": filters.asset_id,
        "phase": filters.state,
        "severity": filters.severity,
    }
    return alerts.filter(**{k: v for k, v in wanted.items() if v is not None}).order_by(
        "-updated_at", "-pk"
    )


@router.get("/alerts/{alert_id}", response=AlertDetail)
def get_alert(request: HttpRequest, alert_id: ObjectId) -> Alert:
    alert = visible(Alert, reader(request), alert_id)
    return _detail(alert)


@router.post("/alerts/{alert_id}/acknowledge", response=AlertDetail)
def acknowledge_alert(request: HttpRequest, alert_id: ObjectId, payload: AcknowledgeIn) -> Alert:
    """Say that someone is on it; the note joins the alert's history."""
    who = staff_writer(request)
    alert = visible(Alert, who, alert_id)
    alert_state.acknowledge(alert, who.user, payload.note, timezone.now())
    return _detail(alert)


def _detail(alert: Alert) -> Alert:
    # The schema reads ``events`` through the relation (ordered by time, see AlertEvent.Meta).
    return alert

"""Told transitions become tickets: a firing alert opens (or notes) the incident of its
reference ``alert:<id>``, a resolved one notes it and resolves it when nobody worked it
(``servicedesk.services.alerts``). Titles say what is wrong in words a client understands."""

from __future__ import annotations

from collections.abc import Mapping

from steward.monitoring.models import Alert
from steward.monitoring.rules.model import Forecast, Rule, Transition, TransitionKind
from steward.monitoring.rules.priority import ticket_priority
from steward.servicedesk.services.alerts import AlertNotice, open_from_alert, resolve_from_alert

DAY = 86_400


def tell(alert: Alert, found: Transition, title: str, description: str = "") -> None:
    """Open or resolve the alert's ticket for a told transition. Severity ``info`` opens no
    ticket (the alert is shown only)."""
    asset = alert.asset
    notice = AlertNotice(
        client=alert.client,
        reference=alert.reference,
        summary=title,
        at=found.at,
        priority=ticket_priority(found.severity),
        description=description or found.reason,
        asset_reference=f"asset:{asset.pk}" if asset is not None else "",
        site=asset.site if asset is not None else None,
    )
    if found.kind is TransitionKind.FIRING:
        if notice.priority is None:
            return
        ticket, _new = open_from_alert(notice)
        alert.ticket = ticket
    elif found.kind is TransitionKind.RESOLVED:
        resolve_from_alert(notice, auto_resolve=True)


def subject(metric: str, labels: Mapping[str, str], asset_name: str) -> str:
    """What the alert is about: ``Disk / on web-01``, ``cpu_usage_percent on web-01``."""
    if metric == "disk_used_percent" and "mount" in labels:
        what = f"Disk {labels['mount']}"
    elif labels:
        inner = ", ".join(f"{k}={v}" for k, v in sorted(labels.items()))
        what = f"{metric}{{{inner}}}"
    else:
        what = metric
    return f"{what} on {asset_name}" if asset_name else what


def title(about: str, rule: Rule, found: Transition, fit: Forecast | None) -> str:
    """The alert's (and its ticket's) title for one transition."""
    fit = found.forecast or fit
    crossing = fit.crossing_at if fit is not None else None
    if found.kind is TransitionKind.FIRING and crossing is not None:
        days = max(1, round((crossing - found.at).total_seconds() / DAY))
        full = rule.threshold >= 100 and rule.comparison.upward
        what = "full" if full else f"reaches {rule.threshold:g}"
        return f"{about}: {what} in about {days} day{'s' if days != 1 else ''}"
    metric = rule.selector.metric
    if found.reason.startswith(metric) and about.startswith(f"{metric} on "):
        # The reason names the metric already: "web-01: cpu_usage_percent = 97 > 90 for 600 s".
        return f"{about.removeprefix(f'{metric} on ')}: {found.reason}"
    return f"{about}: {found.reason}"

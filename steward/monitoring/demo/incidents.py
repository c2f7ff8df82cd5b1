"""Forecast incidents of the demo: a data disk filled up, the forecast rule fired and opened a
ticket, a technician cleaned up before the predicted crossing, the alert resolved.

The alert, its history and its ticket are written by the same code the alert job uses
(``alert_state.record``, which opens and resolves tickets through the service desk's verbs),
with the forecast the rule engine would have fitted to the seeded disk curve.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from random import Random

from steward.monitoring.choices import AlertSource
from steward.monitoring.demo.fleet import Episode
from steward.monitoring.models import Alert, Asset
from steward.monitoring.rules.defaults import DISK_FORECAST
from steward.monitoring.rules.describe import reason, rule_summary
from steward.monitoring.rules.model import (
    AlertState,
    Forecast,
    Phase,
    Transition,
    TransitionKind,
    dedup_key,
)
from steward.monitoring.services import alert_state, alert_tickets
from steward.servicedesk.choices import Status
from steward.servicedesk.models import Ticket
from steward.servicedesk.services.tickets import assign, change_status, reply
from steward.tenancy.models import User

RULE = DISK_FORECAST
# The 24 h trend stands out of the noise some hours into the fill-up.
FIRES_AFTER = timedelta(hours=8)
WORK_NOTES = (
    "Old backup archives in /srv/backups/tmp were never rotated; removed them and added a "
    "rotation job.",
    "Application logs under /srv/app/logs had grown without limit; compressed and rotated.",
    "A failed export had left a 40 GB dump in /srv/export; removed it and told the client.",
)


def seed_episode(
    asset: Asset, series_id: int, episode: Episode, technician: User | None, rng: Random
) -> Alert:
    """One fill-up of ``series_id``'s disk: fired, ticket worked and resolved before the
    crossing, alert resolved after the cleanup. Two episodes of one disk share the alert row
    (one row per dedup key), as the job keeps it."""
    identity = f"series:{series_id}"
    key = dedup_key(RULE.id, identity)
    alert = Alert.objects.filter(key=key).first() or Alert.objects.create(
        client_id=asset.client_id, asset=asset, series_id=series_id, source=AlertSource.RULE,
        rule_id=RULE.id, key=key, identity=identity, severity=RULE.severity.value,
        labels={"mount": "/srv"}, created_at=episode.ramp_from,
    )  # fmt: skip
    fired = episode.ramp_from + FIRES_AFTER
    value_now = episode.base + episode.slope_per_s * FIRES_AFTER.total_seconds()
    crossing = fired + timedelta(seconds=(RULE.threshold - value_now) / episode.slope_per_s)
    fit = Forecast(fired, episode.slope_per_s, value_now, crossing, 288, 86_400.0)
    about = alert_tickets.subject("disk_used_percent", {"mount": "/srv"}, asset.name)
    _record(alert, _transition(key, TransitionKind.FIRING, fired, value_now, fit), about, fit)
    ticket = alert.ticket
    if ticket is not None:
        _work(ticket, episode, technician, rng)
    recovered = episode.fixed_at + timedelta(hours=rng.randint(3, 8))
    after = episode.base - 8
    _record(alert, _transition(key, TransitionKind.RESOLVED, recovered, after, None), about, None)
    alert_state.put_state(
        alert,
        AlertState(key, phase=Phase.OK, evaluated_at=recovered, notified=Phase.OK,
                   changes=(fired, recovered), value=after),
    )  # fmt: skip
    alert.updated_at = recovered
    alert.save()
    return alert


def _transition(
    key: str, kind: TransitionKind, at: datetime, value: float, fit: Forecast | None
) -> Transition:
    return Transition(key=key, rule_id=RULE.id, kind=kind, at=at,
                      reason=reason(RULE, kind, value, fit), severity=RULE.severity, value=value,
                      notify=True, forecast=fit)  # fmt: skip


def _record(alert: Alert, found: Transition, about: str, fit: Forecast | None) -> None:
    def title(t: Transition) -> str:
        return alert_tickets.title(about, RULE, t, fit)

    description = f"{rule_summary(RULE)} (rule {RULE.id})"
    alert_state.record(alert, [found], found.at, title, description)
    alert.save()


def _work(ticket: Ticket, episode: Episode, technician: User | None, rng: Random) -> None:
    """A technician takes the ticket (unless routing gave it to one already), cleans up, and
    resolves it at ``episode.fixed_at``."""
    start = ticket.created_at + timedelta(minutes=rng.randint(15, 90))
    ticket.refresh_from_db()
    if ticket.assignee is None and technician is not None:
        assign(ticket, technician, by=technician, at=start)
    worker = ticket.assignee or technician
    if ticket.status != Status.IN_PROGRESS:
        change_status(ticket, Status.IN_PROGRESS, by=worker, at=start + timedelta(minutes=5))
    reply(ticket, rng.choice(WORK_NOTES), by=worker, public=False,
          at=episode.fixed_at - timedelta(minutes=10))  # fmt: skip
    ticket.refresh_from_db()
    freed = "disk space freed before it ran out"
    change_status(ticket, Status.RESOLVED, by=worker, reason=freed, at=episode.fixed_at)

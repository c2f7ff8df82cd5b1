"""Alert evaluation: every client's series through its effective rules, once a minute.

One cycle of one client (``evaluate_client``):

1. Claim the span ``(watermark, now]`` by compare-and-set on the client's ``AlertCycle`` row:
   one UPDATE moves the watermark to ``now`` only if it still holds the value read. Two workers
   both try, one wins; the work runs in the claiming transaction, so a crash claims nothing.
   A client's first cycle only sets the watermark: rules start from now, old data opens nothing.
2. Gather what the rules look at: metric series (samples), checks (their results as
   ``check_state`` codes, straight from ``CheckResult``) and agents (``agent_heartbeat``: one
   point per batch received, and the agent's last-seen time).
3. Match each against the effective rules of its asset (asset type defaults, global, client and
   asset overrides, extra rules), group by rule, and run ``rules.cycle.run_cycle`` per group
   with the maintenance occurrences of each row's asset.
4. Store the rows that changed and the transitions (``AlertEvent``); told ones open or resolve
   tickets. An open alert whose rule or series went away is retired (resolved now).

Every key of a client is evaluated in every cycle from the client's watermark, so an alert row
is written only when something changed; reading it takes the later of its own ``evaluated_at``
and the watermark.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Max

from steward.monitoring.choices import AlertPhase, AlertSource, CollectorKind
from steward.monitoring.models import (
    Alert,
    AlertCycle,
    Asset,
    Check,
    CheckResult,
    Collector,
    IngestBatch,
    Rollup,
    Sample,
    Series,
)
from steward.monitoring.rules import maintenance
from steward.monitoring.rules.cycle import run_cycle
from steward.monitoring.rules.defaults import DEFAULT_RULES, effective_rules
from steward.monitoring.rules.describe import rule_summary
from steward.monitoring.rules.evaluate import retire
from steward.monitoring.rules.model import (
    AlertState,
    Occurrence,
    Phase,
    Rule,
    RuleError,
    RuleKind,
    Selector,
    Severity,
    Transition,
    check_state_code,
    dedup_key,
    to_datetime,
)
from steward.monitoring.rules.table import PHASE_CODE, StateTable
from steward.monitoring.services import alert_state, alert_tickets
from steward.monitoring.services.alert_rules import RuleBook, matching, rule_book
from steward.monitoring.services.windows import windows_of
from steward.tenancy.models import Client

log = logging.getLogger(__name__)

CHUNK = 500
HOUR = 3600
TINY = timedelta(microseconds=1)


@dataclass
class Target:
    """One series the rules look at: a metric series, a check or an agent."""

    identity: str
    metric: str
    labels: dict[str, str]
    asset_id: int | None
    about: str
    series_id: int | None = None
    check_id: int | None = None
    agent_id: int | None = None
    points: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class CycleCount:
    clients: int = 0
    evaluated: int = 0
    transitions: int = 0
    told: int = 0


def evaluate_alerts(now: datetime) -> CycleCount:
    """One cycle for every client (each claimed on its own; safe with several workers)."""
    count = CycleCount()
    for client_id in Client.objects.order_by("pk").values_list("pk", flat=True):
        try:
            done = evaluate_client(client_id, now)
        except Exception:  # one client's bad data must not stop the others' alerts
            log.exception("alert evaluation of client %s failed", client_id)
            continue
        if done is not None:
            count.clients += 1
            count.evaluated += done.evaluated
            count.transitions += done.transitions
            count.told += done.told
    return count


def claim(client_id: int, now: datetime) -> datetime | None:
    """The watermark of the span this worker now owns, or None (another worker has it, or it is
    empty). Call inside a transaction: the claim lasts until it commits."""
    read = AlertCycle.objects.filter(client_id=client_id).values_list("evaluated_at", flat=True)
    previous = next(iter(read), None)
    if previous is None:
        try:
            with transaction.atomic():
                AlertCycle.objects.create(client_id=client_id, evaluated_at=now)
        except IntegrityError:
            pass
        return None
    if previous >= now:
        return None
    won = AlertCycle.objects.filter(client_id=client_id, evaluated_at=previous).update(
        evaluated_at=now
    )
    return previous if won == 1 else None


def evaluate_client(client_id: int, now: datetime) -> CycleCount | None:
    with transaction.atomic():
        since = claim(client_id, now)
        if since is None:
            return None
        return _Cycle(client_id, since, now).run()


class _Cycle:
    """One claimed cycle of one client: what it reads once, and the keys it evaluated."""

    def __init__(self, client_id: int, since: datetime, now: datetime) -> None:
        self.client_id, self.since, self.now = client_id, since, now
        self.count = CycleCount()
        self.assets = {
            a["pk"]: a
            for a in Asset.objects.filter(client_id=client_id).values("pk", "kind", "name")
        }
        self.book: RuleBook = rule_book(client_id)
        self.windows = windows_of([client_id])
        self.alerts = {
            a.key: a for a in Alert.objects.filter(client_id=client_id, source=AlertSource.RULE)
        }
        self.seen: set[str] = set()

    def run(self) -> CycleCount:
        targets = self._targets()
        groups: dict[Rule, list[Target]] = defaultdict(list)
        for target in targets:
            kind = self.assets[target.asset_id]["kind"] if target.asset_id in self.assets else ""
            try:
                rules = self.book.rules_for(target.asset_id, kind or "other")
            except RuleError:
                # A stored override the engine refuses (the verbs check them, so only a row
                # changed behind their back): the defaults rather than no rules at all.
                log.exception("alert rule overrides of asset %s are invalid", target.asset_id)
                rules = effective_rules(kind if kind in DEFAULT_RULES else "other")
            for rule in matching(rules, target.metric, target.labels):
                groups[rule].append(target)
        self._load_points(groups)
        for rule, members in groups.items():
            self._evaluate(rule, members)
        self._retire_gone()
        return self.count

    # --- What the rules look at -------------------------------------------------------------------

    def _targets(self) -> list[Target]:
        names = {pk: a["name"] for pk, a in self.assets.items()}
        found: list[Target] = []
        series = Series.objects.filter(client_id=self.client_id).values_list(
            "pk", "metric", "labels", "asset_id", "from_check__asset_id"
        )
        for pk, metric, labels, asset_id, check_asset_id in series:
            owner = asset_id or check_asset_id
            about = alert_tickets.subject(metric, labels or {}, names.get(owner, ""))
            found.append(Target(f"series:{pk}", metric, labels or {}, owner, about, series_id=pk))
        checks = Check.objects.filter(client_id=self.client_id, enabled=True).values_list(
            "pk", "name", "type", "asset_id"
        )
        for pk, name, kind, asset_id in checks:
            where = f" on {names[asset_id]}" if asset_id in names else ""
            labels = {"check": name, "type": kind}
            found.append(
                Target(
                    f"check:{pk}",
                    "check_state",
                    labels,
                    asset_id,
                    f"Check {name}{where}",
                    check_id=pk,
                )
            )
        agents = Collector.objects.filter(
            client_id=self.client_id,
            kind=CollectorKind.AGENT,
            revoked_at__isnull=True,
            asset__isnull=False,
        ).values_list("pk", "asset_id", "last_seen_at")
        for pk, asset_id, last_seen in agents:
            target = Target(
                f"agent:{pk}",
                "agent_heartbeat",
                {},
                asset_id,
                f"Agent on {names.get(asset_id, '?')}",
                agent_id=pk,
            )
            if last_seen is not None:
                target.points.append((last_seen.timestamp(), 1.0))
            found.append(target)
        return found

    def _start(self, rule: Rule) -> float:
        """The earliest point ``rule`` needs: new data for thresholds and states, the fit window
        for forecasts, and for absence the silence allowed before the watermark."""
        since = self.since.timestamp()
        if rule.kind is RuleKind.FORECAST:
            return self.now.timestamp() - rule.window_seconds
        if rule.kind is RuleKind.ABSENCE:
            return since - rule.window_seconds
        return since

    def _load_points(self, groups: dict[Rule, list[Target]]) -> None:
        starts: dict[str, float] = {}
        fits: dict[str, float] = {}  # series with a forecast: the start of its fit window
        targets: dict[str, Target] = {}
        for rule, members in groups.items():
            begin = self._start(rule)
            chosen = fits if rule.kind is RuleKind.FORECAST and members[0].series_id else starts
            for target in members:
                targets[target.identity] = target
                chosen[target.identity] = min(chosen.get(target.identity, math.inf), begin)
        rolled = self._rollup_points([targets[i] for i in fits], min(fits.values(), default=0))
        for identity, begin in fits.items():
            # Complete hours come from the rollups; raw samples only after the last of them.
            # (A sample exactly at an hour's end opens the next hour: it is read raw.)
            raw_from = rolled[identity] - 0.001 if identity in rolled else begin
            starts[identity] = min(starts.get(identity, math.inf), raw_from)
        by_start: dict[tuple[str, float], list[Target]] = defaultdict(list)
        for identity, target in targets.items():
            kind = "series" if target.series_id else "check" if target.check_id else "agent"
            by_start[(kind, starts[identity])].append(target)
        end = self.now.timestamp()
        for (kind, begin), members in by_start.items():
            for index in range(0, len(members), CHUNK):
                chunk = members[index : index + CHUNK]
                if kind == "series":
                    _series_points(chunk, begin, end)
                elif kind == "check":
                    _check_points(chunk, begin, self.now)
                else:
                    _agent_points(chunk, begin, self.since, self.now)
        for target in targets.values():
            target.points.sort()

    def _rollup_points(self, members: Sequence[Target], begin: float) -> dict[str, float]:
        """Hourly means (at each hour's middle) of the complete hours since ``begin``, so a fit
        over a day reads about 24 rows and the current hour's samples instead of every sample;
        returns where each series' rollups end."""
        last_complete = math.floor(self.now.timestamp() / HOUR) * HOUR - HOUR
        ends: dict[str, float] = {}
        for index in range(0, len(members), CHUNK):
            by_id = {t.series_id: t for t in members[index : index + CHUNK]}
            rows = Rollup.objects.filter(
                series_id__in=list(by_id), hour__gte=math.ceil(begin), hour__lte=last_complete
            ).values_list("series_id", "hour", "sum", "count")
            for series_id, hour, total, count in rows:
                if count:
                    target = by_id[series_id]
                    target.points.append((hour + HOUR / 2, total / count))
                    ends[target.identity] = max(ends.get(target.identity, 0.0), hour + HOUR)
        return ends

    # --- Evaluation -------------------------------------------------------------------------------

    def _evaluate(self, rule: Rule, members: Sequence[Target]) -> None:
        identities = [t.identity for t in members]
        keys = [dedup_key(rule.id, i) for i in identities]
        self.seen.update(keys)
        states = [alert_state.state_of(self.alerts.get(k), k, self.since) for k in keys]
        table = StateTable.from_states(rule.id, identities, states)
        times, values = _pack(members)
        occurrences = self._maintenance(members)
        result = run_cycle(rule, table, times, values, self.now, occurrences)
        self.count.evaluated += len(members)
        by_key: dict[str, list[Transition]] = defaultdict(list)
        for found in result.transitions:
            by_key[found.key].append(found)
        row_of = {key: row for row, key in enumerate(keys)}
        rows = {int(r) for r in result.changed} | {row_of[k] for k in by_key}
        if rule.kind is RuleKind.FORECAST:
            # An open forecast alert shows the latest line and crossing, so it is kept fresh.
            rows |= {int(r) for r in np.flatnonzero(result.table.phase != PHASE_CODE[Phase.OK])}
        for row in sorted(rows):
            self._store(rule, members[row], result.table.state(row), by_key.get(keys[row], []))

    def _maintenance(self, members: Sequence[Target]) -> dict[int, list[Occurrence]]:
        if not self.windows:
            return {}
        found: dict[int, list[Occurrence]] = {}
        cache: dict[int | None, list[Occurrence]] = {}
        for row, target in enumerate(members):
            if target.asset_id not in cache:
                cache[target.asset_id] = maintenance.between(
                    self.windows,
                    str(self.client_id),
                    None if target.asset_id is None else str(target.asset_id),
                    self.since,
                    self.now + TINY,
                )
            if cache[target.asset_id]:
                found[row] = cache[target.asset_id]
        return found

    def _store(
        self, rule: Rule, target: Target, state: AlertState, found: Sequence[Transition]
    ) -> None:
        alert = self.alerts.get(state.key)
        if alert is None:
            alert = Alert(
                client_id=self.client_id,
                asset_id=target.asset_id,
                series_id=target.series_id,
                from_check_id=target.check_id,
                source=AlertSource.RULE,
                rule_id=rule.id,
                key=state.key,
                identity=target.identity,
                severity=rule.severity.value,
                labels=target.labels,
                created_at=self.now,
            )
            self.alerts[state.key] = alert
        alert_state.put_state(alert, state)
        alert.updated_at = self.now
        if found:
            if alert.pk is None:
                alert.save()  # its history and ticket refer to it
            description = f"{rule_summary(rule)} (rule {rule.id})"

            def title(t: Transition) -> str:
                return alert_tickets.title(target.about, rule, t, state.forecast)

            alert_state.record(alert, found, self.now, title, description)
            self.count.transitions += len(found)
            self.count.told += sum(1 for t in found if t.notify)
        alert.save()

    def _retire_gone(self) -> None:
        """Open alerts of rules or series that no longer apply resolve now."""
        for key, alert in self.alerts.items():
            if key in self.seen or alert.phase == AlertPhase.OK:
                continue
            rule = Rule(
                id=alert.rule_id,
                kind=RuleKind.THRESHOLD,
                selector=Selector(alert.rule_id),
                severity=Severity(alert.severity),
            )
            state, found = retire(rule, alert_state.state_of(alert, key, self.since), self.now)
            alert_state.put_state(alert, state)
            alert.updated_at = self.now
            alert.save()
            about = alert.summary.split(": ", 1)[0] or alert.rule_id
            alert_state.record(alert, found, self.now, partial(_retired_title, about))
            alert.save()
            self.count.transitions += len(found)


def _retired_title(about: str, found: Transition) -> str:
    return f"{about}: {found.reason}"


def _pack(members: Sequence[Target]) -> tuple[np.ndarray, np.ndarray]:
    width = max((len(t.points) for t in members), default=0)
    times = np.full((len(members), max(width, 1)), np.nan)
    values = np.full((len(members), max(width, 1)), np.nan)
    for row, target in enumerate(members):
        if target.points:
            block = np.asarray(target.points, dtype=np.float64)
            times[row, : len(block)] = block[:, 0]
            values[row, : len(block)] = block[:, 1]
    return times, values


def _series_points(chunk: Sequence[Target], begin: float, end: float) -> None:
    by_id = {t.series_id: t for t in chunk}
    rows = Sample.objects.filter(
        series_id__in=list(by_id), ts__gt=math.floor(begin * 1000), ts__lte=math.floor(end * 1000)
    ).values_list("series_id", "ts", "value")
    for series_id, ts, value in rows.iterator(chunk_size=10_000):
        by_id[series_id].points.append((ts / 1000, value))


def _check_points(chunk: Sequence[Target], begin: float, now: datetime) -> None:
    by_id = {t.check_id: t for t in chunk}
    rows = CheckResult.objects.filter(
        of_check_id__in=list(by_id), at__gt=to_datetime(begin), at__lte=now
    ).values_list("of_check_id", "at", "state")
    for check_id, at, state in rows:
        try:
            code = check_state_code(state)
        except ValueError:  # "pending": no result yet, says nothing
            continue
        by_id[check_id].points.append((at.timestamp(), code))


def _agent_points(chunk: Sequence[Target], begin: float, since: datetime, now: datetime) -> None:
    """Every batch after the watermark, and before it only each agent's latest (what absence
    needs): a laptop's three-day window would otherwise read thousands of batches a cycle."""
    by_id = {t.agent_id: t for t in chunk}
    batches = IngestBatch.objects.filter(collector_id__in=list(by_id))
    latest = (
        batches.filter(received_at__gt=to_datetime(begin), received_at__lte=since)
        .values("collector_id")
        .annotate(at=Max("received_at"))
        .values_list("collector_id", "at")
    )
    fresh = batches.filter(received_at__gt=since, received_at__lte=now).values_list(
        "collector_id", "received_at"
    )
    for collector_id, at in [*latest, *fresh]:
        target = by_id[collector_id]
        point = (at.timestamp(), 1.0)
        if point not in target.points:
            target.points.append(point)

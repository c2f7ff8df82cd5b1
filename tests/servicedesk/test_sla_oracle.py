"""SLA clocks against a brute-force oracle, and properties of random tickets.

The oracle knows nothing of ``steward.core.businesstime``: it reads the calendar's JSON form
itself, asks ``zoneinfo`` what the wall clock shows in each UTC minute, applies the opening
hours, overnight intervals, extra days, closures and public holidays (the ``holidays`` package)
to that reading, and then walks the ticket's log minute by minute. Events are whole minutes,
targets whole minutes, and the zones' offsets whole minutes, so openness and status are constant
inside each UTC minute; warning thresholds need not be whole minutes, and land inside a minute.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import numpy.typing as npt
from hypothesis import HealthCheck, assume, given, reject, settings
from hypothesis import strategies as st

from steward.core.calendarspec import parse_calendar
from steward.servicedesk.sla import (
    RESOLVED_STATUSES,
    ClockEvent,
    ClockEventKind,
    Deadline,
    SlaState,
    SlaTerms,
    compute_sla,
)
from tests.core.calendar_strategies import calendar_json

K = ClockEventKind
DAY = 1440
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PAUSES = frozenset({"waiting_on_client", "waiting_on_vendor"})
STATUSES = ["open", "in_progress", "waiting_on_client", "waiting_on_vendor", "resolved", "closed"]
WORKDAYS = ("mon", "tue", "wed", "thu", "fri")
CALENDARS: dict[str, dict[str, Any]] = {
    # Lunch break, a Friday overnight shift, a Sunday night shift through the DST hour, a
    # Bavarian holiday list (Good Friday, Easter Monday, All Saints), closures and extra days.
    "berlin_office": {
        "timezone": "Europe/Berlin",
        "hours": {d: [["09:00", "12:30"], ["13:30", "17:30"]] for d in WORKDAYS}
        | {"fri": [["09:00", "15:00"], ["22:00", "02:00"]], "sun": [["01:30", "03:30"]]},
        "holidays": {"country": "DE", "subdivision": "BY"},
        "closures": ["2026-03-27", "2026-10-30", "2026-11-06"],
        "extra_days": {"2026-03-28": [["10:00", "14:00"]], "2026-10-24": [["08:00", "24:00"]]},
    },
    "berlin_24x7": {"timezone": "Europe/Berlin", "hours": "24x7", "holidays": {"country": "DE"}},
    # A Saturday night shift through both New York DST nights.
    "new_york_office": {
        "timezone": "America/New_York",
        "hours": {d: [["08:00", "18:00"]] for d in WORKDAYS} | {"sat": [["22:00", "06:00"]]},
        "holidays": {"country": "US", "subdivision": "NY"},
        "closures": ["2026-11-27"],
    },
    "new_york_24x7": {"timezone": "America/New_York", "hours": "24x7"},
    # Half-hour DST shifts (5 April, 4 October 2026).
    "lord_howe_office": {
        "timezone": "Australia/Lord_Howe",
        "hours": {d: [["07:00", "19:00"]] for d in WORKDAYS},
        "holidays": {"country": "AU", "subdivision": "NSW"},
    },
}
# Tickets open in two windows holding the DST changes of all three zones.
WINDOWS = [date(2026, 3, 1), date(2026, 9, 25)]
WINDOW_DAYS = 45
LONGEST_TICKET = 21 * DAY
HORIZON = 45 * DAY  # how far past `now` the oracle looks for a due instant


def epoch_minute(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) // 60


def moment(minute: int, second: int = 0) -> datetime:
    return datetime.fromtimestamp(minute * 60 + second, UTC)


# --- The oracle --------------------------------------------------------------------------------


def _minutes(text: str) -> int:
    return int(text[:2]) * 60 + int(text[3:5])


class CalendarOracle:
    """Is a UTC minute business time? Decided from the JSON form and the zone's wall clock."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.zone = ZoneInfo(data["timezone"])
        hours = data["hours"]
        if hours == "24x7":
            hours = {day: [["00:00", "24:00"]] for day in WEEKDAYS}
        self.weekly = {day: self._intervals(hours.get(day, [])) for day in WEEKDAYS}
        self.extra = {d: self._intervals(ivs) for d, ivs in data.get("extra_days", {}).items()}
        self.closures = set(data.get("closures", []))
        hol = data.get("holidays")
        self.country = hol["country"] if hol else None
        self.subdivision = hol.get("subdivision") if hol else None
        self.holidays: dict[int, set[date]] = {}

    @staticmethod
    def _intervals(pairs: list[list[str]]) -> list[tuple[int, int]]:
        return [(_minutes(a), _minutes(b)) for a, b in pairs]

    def day(self, day: date) -> list[tuple[int, int]]:
        """Opening intervals of a local date: extra day, closure, holiday, weekday, in order."""
        if day.isoformat() in self.extra:
            return self.extra[day.isoformat()]
        if day.isoformat() in self.closures:
            return []
        if self.country is not None:
            if day.year not in self.holidays:
                found = holidays.country_holidays(
                    self.country, subdiv=self.subdivision, years=day.year
                )
                self.holidays[day.year] = set(found)
            if day in self.holidays[day.year]:
                return []
        return self.weekly[WEEKDAYS[day.weekday()]]

    def is_open(self, minute: int) -> bool:
        wall = datetime.fromtimestamp(minute * 60, self.zone)
        today, t = wall.date(), wall.hour * 60 + wall.minute
        for start, end in self.day(today):
            if start <= t < end or (end < start and t >= start):
                return True
        # An overnight interval belongs to the day it starts on: yesterday's runs into today.
        return any(end < start and t < end for start, end in self.day(today - timedelta(1)))


class HorizonTooShort(Exception):
    """The calendar opens too rarely for the oracle to find a due within ``HORIZON``."""


@lru_cache(maxsize=64)
def oracle_for(calendar: str) -> CalendarOracle:
    return CalendarOracle(json.loads(calendar))


@lru_cache(maxsize=20_000)
def open_day(calendar: str, first_minute: int) -> npt.NDArray[np.bool_]:
    """Openness of the 1440 UTC minutes from ``first_minute``, cached across examples."""
    oracle = oracle_for(calendar)
    return np.array([oracle.is_open(first_minute + i) for i in range(DAY)], dtype=bool)


def open_flags(calendar: str, lo: int, hi: int) -> npt.NDArray[np.bool_]:
    first = lo - lo % DAY
    days = [open_day(calendar, day_start) for day_start in range(first, hi, DAY)]
    return np.concatenate(days)[lo - first : hi - first]


@dataclass(frozen=True)
class Ticket:
    calendar: str  # JSON text
    created: int  # epoch minute
    steps: list[tuple[int, ClockEventKind, str | None]]  # (epoch minute, kind, status)
    now: int
    response: int  # target minutes
    resolution: int
    plan: int | None
    warning_percent: int

    def events(self) -> list[ClockEvent]:
        first = ClockEvent(moment(self.created), K.CREATED, "new")
        return [first] + [ClockEvent(moment(m), kind, s) for m, kind, s in self.steps]

    def terms(self) -> SlaTerms:
        plan = None if self.plan is None else self.plan * 60
        return SlaTerms(
            self.response * 60,
            self.resolution * 60,
            plan,
            self.warning_percent,
            PAUSES,
            parse_calendar(json.loads(self.calendar)),
        )


def oracle_sla(ticket: Ticket) -> SlaState:
    """The SLA state by walking the log minute by minute (rules of steward/servicedesk/sla)."""
    c, now = ticket.created, ticket.now
    steps = sorted((s for s in ticket.steps if s[0] <= now), key=lambda s: s[0])
    n_hist, n_all = now - c, now - c + HORIZON
    is_open = open_flags(ticket.calendar, c, c + n_all)
    # 1. Status of every minute of the ticket's life, and the stop instants.
    status, running, paused = "new", np.zeros(n_all, bool), np.zeros(n_all, bool)
    response = plan = first_resolve = last_resolve = paused_since = None
    cursor = 0
    for minute, kind, new in [*steps, (now, None, None)]:
        running[cursor : minute - c] = status not in PAUSES | RESOLVED_STATUSES
        paused[cursor : minute - c] = status in PAUSES
        cursor = minute - c
        if kind == K.RESPONSE and response is None:
            response = minute
        elif kind == K.PLAN and plan is None:
            plan = minute
        elif kind == K.STATUS:
            assert new is not None
            if new in RESOLVED_STATUSES and status not in RESOLVED_STATUSES:
                first_resolve = minute if first_resolve is None else first_resolve
                last_resolve = minute
            elif new not in RESOLVED_STATUSES:
                last_resolve = None
            if new in PAUSES and status not in PAUSES:
                paused_since = minute
            elif new not in PAUSES:
                paused_since = None
            status = new
    running_open = running & is_open
    elapsed = np.concatenate([[0], np.cumsum(running_open[:n_hist])]) * 60

    def reach(target: int, stop: int) -> datetime:
        """The instant the clock's running time reaches ``target`` seconds, the clock running
        as logged up to minute ``stop`` and in every open minute after it."""
        counting = np.concatenate([running_open[: stop - c], is_open[stop - c :]])
        total = np.cumsum(counting) * 60
        i = int(np.searchsorted(total, target, side="left"))
        if i == total.size:
            raise HorizonTooShort
        before = int(total[i - 1]) if i else 0
        return moment(c + i, target - before)

    def clock(target: int, stop: int | None) -> tuple[datetime, bool | None, datetime | None]:
        """(due, met, warning of an open clock)."""
        at = now if stop is None else stop
        spent = int(elapsed[at - c])
        due = reach(target, at)
        if stop is not None:
            return due, spent <= target, None
        if spent > target:
            return due, False, None
        return due, None, reach(-(-target * ticket.warning_percent // 100), now)

    def earliest(*minutes: int | None) -> int | None:
        known = [m for m in minutes if m is not None]
        return min(known) if known else None

    respond_stop = earliest(response, first_resolve)
    plan_stop = earliest(plan, first_resolve)
    clocks = {"response": (ticket.response * 60, respond_stop)}
    if ticket.plan is not None:
        clocks["plan"] = (ticket.plan * 60, plan_stop)
    clocks["resolution"] = (ticket.resolution * 60, last_resolve)
    seen = {name: clock(target, stop) for name, (target, stop) in clocks.items()}
    # 2. Warnings while the ticket runs; deadlines reached, and coming while it runs.
    running_now = status not in PAUSES | RESOLVED_STATUSES
    warning_at = None
    deadlines: list[Deadline] = []
    for name, (target, stop) in clocks.items():
        due, met, warning = seen[name]
        at = now if stop is None else stop
        if met is False:
            deadlines.append(Deadline(f"{name}_breach", due, reach(target + 1, at)))
        elif warning is not None:
            if running_now:
                warning_at = warning if warning_at is None else min(warning_at, warning)
            if running_now or warning <= moment(now):
                deadlines.append(Deadline(f"{name}_warning", warning, warning))
            if running_now:
                deadlines.append(Deadline(f"{name}_breach", due, reach(target + 1, at)))
    plan_seen = seen.get("plan")
    return SlaState(
        response_due_at=seen["response"][0],
        plan_due_at=plan_seen[0] if plan_seen else None,
        resolution_due_at=seen["resolution"][0],
        responded_at=moment(respond_stop) if respond_stop is not None else None,
        planned_at=moment(plan_stop) if plan_seen and plan_stop is not None else None,
        resolved_at=moment(last_resolve) if last_resolve is not None else None,
        response_met=seen["response"][1],
        plan_met=plan_seen[1] if plan_seen else None,
        resolution_met=seen["resolution"][1],
        business_seconds_to_response=(
            int(elapsed[respond_stop - c]) if respond_stop is not None else None
        ),
        business_seconds_to_resolution=(
            int(elapsed[last_resolve - c]) if last_resolve is not None else None
        ),
        paused_business_seconds=int((paused[:n_hist] & is_open[:n_hist]).sum()) * 60,
        paused=status in PAUSES,
        paused_since=moment(paused_since) if paused_since is not None else None,
        warning_at=warning_at,
        deadlines=tuple(deadlines),
    )


# --- Random tickets ----------------------------------------------------------------------------

gaps = st.one_of(st.just(0), st.integers(1, 120), st.integers(1, 3 * DAY))
steps_strategy = st.lists(
    st.tuples(
        gaps,
        st.sampled_from([K.STATUS, K.STATUS, K.STATUS, K.RESPONSE, K.PLAN]),
        st.sampled_from(STATUSES),
    ),
    max_size=10,
)


fixed_calendars = st.sampled_from(sorted(CALENDARS)).map(lambda name: json.dumps(CALENDARS[name]))


@st.composite
def tickets(
    draw: st.DrawFn, calendars: st.SearchStrategy[str] = fixed_calendars, scale: int = 1
) -> Ticket:
    """A random ticket in a DST window; targets are divided by ``scale``."""
    window = draw(st.sampled_from(WINDOWS))
    created = epoch_minute(window) + draw(st.integers(0, WINDOW_DAYS * DAY))
    steps: list[tuple[int, ClockEventKind, str | None]] = []
    minute = created
    for gap, kind, status in draw(steps_strategy):
        minute = min(minute + gap, created + LONGEST_TICKET)
        steps.append((minute, kind, status if kind == K.STATUS else None))
    now = created + draw(st.integers(0, minute - created + 3 * DAY))
    return Ticket(
        calendar=draw(calendars),
        created=created,
        steps=steps,
        now=now,
        response=draw(st.integers(1, 16 * 60 // scale)),
        resolution=draw(st.integers(1, 60 * 60 // scale)),
        plan=draw(st.none() | st.integers(1, 40 * 60 // scale)),
        warning_percent=draw(st.integers(1, 99)),
    )


@settings(max_examples=300, deadline=None)
@given(tickets())
def test_compute_sla_agrees_with_the_oracle(ticket: Ticket) -> None:
    assert compute_sla(ticket.events(), ticket.terms(), moment(ticket.now)) == oracle_sla(ticket)


def weekly_open_hours(calendar: dict[str, Any]) -> float:
    spec = parse_calendar(calendar)
    return sum((iv.span[1] - iv.span[0]) / 3600 for day in spec.weekly for iv in day)


# Random calendars (any zone, overnight intervals, Sunday into Monday, extra days, closures)
# that open at least a working day a week, so that dues fall inside the oracle's horizon.
random_calendars = calendar_json().filter(lambda data: weekly_open_hours(data) >= 8).map(json.dumps)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(tickets(random_calendars, scale=4))
def test_compute_sla_agrees_with_the_oracle_on_random_calendars(ticket: Ticket) -> None:
    try:
        expected = oracle_sla(ticket)
    except HorizonTooShort:
        reject()
    assert compute_sla(ticket.events(), ticket.terms(), moment(ticket.now)) == expected


# --- Properties --------------------------------------------------------------------------------


def state_of(ticket: Ticket, events: list[ClockEvent] | None = None) -> SlaState:
    return compute_sla(events or ticket.events(), ticket.terms(), moment(ticket.now))


def dues(state: SlaState) -> list[datetime | None]:
    return [state.response_due_at, state.plan_due_at, state.resolution_due_at]


@settings(max_examples=300, deadline=None)
@given(tickets())
def test_dues_follow_creation_and_deadlines_follow_now(ticket: Ticket) -> None:
    state = state_of(ticket)
    created, now = moment(ticket.created), moment(ticket.now)
    assert all(due is None or due > created for due in dues(state))
    assert state.paused_business_seconds >= 0
    assert (ticket.plan is None) == (state.plan_due_at is None)
    for deadline in state.deadlines:
        assert deadline.at <= deadline.known_at
        # What is not reached yet is coming only while the ticket runs.
        if deadline.known_at > now:
            assert not state.paused
            assert state.warning_at is not None
    if state.paused:
        assert state.paused_since is not None
        assert state.paused_since <= now
        assert state.warning_at is None


@settings(max_examples=200, deadline=None)
@given(tickets(), st.data())
def test_a_pause_never_moves_a_due_earlier(ticket: Ticket, data: st.DataObject) -> None:
    """Insert waiting_on_client from p to q inside a running stretch with no events in it."""
    events = ticket.events()
    assume(ticket.now > ticket.created)
    p = data.draw(st.integers(ticket.created + 1, ticket.now), label="pause at")
    assume(all(minute != p for minute, _, _ in ticket.steps))
    before = [e for e in events if e.at < moment(p)]
    current = [e.status for e in before if e.kind in (K.CREATED, K.STATUS)][-1]
    assume(current not in PAUSES | RESOLVED_STATUSES)
    later = [minute for minute, _, _ in ticket.steps if minute > p]
    q = data.draw(st.integers(p + 1, min(later, default=ticket.now + DAY)), label="until")
    assume(q not in later)
    paused = [
        *events,
        ClockEvent(moment(p), K.STATUS, "waiting_on_client"),
        ClockEvent(moment(q), K.STATUS, current),
    ]
    old, new = state_of(ticket), state_of(ticket, paused)
    for old_due, new_due in zip(dues(old), dues(new), strict=True):
        assert old_due is None or (new_due is not None and new_due >= old_due)
    assert new.paused_business_seconds >= old.paused_business_seconds


@settings(max_examples=300, deadline=None)
@given(tickets(), st.randoms(use_true_random=False))
def test_only_the_order_of_status_events_matters(ticket: Ticket, rnd: random.Random) -> None:
    """Rule 2: any input order that keeps the STATUS events in order gives the same state."""
    events = ticket.events()
    shuffled = [e for e in events if e.kind == K.STATUS]
    for event in (e for e in events if e.kind != K.STATUS):
        shuffled.insert(rnd.randint(0, len(shuffled)), event)
    assert state_of(ticket, shuffled) == state_of(ticket)


@settings(max_examples=200, deadline=None)
@given(tickets(), st.integers(1, 10 * DAY))
def test_stopped_clocks_keep_their_due_as_time_passes(ticket: Ticket, wait: int) -> None:
    state = state_of(ticket)
    later = compute_sla(ticket.events(), ticket.terms(), moment(ticket.now + wait))
    if state.responded_at is not None:
        assert later.response_due_at == state.response_due_at
        assert later.response_met is state.response_met
    if state.resolved_at is not None and all(m <= ticket.now for m, _, _ in ticket.steps):
        assert later.resolution_due_at == state.resolution_due_at
        assert later.resolution_met is state.resolution_met
    if state.response_met is False:  # a breach stays a breach
        assert later.response_met is False

"""SLA clock engine: known answers at exact second boundaries on an office calendar.

Calendar: Europe/Berlin, Monday-Friday 09:00-17:00. Monday 2 March 2026 is a Monday (CET).
Terms: response 4 h, plan 6 h, resolution 16 h (two business days), warning at 75 %.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from steward.core.businesstime import compile_calendar
from steward.core.calendarspec import parse_calendar
from steward.servicedesk.sla import (
    RESOLVED_STATUSES,
    ClockEvent,
    ClockEventKind,
    Deadline,
    SlaState,
    SlaTerms,
    compute_sla,
    next_deadline,
)

H = 3600
BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = parse_calendar(
    {
        "timezone": "Europe/Berlin",
        "hours": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    }
)
PAUSES = frozenset({"waiting_on_client", "waiting_on_vendor"})
TERMS = SlaTerms(4 * H, 16 * H, None, 75, PAUSES, OFFICE)
PLANNED = replace(TERMS, plan_seconds=6 * H)


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """An instant in the week of Monday 2 March 2026 (day 2 = Monday), Berlin wall clock."""
    return datetime(2026, 3, day, hour, minute, second, tzinfo=BERLIN)


def created(when: datetime | None = None, status: str = "new") -> ClockEvent:
    return ClockEvent(when or at(2, 9), ClockEventKind.CREATED, status)


def status(when: datetime, new: str) -> ClockEvent:
    return ClockEvent(when, ClockEventKind.STATUS, new)


def response(when: datetime) -> ClockEvent:
    return ClockEvent(when, ClockEventKind.RESPONSE)


def plan(when: datetime) -> ClockEvent:
    return ClockEvent(when, ClockEventKind.PLAN)


def coming(state: SlaState, now: datetime) -> tuple[datetime | None, str | None]:
    """The next deadline as the escalation job leaves it: every one reached by ``now`` (and
    the warnings their breaches supersede) announced."""
    reached = {d.kind for d in state.deadlines if d.known_at <= now}
    reached |= {k.replace("_breach", "_warning") for k in reached}
    upcoming = next_deadline(state.deadlines, reached)
    return (upcoming.known_at, upcoming.kind) if upcoming else (None, None)


def sla(*events: ClockEvent, now: datetime, terms: SlaTerms = TERMS) -> SlaState:
    return compute_sla(list(events), terms, now)


# --- Response: met exactly at the target second, breached one second later ------------------


@pytest.mark.parametrize(
    ("reply", "met", "seconds"),
    [
        (at(2, 12, 59, 59), True, 4 * H - 1),
        (at(2, 13), True, 4 * H),
        (at(2, 13, 0, 1), False, 4 * H + 1),
    ],
)
def test_response_met_up_to_the_target_second(reply: datetime, met: bool, seconds: int) -> None:
    state = sla(created(), response(reply), now=at(6, 12))
    assert state.responded_at == reply
    assert state.response_met is met
    assert state.business_seconds_to_response == seconds
    assert state.response_due_at == at(2, 13)


@pytest.mark.parametrize(
    ("now", "met", "warning_at", "next_at", "kind"),
    [
        (at(2, 9), None, at(2, 12), at(2, 12), "response_warning"),
        (at(2, 11, 59, 59), None, at(2, 12), at(2, 12), "response_warning"),
        # A breach is known one business second after its due, when ``met`` turns False.
        (at(2, 12), None, at(2, 12), at(2, 13, 0, 1), "response_breach"),
        (at(2, 13), None, at(2, 12), at(2, 13, 0, 1), "response_breach"),
        (at(2, 13, 0, 1), False, at(3, 13), at(3, 13), "resolution_warning"),
        # Due at closing time (Tuesday 17:00): known at the next business second, Wednesday.
        (at(3, 13), False, at(3, 13), at(4, 9, 0, 1), "resolution_breach"),
        (at(3, 17, 0, 1), False, at(3, 13), at(4, 9, 0, 1), "resolution_breach"),
        (at(4, 9, 0, 1), False, None, None, None),
    ],
)
def test_open_clock_verdicts_warnings_and_deadlines(
    now: datetime,
    met: bool | None,
    warning_at: datetime | None,
    next_at: datetime | None,
    kind: str | None,
) -> None:
    state = sla(created(), now=now)
    assert state.response_met is met
    assert state.response_due_at == at(2, 13)
    assert state.resolution_due_at == at(3, 17)
    assert state.warning_at == warning_at
    assert coming(state, now) == (next_at, kind)
    assert state.responded_at is None
    assert state.business_seconds_to_response is None


def test_deadlines_list_what_was_reached_and_what_is_coming() -> None:
    state = sla(created(), now=at(2, 13, 0, 1))
    assert state.deadlines == (
        Deadline("response_breach", at(2, 13), at(2, 13, 0, 1)),  # its warning superseded
        Deadline("resolution_warning", at(3, 13), at(3, 13)),
        Deadline("resolution_breach", at(3, 17), at(4, 9, 0, 1)),
    )
    # Nothing announced yet: the earliest is due now, however late the job runs.
    assert next_deadline(state.deadlines) == state.deadlines[0]
    assert next_deadline(state.deadlines, ["response_breach"]) == state.deadlines[1]


def test_a_reached_warning_stays_listed_while_paused_but_nothing_is_coming() -> None:
    events = [created(), status(at(2, 12, 30), "waiting_on_client")]
    state = sla(*events, now=at(2, 16))
    assert state.deadlines == (Deadline("response_warning", at(2, 12), at(2, 12)),)
    assert coming(state, at(2, 16)) == (None, None)


def test_warning_threshold_rounds_up_to_whole_seconds() -> None:
    terms = SlaTerms(101, 16 * H, None, 50, PAUSES, OFFICE)  # 50.5 s -> 51 s
    state = sla(created(), now=at(2, 9), terms=terms)
    assert state.warning_at == at(2, 9, 0, 51)
    assert state.response_due_at == at(2, 9, 1, 41)


def test_closed_hours_do_not_count() -> None:
    # Created Friday 16:00: one business hour on Friday, three on Monday.
    state = sla(created(at(6, 16)), response(at(9, 12)), now=at(9, 12))
    assert state.response_due_at == at(9, 12)
    assert state.business_seconds_to_response == 4 * H
    assert state.response_met is True


# --- Pauses ----------------------------------------------------------------------------------


def test_pause_moves_the_due_later_by_the_paused_business_time() -> None:
    events = [created(), status(at(2, 10), "waiting_on_client"), status(at(2, 12), "open")]
    state = sla(*events, now=at(2, 12))
    assert state.response_due_at == at(2, 15)
    assert state.paused_business_seconds == 2 * H
    assert not state.paused
    assert state.paused_since is None
    assert state.warning_at == at(2, 14)


def test_while_paused_the_due_moves_with_now_and_there_is_no_deadline() -> None:
    events = [created(), status(at(2, 10), "waiting_on_client")]
    for now, due in ((at(2, 10), at(2, 13)), (at(2, 11), at(2, 14)), (at(2, 16), at(3, 11))):
        state = sla(*events, now=now)
        assert state.paused
        assert state.paused_since == at(2, 10)
        assert state.response_due_at == due
        assert state.paused_business_seconds == (now - at(2, 10)).seconds
        assert state.warning_at is None
        assert state.deadlines == ()
        assert state.response_met is None


def test_pause_over_closed_hours_counts_business_seconds_only() -> None:
    events = [
        created(at(2, 15)),
        status(at(2, 16), "waiting_on_client"),
        status(at(3, 8), "waiting_on_vendor"),  # still paused: the pause stretch goes on
        status(at(3, 10), "in_progress"),
    ]
    state = sla(*events, now=at(3, 10))
    assert state.paused_business_seconds == 2 * H
    assert state.response_due_at == at(3, 13)  # 1 h Monday, the pause, then 3 h Tuesday


def test_switching_pause_statuses_keeps_paused_since() -> None:
    events = [created(), status(at(2, 10), "waiting_on_client")]
    events.append(status(at(2, 11), "waiting_on_vendor"))
    assert sla(*events, now=at(2, 12)).paused_since == at(2, 10)


def test_breach_through_pauses_is_the_instant_the_running_time_crossed_the_target() -> None:
    events = [
        created(),
        status(at(2, 11), "waiting_on_client"),
        status(at(2, 12), "open"),  # 2 h used, 2 h left from 12:00
        status(at(2, 15), "waiting_on_client"),  # 5 h used: crossed at 14:00
    ]
    state = sla(*events, now=at(4, 9))
    assert state.response_met is False
    assert state.response_due_at == at(2, 14)
    assert state.paused
    # The breach stays listed (its announcement is owed) though the ticket waits now.
    assert state.deadlines == (Deadline("response_breach", at(2, 14), at(2, 14, 0, 1)),)


def test_response_given_while_paused_freezes_the_due_it_had_then() -> None:
    events = [created(), status(at(2, 10), "waiting_on_client"), response(at(2, 11))]
    state = sla(*events, now=at(5, 9))
    assert state.responded_at == at(2, 11)
    assert state.business_seconds_to_response == H
    assert state.response_met is True
    assert state.response_due_at == at(2, 14)  # add(11:00, 3 h), not moved since


# --- Resolution, reopen, response by resolution ---------------------------------------------


def test_resolution_stops_the_clock_and_freezes_its_due() -> None:
    events = [created(), response(at(2, 10)), status(at(2, 17), "resolved")]
    state = sla(*events, status(at(3, 9), "closed"), now=at(13, 9))
    assert state.resolved_at == at(2, 17)  # resolved -> closed is no new transition
    assert state.resolution_met is True
    assert state.business_seconds_to_resolution == 8 * H
    assert state.resolution_due_at == at(3, 17)
    assert state.warning_at is None
    assert state.deadlines == ()  # met in time: nothing reached, nothing coming
    assert not state.paused


def test_resolution_met_exactly_at_target_and_breached_one_second_later() -> None:
    on_time = sla(created(), status(at(3, 17), "resolved"), now=at(4, 9))
    assert on_time.resolution_met is True
    assert on_time.business_seconds_to_resolution == 16 * H
    late = sla(created(), status(at(4, 9, 0, 1), "resolved"), now=at(4, 10))
    assert late.resolution_met is False
    assert late.business_seconds_to_resolution == 16 * H + 1
    assert late.resolution_due_at == at(3, 17)


def test_reopen_resumes_the_resolution_clock_with_its_elapsed_time() -> None:
    events = [created(), response(at(2, 10)), status(at(2, 17), "resolved")]
    events.append(status(at(4, 9), "open"))  # Wednesday: 8 h used, 8 h left
    state = sla(*events, now=at(4, 10))
    assert state.resolved_at is None
    assert state.resolution_met is None
    assert state.business_seconds_to_resolution is None
    assert state.resolution_due_at == at(4, 17)
    assert state.warning_at == at(4, 13)  # 12 h: 8 h Monday + 4 h Wednesday
    assert coming(state, at(4, 10)) == (at(4, 13), "resolution_warning")
    again = sla(*events, status(at(4, 12), "resolved"), now=at(5, 9))
    assert again.resolved_at == at(4, 12)
    assert again.business_seconds_to_resolution == 11 * H
    assert again.resolution_met is True


def test_resolving_answers_the_ticket() -> None:
    events = [created(), status(at(2, 10), "resolved"), response(at(2, 11))]
    state = sla(*events, now=at(2, 12), terms=PLANNED)
    assert state.responded_at == at(2, 10)
    assert state.business_seconds_to_response == H
    assert state.response_met is True
    assert state.planned_at == at(2, 10)
    assert state.plan_met is True
    assert state.response_due_at == at(2, 13)


def test_resolve_and_reopen_at_the_same_instant_leave_the_ticket_open() -> None:
    events = [created(), status(at(2, 10), "resolved"), status(at(2, 10), "open")]
    state = sla(*events, now=at(2, 11))
    assert state.resolved_at is None
    assert state.resolution_met is None
    assert state.responded_at == at(2, 10)  # the resolve still answered the ticket
    assert state.resolution_due_at == at(3, 17)


# --- Plan -------------------------------------------------------------------------------------


def test_plan_fields_are_none_when_not_tracked() -> None:
    state = sla(created(), plan(at(2, 10)), now=at(2, 11))
    assert state.plan_due_at is None
    assert state.planned_at is None
    assert state.plan_met is None


@pytest.mark.parametrize(
    ("given", "met"), [(at(2, 15), True), (at(2, 15, 0, 1), False), (None, False)]
)
def test_plan_clock(given: datetime | None, met: bool | None) -> None:
    events = [created(), response(at(2, 10))] + ([plan(given)] if given else [])
    state = sla(*events, plan(at(2, 16)), now=at(2, 15, 30), terms=PLANNED)
    assert state.plan_due_at == at(2, 15)
    assert state.planned_at == given
    assert state.plan_met is met  # not given by now (15:30): breached all the same


def test_plan_warning_and_breach_deadlines() -> None:
    events = [created(), response(at(2, 9, 30))]
    state = sla(*events, now=at(2, 10), terms=PLANNED)
    assert coming(state, at(2, 10)) == (at(2, 13, 30), "plan_warning")  # ceil(6 h * 75 %)
    state = sla(*events, now=at(2, 14), terms=PLANNED)
    assert coming(state, at(2, 14)) == (at(2, 15, 0, 1), "plan_breach")


# --- The log itself ---------------------------------------------------------------------------


def test_events_after_now_are_ignored() -> None:
    events = [created(), response(at(2, 12)), status(at(2, 11), "waiting_on_client")]
    state = sla(*events, now=at(2, 10, 30))
    assert state.responded_at is None
    assert not state.paused
    assert state == sla(created(), now=at(2, 10, 30))
    assert sla(*events, now=at(2, 11)).paused  # an event exactly at now counts


def test_events_are_sorted_and_created_goes_first_among_equal_instants() -> None:
    events = [response(at(2, 9)), status(at(2, 10), "resolved"), created()]
    state = sla(*events, now=at(2, 11))
    assert state.responded_at == at(2, 9)
    assert state.business_seconds_to_response == 0
    assert state.resolved_at == at(2, 10)


def test_outputs_are_utc_whatever_the_input_zone() -> None:
    state = sla(created(at(2, 9).astimezone(ZoneInfo("Asia/Tokyo"))), now=at(2, 10))
    assert state.response_due_at is not None
    assert state.response_due_at.tzinfo is UTC
    assert state.response_due_at == datetime(2026, 3, 2, 12, tzinfo=UTC)


def test_a_compiled_calendar_gives_the_same_answers() -> None:
    events = [created(), status(at(2, 10), "waiting_on_client"), response(at(3, 12))]
    compiled = replace(TERMS, calendar=compile_calendar(OFFICE))
    assert sla(*events, now=at(4, 9), terms=compiled) == sla(*events, now=at(4, 9))


def test_created_without_status_starts_running() -> None:
    state = sla(ClockEvent(at(2, 9), ClockEventKind.CREATED), now=at(2, 10))
    assert state.response_due_at == at(2, 13)


def test_created_in_a_pause_status_starts_paused() -> None:
    state = sla(created(status="waiting_on_vendor"), now=at(2, 10))
    assert state.paused
    assert state.paused_since == at(2, 9)
    assert state.paused_business_seconds == H


NAIVE = datetime(2026, 3, 2, 9)  # noqa: DTZ001 - deliberately naive


@pytest.mark.parametrize(
    ("events", "now", "message"),
    [
        ([], at(2, 9), "no CREATED event"),
        ([response(at(2, 9))], at(2, 9), "no CREATED event"),
        ([created(at(2, 12))], at(2, 11), "no CREATED event at or before now"),
        ([created(), created(at(2, 10))], at(2, 11), "more than one CREATED"),
        ([created(), response(at(2, 8))], at(2, 11), "precedes CREATED"),
        ([created()], NAIVE, "now: naive datetime"),
        ([created(), response(NAIVE)], at(2, 11), r"events\[1\].at: naive datetime"),
        ([created(), ClockEvent(at(2, 10), ClockEventKind.STATUS)], at(2, 11), "status"),
    ],
)
def test_bad_logs_are_refused_with_a_clear_error(
    events: list[ClockEvent], now: datetime, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        compute_sla(events, TERMS, now)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"response_seconds": 0}, "response_seconds: must be a positive"),
        ({"resolution_seconds": -1}, "resolution_seconds"),
        ({"plan_seconds": 0}, "plan_seconds"),
        ({"response_seconds": True}, "response_seconds"),
        ({"warning_percent": 0}, "warning_percent: must be a whole number 1..99"),
        ({"warning_percent": 100}, "warning_percent"),
        ({"pause_statuses": frozenset({"closed"})}, "pause_statuses"),
        ({"calendar": "24x7"}, "calendar: expected a CalendarSpec"),
    ],
)
def test_bad_terms_are_refused_naming_the_field(change: dict[str, Any], message: str) -> None:
    fields: dict[str, Any] = {
        "response_seconds": H,
        "resolution_seconds": 8 * H,
        "plan_seconds": None,
        "warning_percent": 75,
        "pause_statuses": PAUSES,
        "calendar": OFFICE,
    }
    with pytest.raises(ValueError, match=message):
        SlaTerms(**(fields | change))


def test_resolved_statuses() -> None:
    assert frozenset({"resolved", "closed"}) == RESOLVED_STATUSES

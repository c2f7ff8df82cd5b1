"""Service-desk statistics over tickets worked through the services at fixed instants.

``march`` builds one month of Acme tickets (and one of Globex) whose every figure is worked out
by hand in the comments, so each aggregate is checked against an independent count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.servicedesk import services, stats
from steward.servicedesk.choices import Impact, Status, Urgency
from steward.servicedesk.models import Survey, Ticket
from steward.servicedesk.services import csat
from tests.servicedesk.conftest import MONDAY_10, Desk

T = TypeVar("T")
# March 2026 in Berlin: local midnight to local midnight (CET, then CEST from the 29th).
MARCH = (datetime(2026, 2, 28, 23, tzinfo=UTC), datetime(2026, 3, 31, 22, tzinfo=UTC))
MINUTE, HOUR = 60, 3600


def at(moment: datetime, action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a service verb with the clock stopped at ``moment`` (its ``at`` too)."""
    with time_machine.travel(moment, tick=False):
        return action(*args, at=moment, **kwargs)


@dataclass
class March:
    server_down: Ticket  # P1, answered and resolved in time, rated 5
    vpn_down: Ticket  # P1, answered and resolved late, two staff replies, rated 2
    mouse: Ticket  # P4, answered in time, still open
    printer: Ticket  # P4, resolved, reopened by the client, resolved again
    duplicate: Ticket  # P1, merged into vpn_down: never counted
    globex: Ticket  # Globex P4, answered
    april: Ticket  # Acme, next month


def resolve(ticket: Ticket, moment: datetime, desk: Desk) -> None:
    at(moment, services.change_status, ticket, Status.RESOLVED, by=desk.world.bob)


def answer(ticket: Ticket, rating: int, moment: datetime, comment: str = "") -> None:
    survey = Survey.objects.get(ticket=ticket)
    with time_machine.travel(moment, tick=False):
        csat.answer_survey(survey, rating, comment, now=moment)


def march(desk: Desk) -> March:
    """Monday 2 March 2026, 09:00 UTC (10:00 in Berlin); P1 runs on 24x7, P4 on office hours."""
    bob, t0 = desk.world.bob, MONDAY_10
    p1 = {"impact": Impact.HIGH, "urgency": Urgency.HIGH}

    server = at(t0, desk.ticket, subject="Server down", **p1)
    at(t0 + timedelta(minutes=30), services.reply, server, "On it", by=bob)  # 1800 s, met
    resolve(server, t0 + timedelta(hours=2), desk)  # 7200 s of 4 h: met
    answer(server, 5, t0 + timedelta(hours=3))

    vpn = at(t0 + timedelta(hours=1), desk.ticket, subject="VPN down", **p1)
    duplicate = at(t0 + timedelta(minutes=65), desk.ticket, subject="VPN down too", **p1)
    at(t0 + timedelta(minutes=70), services.merge, duplicate, vpn, by=bob)
    at(t0 + timedelta(hours=3), services.reply, vpn, "Looking", by=bob)  # 7200 s of 1 h: missed
    at(t0 + timedelta(hours=4), services.reply, vpn, "Vendor case opened", by=bob, public=False)
    at(t0 + timedelta(hours=5), services.reply, vpn, "Still on it", by=bob)
    resolve(vpn, t0 + timedelta(hours=6), desk)  # 18000 s of 4 h: missed
    answer(vpn, 2, t0 + timedelta(hours=7), "Far too slow")

    mouse = at(t0 + timedelta(hours=2), desk.ticket, subject="Mouse broken")
    at(t0 + timedelta(hours=3), services.reply, mouse, "New one is on its way", by=bob)  # 3600

    printer = at(t0 + timedelta(hours=3), desk.ticket, subject="Printer jam")
    at(t0 + timedelta(minutes=210), services.reply, printer, "Cleared it", by=bob)  # 1800
    resolve(printer, t0 + timedelta(hours=4), desk)
    contact = desk.world.acme_contact
    at(t0 + timedelta(hours=5), services.reply, printer, "Jammed again", by_contact=contact)
    resolve(printer, t0 + timedelta(hours=6), desk)  # 1 h + 1 h running: 7200 s, met

    globex = at(
        t0,
        desk.ticket,
        subject="Globex laptop",
        client=desk.world.globex,
        requester=desk.world.globex_contact,
    )
    at(t0 + timedelta(hours=1), services.reply, globex, "Hello", by=desk.world.alice)

    april = at(datetime(2026, 4, 1, 8, tzinfo=UTC), desk.ticket, subject="Next month")
    tickets = [server, vpn, mouse, printer, duplicate, globex, april]
    for ticket in tickets:
        ticket.refresh_from_db()
    return March(*tickets)


@pytest.fixture
def month(desk: Desk) -> March:
    return march(desk)


def by_key(rows: list[Any], *names: str) -> dict[tuple[Any, ...], Any]:
    return {tuple(getattr(r, n) for n in names): r for r in rows}


def test_attainment_counts_decided_outcomes_per_client_and_priority(
    desk: Desk, month: March
) -> None:
    acme, globex = desk.world.acme.pk, desk.world.globex.pk
    rows = by_key(stats.attainment(*MARCH), "client_id", "priority")
    assert rows[(acme, "P1")] == stats.AttainmentRow(acme, "P1", 1, 2, 1, 2)
    # The mouse's resolution is still within its target: not decided, not counted.
    assert rows[(acme, "P4")] == stats.AttainmentRow(acme, "P4", 2, 2, 1, 1)
    assert rows[(globex, "P4")] == stats.AttainmentRow(globex, "P4", 1, 1, 0, 0)
    assert set(rows) == {(acme, "P1"), (acme, "P4"), (globex, "P4")}
    assert rows[(acme, "P1")].response_percent == 50
    assert rows[(globex, "P4")].resolution_percent is None
    only_globex = stats.attainment(*MARCH, clients=[desk.world.globex])
    assert [r.client_id for r in only_globex] == [globex]


def test_attainment_range_is_half_open(desk: Desk, month: March) -> None:
    created = month.server_down.created_at
    just_before = stats.attainment(created - timedelta(days=1), created)
    assert all(r.client_id != desk.world.acme.pk or r.priority != "P1" for r in just_before)
    starting = by_key(stats.attainment(created, created + timedelta(seconds=1)), "priority")
    assert starting[("P1",)].response_total == 1


def test_mean_times(desk: Desk, month: March) -> None:
    acme = desk.world.acme.pk
    answered = by_key(stats.mtta(*MARCH, clients=[acme]), "priority")
    assert answered[("P1",)] == stats.DurationRow(acme, "P1", 2, 1800 + 7200)
    assert answered[("P4",)] == stats.DurationRow(acme, "P4", 2, 3600 + 1800)
    assert answered[("P1",)].mean_seconds == 4500
    resolved = by_key(stats.mttr(*MARCH, clients=[acme]), "priority")
    assert resolved[("P1",)] == stats.DurationRow(acme, "P1", 2, 7200 + 18000)
    assert resolved[("P4",)] == stats.DurationRow(acme, "P4", 1, 7200)
    assert stats.combine(list(resolved.values())) == {"count": 3, "total_seconds": 32400}
    assert stats.combine(list(resolved.values()), "P4") == {"count": 1, "total_seconds": 7200}


def test_mttr_counts_by_resolution_instant(desk: Desk, month: March) -> None:
    resolved_at = month.vpn_down.resolved_at
    assert resolved_at is not None
    rows = stats.mttr(resolved_at, resolved_at + timedelta(seconds=1))
    # The printer was resolved at the same instant (its last resolution).
    assert sorted((r.priority, r.total_seconds) for r in rows) == [("P1", 18000), ("P4", 7200)]


def test_reopen_rate_and_first_contact_resolution(desk: Desk, month: March) -> None:
    acme = desk.world.acme.pk
    # Resolved at least once: server, vpn, printer; the printer was reopened.
    assert stats.reopen_rate(*MARCH, clients=[acme]) == [stats.RateRow(acme, 1, 3)]
    # First contact: the server (one staff reply). Not the vpn (two public staff replies;
    # the internal note does not count) nor the printer (reopened).
    fcr = stats.first_contact_resolution(*MARCH, clients=[acme])
    assert fcr == [stats.RateRow(acme, 1, 3)]
    assert fcr[0].percent == Decimal("33.3333")
    # Globex's ticket is not resolved: no row.
    assert stats.first_contact_resolution(*MARCH, clients=[desk.world.globex]) == []


def test_csat(desk: Desk, month: March) -> None:
    acme = desk.world.acme.pk
    # Sent: server, vpn, printer (the duplicate's survey does not count); answered: 2.
    [row] = stats.csat(*MARCH, clients=[acme])
    assert row == stats.CsatRow(acme, sent=3, answered=2, rated=2, rating_total=7)
    assert row.average == Decimal("3.5")
    assert row.response_rate == Decimal("66.6667")
    assert Survey.objects.filter(ticket=month.duplicate).exists()


def test_csat_average_counts_answers_in_the_range(desk: Desk, month: March) -> None:
    survey = Survey.objects.get(ticket=month.vpn_down)
    assert survey.answered_at is not None
    [row] = stats.csat(survey.answered_at, survey.answered_at + timedelta(seconds=1))
    # Answered in the range, sent before it.
    assert (row.sent, row.answered, row.rated, row.rating_total) == (0, 0, 1, 2)
    assert row.response_rate is None


def test_backlog_age_at_an_instant(desk: Desk, month: March) -> None:
    acme = desk.world.acme.pk
    end = MARCH[1]
    [row] = stats.backlog_age(end, clients=[acme])
    # Only the mouse is open at the end of March: opened 2 March 11:00 UTC, 29 days before.
    assert row.open == 1
    assert row.buckets == {"under_1d": 0, "1d_3d": 0, "3d_7d": 0, "7d_30d": 1, "over_30d": 0}
    assert row.oldest_created_at == month.mouse.created_at
    # Half an hour after the printer was first resolved (and before it was reopened): the
    # server is resolved; the vpn and the mouse are open; the printer counts as open because
    # its last resolution is later (the documented approximation); the duplicate never counts.
    mid = month.server_down.created_at + timedelta(hours=4, minutes=30)
    [row] = stats.backlog_age(mid, clients=[acme])
    assert row.open == 3
    assert row.buckets["under_1d"] == row.open


def test_backlog_bucket_bounds(desk: Desk, month: March) -> None:
    created = month.mouse.created_at
    [row] = stats.backlog_age(created + timedelta(days=7), clients=[desk.world.acme])
    assert row.buckets["7d_30d"] == 1  # exactly 7 days old: the 7-30 days bucket
    [row] = stats.backlog_age(created + timedelta(days=7, seconds=-1), clients=[desk.world.acme])
    assert row.buckets["3d_7d"] == 1
    assert stats.backlog_age(created, clients=[desk.world.globex.pk])[0].open == 1


def test_stats_run_one_query_each(desk: Desk, month: March, django_assert_num_queries: Any) -> None:
    for figure in (
        stats.attainment,
        stats.mtta,
        stats.mttr,
        stats.reopen_rate,
        stats.first_contact_resolution,
        stats.csat,
    ):
        with django_assert_num_queries(1):
            figure(*MARCH)
    with django_assert_num_queries(1):
        stats.backlog_age(MARCH[1])


def test_percent() -> None:
    assert stats.percent(1, 3) == Decimal("33.3333")
    assert stats.percent(0, 0) is None
    assert stats.percent(2, 2) == 100


# --- Property: every aggregate equals a count in Python over the same rows -----------------------

START = datetime(2026, 3, 1, tzinfo=UTC)
END = START + timedelta(days=30)
OPEN = [s for s in Status.values if s not in stats.DONE]
maybe_bool = st.sampled_from([None, True, False])
row_spec = st.fixed_dictionaries(
    {
        "client": st.integers(0, 1),
        "priority": st.sampled_from(["P1", "P2", "P3", "P4"]),
        "created": st.integers(-3 * 24 * 60, 33 * 24 * 60),  # minutes from START
        "response_met": maybe_bool,
        "resolution_met": maybe_bool,
        "to_response": st.none() | st.integers(0, 10**6),
        "to_resolution": st.none() | st.integers(0, 10**6),
        "status": st.sampled_from(Status.values),
        "resolved_after": st.none() | st.integers(0, 20 * 24 * 60),
        "reopen_count": st.integers(0, 2),
        "merged": st.booleans(),
        "survey": st.none()
        | st.tuples(st.integers(0, 40 * 24 * 60), st.none() | st.integers(1, 5)),
    }
)


def _store(world: Any, specs: list[dict[str, Any]]) -> list[Ticket]:
    Ticket.objects.all().delete()
    clients = [world.acme, world.globex]
    anchor = Ticket.objects.create(client=world.acme, subject="anchor", created_at=START)
    rows = []
    for n, spec in enumerate(specs):
        created = START + timedelta(minutes=spec["created"])
        resolved = None
        if spec["resolved_after"] is not None:
            resolved = created + timedelta(minutes=spec["resolved_after"])
        rows.append(
            Ticket(
                client=clients[spec["client"]],
                subject=f"t{n}",
                priority=spec["priority"],
                created_at=created,
                updated_at=created + timedelta(hours=1),
                response_met=spec["response_met"],
                resolution_met=spec["resolution_met"],
                business_seconds_to_response=spec["to_response"],
                business_seconds_to_resolution=spec["to_resolution"],
                status=spec["status"],
                resolved_at=resolved,
                reopen_count=spec["reopen_count"],
                merged_into=anchor if spec["merged"] else None,
            )
        )
    Ticket.objects.bulk_create(rows)
    surveys = []
    for ticket, spec in zip(rows, specs, strict=True):
        if spec["survey"] is not None:
            sent = ticket.created_at + timedelta(minutes=spec["survey"][0])
            rating = spec["survey"][1]
            surveys.append(
                Survey(
                    client_id=ticket.client_id,
                    ticket=ticket,
                    sent_at=sent,
                    rating=rating,
                    answered_at=sent + timedelta(hours=5) if rating else None,
                )
            )
    Survey.objects.bulk_create(surveys)
    return [anchor, *rows]


def _oracle_attainment(tickets: list[Ticket]) -> set[stats.AttainmentRow]:
    groups: dict[tuple[int, str], list[Ticket]] = {}
    for t in tickets:
        if t.merged_into_id is None and START <= t.created_at < END:
            groups.setdefault((t.client_id, t.priority), []).append(t)
    return {
        stats.AttainmentRow(
            client,
            priority,
            sum(t.response_met is True for t in ts),
            sum(t.response_met is not None for t in ts),
            sum(t.resolution_met is True for t in ts),
            sum(t.resolution_met is not None for t in ts),
        )
        for (client, priority), ts in groups.items()
    }


def _oracle_durations(tickets: list[Ticket], column: str, chosen: Any) -> set[stats.DurationRow]:
    sums: dict[tuple[int, str], list[int]] = {}
    for t in tickets:
        seconds = getattr(t, column)
        if t.merged_into_id is None and seconds is not None and chosen(t):
            sums.setdefault((t.client_id, t.priority), []).append(seconds)
    return {stats.DurationRow(c, p, len(v), sum(v)) for (c, p), v in sums.items()}


def _oracle_backlog(tickets: list[Ticket], at: datetime) -> dict[int, tuple[int, list[int]]]:
    found: dict[int, tuple[int, list[int]]] = {}
    for t in tickets:
        done_at = t.resolved_at or t.closed_at or t.updated_at
        if t.merged_into_id is None and t.created_at < at and (t.status in OPEN or done_at >= at):
            count, ages = found.get(t.client_id, (0, []))
            found[t.client_id] = (count + 1, [*ages, int((at - t.created_at).total_seconds())])
    return found


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(specs=st.lists(row_spec, max_size=25))
def test_aggregates_equal_a_count_in_python(world: Any, specs: list[dict[str, Any]]) -> None:
    tickets = _store(world, specs)
    assert set(stats.attainment(START, END)) == _oracle_attainment(tickets)
    assert set(stats.mtta(START, END)) == _oracle_durations(
        tickets, "business_seconds_to_response", lambda t: START <= t.created_at < END
    )
    resolved_in = lambda t: (  # noqa: E731
        t.resolved_at is not None and START <= t.resolved_at < END and t.status in stats.DONE
    )
    assert set(stats.mttr(START, END)) == _oracle_durations(
        tickets, "business_seconds_to_resolution", resolved_in
    )
    reopened: dict[int, list[int]] = {}
    for t in tickets:
        counted = t.merged_into_id is None and START <= t.created_at < END
        if counted and (t.status in stats.DONE or t.reopen_count > 0):
            part, whole = reopened.get(t.client_id, [0, 0])
            reopened[t.client_id] = [part + (t.reopen_count > 0), whole + 1]
    assert {(r.client_id, r.part, r.whole) for r in stats.reopen_rate(START, END)} == {
        (c, p, w) for c, (p, w) in reopened.items()
    }
    at = START + timedelta(days=10)
    expected = _oracle_backlog(tickets, at)
    for row in stats.backlog_age(at):
        count, ages = expected.pop(row.client_id)
        assert row.open == count == sum(row.buckets.values())
        assert row.buckets["over_30d"] == sum(a >= 30 * 86400 for a in ages)
        assert row.buckets["under_1d"] == sum(a < 86400 for a in ages)
    assert expected == {}
    surveys = list(Survey.objects.filter(ticket__merged_into__isnull=True))
    for survey_row in stats.csat(START, END):
        mine = [s for s in surveys if s.client_id == survey_row.client_id]
        sent = [s for s in mine if START <= s.sent_at < END]
        rated = [s for s in mine if s.answered_at and START <= s.answered_at < END]
        answered = sum(s.answered_at is not None for s in sent)
        assert (survey_row.sent, survey_row.answered) == (len(sent), answered)
        total = sum(s.rating or 0 for s in rated)
        assert (survey_row.rated, survey_row.rating_total) == (len(rated), total)

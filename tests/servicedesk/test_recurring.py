"""Recurring preventive tickets: RRULE in the client's zone across DST, claiming, catch-up."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import OperationalError, close_old_connections
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.servicedesk.choices import Source
from steward.servicedesk.models import RecurringTicket, Ticket
from steward.servicedesk.services import recurring
from steward.servicedesk.tasks import open_recurring_tickets
from tests.servicedesk.conftest import Desk

BERLIN = "Europe/Berlin"
FIRST_MONDAY = "FREQ=MONTHLY;BYDAY=1MO"
# Monday 5 January 2026, 09:00 in Berlin (CET, UTC+1).
JAN_5_0900 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
# The first Mondays around the change to summer time (Sunday 29 March 2026): 09:00 CET is
# 08:00 UTC, 09:00 CEST is 07:00 UTC.
MAR_2_0900 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
APR_6_0900 = datetime(2026, 4, 6, 7, 0, tzinfo=UTC)
MAY_4_0900 = datetime(2026, 5, 4, 7, 0, tzinfo=UTC)


def schedule(desk: Desk, now: datetime, **fields: object) -> RecurringTicket:
    values: dict[str, object] = {
        "subject": "Patch servers",
        "rrule": FIRST_MONDAY,
        "dtstart": JAN_5_0900,
    } | fields
    return recurring.create_recurring(desk.acme_agreement, now=now, **values)  # type: ignore[arg-type]


# --- The pure rule ------------------------------------------------------------------------------


def test_first_monday_keeps_its_wall_time_across_the_spring_change() -> None:
    after = MAR_2_0900
    following = recurring.next_occurrence(FIRST_MONDAY, after, BERLIN, dtstart=JAN_5_0900)
    assert following == APR_6_0900
    assert following.astimezone(ZoneInfo(BERLIN)).hour == 9
    assert recurring.next_occurrence(FIRST_MONDAY, following, BERLIN, dtstart=JAN_5_0900) == (
        MAY_4_0900
    )
    # Strictly after, unless asked inclusive.
    assert (
        recurring.next_occurrence(
            FIRST_MONDAY, MAR_2_0900, BERLIN, dtstart=JAN_5_0900, inclusive=True
        )
        == MAR_2_0900
    )


def test_a_wall_time_in_the_spring_gap_moves_forward_and_the_autumn_fold_fires_once() -> None:
    start = datetime(2026, 3, 27, 1, 30, tzinfo=UTC)  # 02:30 CET
    gap_day = recurring.next_occurrence(
        "FREQ=DAILY", datetime(2026, 3, 28, 12, tzinfo=UTC), BERLIN, dtstart=start
    )
    # 02:30 does not exist on 29 March: 01:30 UTC is 03:30 CEST.
    assert gap_day == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    fold_start = datetime(2026, 10, 20, 0, 30, tzinfo=UTC)  # 02:30 CEST
    after: datetime | None = datetime(2026, 10, 24, 12, tzinfo=UTC)
    seen = []
    for _ in range(2):
        assert after is not None
        after = recurring.next_occurrence("FREQ=DAILY", after, BERLIN, dtstart=fold_start)
        seen.append(after)
    # 25 October has 02:30 twice; the first (CEST) is the one, then 02:30 CET on the 26th.
    assert seen == [
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 26, 1, 30, tzinfo=UTC),
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("BYDAY=MO", "FREQ"),
        ("FREQ=FORTNIGHTLY", "not a valid RFC 5545 rule"),
        ("FREQ=HOURLY", "DAILY, WEEKLY, MONTHLY or YEARLY"),
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL"),
        ("FREQ=DAILY;BYDAY=XX", "BYDAY"),
        ("DTSTART:20260101T000000\nRRULE:FREQ=DAILY", "one RRULE line"),
        ("FREQ=DAILY;" + "BYHOUR=1;" * 60, "longer than 500"),
    ],
)
def test_bad_rules_name_the_field_and_the_reason(text: str, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        recurring.parse_rule(text, JAN_5_0900, BERLIN)
    (message,) = caught.value.message_dict["rrule"]
    assert reason in message


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="FREQ=DAILYWKMONTHBYSETPOSCUNI;,:-+0123456789 \n", max_size=60))
def test_any_text_is_a_rule_or_a_clear_error_about_rrule(text: str) -> None:
    fields = {"rrule"}
    try:
        recurring.parse_rule(text, JAN_5_0900, BERLIN)
    except ValidationError as exc:
        fields = set(exc.message_dict)
    assert fields == {"rrule"}


RULES = st.builds(
    lambda freq, interval, extra: f"FREQ={freq};INTERVAL={interval}{extra}",
    st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]),
    st.integers(min_value=1, max_value=4),
    st.sampled_from(["", ";BYDAY=MO,FR", ";BYDAY=1MO", ";BYMONTHDAY=1,15", ";BYDAY=-1FR"]),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    RULES,
    st.datetimes(
        min_value=datetime.fromisoformat("2026-01-01T00:00"),
        max_value=datetime.fromisoformat("2030-12-31T00:00"),
        timezones=st.just(UTC),
    ),
)
def test_next_occurrence_is_after_and_keeps_the_wall_time(rule: str, after: datetime) -> None:
    moment = after
    found = recurring.next_occurrence(rule, moment, BERLIN, dtstart=JAN_5_0900)
    assert found is not None
    assert found > moment
    local = found.astimezone(ZoneInfo(BERLIN))
    assert (local.hour, local.minute) == (9, 0)  # 09:00 exists every day, DST or not
    # Nothing in between: the occurrence right before it is not after ``moment``.
    assert (
        recurring.next_occurrence(rule, found - timedelta(seconds=1), BERLIN, dtstart=JAN_5_0900)
        == found
    )


# --- Creating due tickets -----------------------------------------------------------------------


def test_a_ticket_is_opened_lead_days_ahead_at_the_exact_second(desk: Desk) -> None:
    row = schedule(desk, now=datetime(2026, 3, 10, tzinfo=UTC), lead_days=2)
    assert row.next_occurrence_at == APR_6_0900
    due = APR_6_0900 - timedelta(days=2)
    with time_machine.travel(due - timedelta(seconds=1), tick=False):
        assert open_recurring_tickets.call() == 0
    with time_machine.travel(due, tick=False):
        assert open_recurring_tickets.call() == 1
        assert open_recurring_tickets.call() == 0  # never twice for one occurrence
    ticket = Ticket.objects.get()
    assert ticket.source == Source.RECURRING
    assert ticket.subject == "Patch servers (2026-04-06)"
    assert ticket.created_at == due
    assert ticket.agreement == desk.acme_agreement
    # The SLA runs from creation, as for any ticket (P3: 4 business hours; Saturday 4 April
    # 09:00 Berlin is outside office hours, Monday 6 April is Easter Monday in Berlin).
    assert ticket.sla_policy == desk.acme_policy
    assert ticket.response_due_at == datetime(2026, 4, 7, 11, 0, tzinfo=UTC)
    row.refresh_from_db()
    assert (row.last_occurrence_at, row.next_occurrence_at) == (APR_6_0900, MAY_4_0900)


def test_the_occurrence_after_the_spring_change_is_claimed_at_its_own_utc_second(
    desk: Desk,
) -> None:
    schedule(desk, now=datetime(2026, 2, 10, tzinfo=UTC))
    with time_machine.travel(MAR_2_0900, tick=False):
        assert [t.subject for t in recurring.create_due_recurring(MAR_2_0900)] == [
            "Patch servers (2026-03-02)"
        ]
    assert RecurringTicket.objects.get().next_occurrence_at == APR_6_0900
    assert recurring.create_due_recurring(APR_6_0900 - timedelta(seconds=1)) == []
    assert len(recurring.create_due_recurring(APR_6_0900)) == 1


def test_missed_occurrences_are_caught_up_one_ticket_each(desk: Desk) -> None:
    schedule(desk, now=datetime(2026, 1, 1, tzinfo=UTC))
    opened = recurring.create_due_recurring(MAY_4_0900)  # down since New Year
    assert [t.subject[-12:] for t in opened] == [
        "(2026-01-05)",
        "(2026-02-02)",
        "(2026-03-02)",
        "(2026-04-06)",
        "(2026-05-04)",
    ]
    assert {t.created_at for t in opened} == {MAY_4_0900}
    assert recurring.create_due_recurring(MAY_4_0900) == []


def test_two_workers_with_the_same_snapshot_open_one_ticket(desk: Desk) -> None:
    row = schedule(desk, now=datetime(2026, 3, 10, tzinfo=UTC))
    first, second = RecurringTicket.objects.get(pk=row.pk), RecurringTicket.objects.get(pk=row.pk)
    assert recurring.claim_occurrence(first, APR_6_0900) is not None
    assert recurring.claim_occurrence(second, APR_6_0900) is None
    assert Ticket.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_worker_threads_claim_each_occurrence_once(desk: Desk) -> None:
    schedule(desk, now=datetime(2026, 1, 1, tzinfo=UTC))
    results: list[int | str] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        barrier.wait()
        try:
            results.append(len(recurring.create_due_recurring(MAY_4_0900)))
        except OperationalError as exc:
            # SQLite's in-memory test database refuses a second writer at once instead of
            # waiting ("table is locked"); that worker acts on nothing, like a lost claim.
            results.append(str(exc))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2
    # The next run (after a crash or a lock) finds nothing left or finishes the catch-up.
    recurring.create_due_recurring(MAY_4_0900)
    refs = list(
        Ticket.objects.filter(source=Source.RECURRING).values_list("external_ref", flat=True)
    )
    assert len(refs) == len(set(refs)) == 5


def test_update_recomputes_without_repeating_and_deactivate_stops(desk: Desk) -> None:
    row = schedule(desk, now=datetime(2026, 3, 10, tzinfo=UTC))
    recurring.create_due_recurring(APR_6_0900)
    weekly = recurring.update_recurring(
        row, {"rrule": "FREQ=WEEKLY;BYDAY=MO"}, now=APR_6_0900 + timedelta(minutes=1)
    )
    assert weekly.next_occurrence_at == APR_6_0900 + timedelta(days=7)
    with pytest.raises(ValidationError) as caught:
        recurring.update_recurring(row, {"rrule": "FREQ=MINUTELY"})
    assert "rrule" in caught.value.message_dict
    recurring.deactivate_recurring(row)
    assert recurring.create_due_recurring(datetime(2027, 1, 1, tzinfo=UTC)) == []
    assert Ticket.objects.count() == 1


def test_a_rule_that_has_ended_is_refused(desk: Desk) -> None:
    with pytest.raises(ValidationError) as caught:
        schedule(desk, now=datetime(2026, 6, 1, tzinfo=UTC), rrule=FIRST_MONDAY + ";COUNT=2")
    assert "no occurrence" in caught.value.message_dict["rrule"][0]
    assert not RecurringTicket.objects.exists()


# --- API and pages ------------------------------------------------------------------------------


def test_api_crud_and_errors(desk: Desk) -> None:
    api = desk.world.bearer(desk.world.alice)
    url = f"/api/v1/agreements/{desk.acme_agreement.pk}/recurring-tickets"
    body = {
        "subject": "Check backups",
        "rrule": "FREQ=WEEKLY;BYDAY=FR",
        "dtstart": "2026-01-02T08:00:00Z",
    }
    with time_machine.travel(datetime(2026, 3, 10, tzinfo=UTC), tick=False):
        bad = api.post(
            url, body | {"rrule": "FREQ=WEEKLY;BYDAY=FRI"}, content_type="application/json"
        )
        assert bad.status_code == 422
        assert bad.json()["detail"][0]["loc"] == ["body", "rrule"]
        created = api.post(url, body, content_type="application/json")
        assert created.status_code == 201, created.content
        rule_id = created.json()["id"]
        assert created.json()["next_occurrence_at"] == "2026-03-13T08:00:00Z"
        assert [r["id"] for r in api.get(url).json()["items"]] == [rule_id]
        patched = api.patch(
            f"/api/v1/recurring-tickets/{rule_id}",
            {"lead_days": 3},
            content_type="application/json",
        )
        assert patched.json()["lead_days"] == 3
        assert api.delete(f"/api/v1/recurring-tickets/{rule_id}").status_code == 204
    assert api.get(f"/api/v1/recurring-tickets/{rule_id}").json()["active"] is False
    dave = desk.world.bearer(desk.world.dave)
    assert dave.get(url).status_code in (403, 404)
    assert dave.get(f"/api/v1/recurring-tickets/{rule_id}").status_code in (403, 404)
    eve = desk.world.bearer(desk.world.eve)
    assert eve.get(f"/api/v1/recurring-tickets/{rule_id}").status_code == 404


def test_list_and_form_pages(desk: Desk) -> None:
    web = desk.world.http(desk.world.alice)
    list_url = reverse("servicedesk:recurring_list", args=[desk.acme_agreement.pk])
    create_url = reverse("servicedesk:recurring_create", args=[desk.acme_agreement.pk])
    form = {
        "subject": "Check UPS",
        "kind": "service_request",
        "priority": "P3",
        "rrule": "FREQ=MONTHLY;BYDAY=1MO",
        "dtstart": "2026-01-05T09:00",  # Berlin wall time
        "lead_days": "1",
        "active": "on",
    }
    with time_machine.travel(datetime(2026, 3, 10, tzinfo=UTC), tick=False):
        bad = web.post(create_url, form | {"rrule": "FREQ=SOMETIMES"})
        assert bad.status_code == 200
        assert "not a valid RFC 5545 rule" in bad.content.decode()
        assert web.post(create_url, form).status_code == 302
    row = RecurringTicket.objects.get()
    assert row.dtstart == JAN_5_0900
    assert row.next_occurrence_at == APR_6_0900
    page = web.get(list_url)
    assert b"Check UPS" in page.content
    assert desk.world.http(desk.world.eve).get(list_url).status_code == 404
    assert desk.world.http(desk.world.bob).get(create_url).status_code == 403

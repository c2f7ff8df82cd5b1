"""Web pages of the agreements app: dates shown, badges, calendar preview, forms, scoping."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import time_machine

from steward.agreements import services
from steward.agreements.models import Agreement, BusinessCalendar
from tests.agreements.conftest import BERLIN_OFFICE
from tests.conftest import World


def test_index_shows_renewal_and_notice_dates(world: World, agreement: Agreement) -> None:
    with time_machine.travel("2025-06-01T10:00:00Z", tick=False):
        body = world.http(world.alice).get("/agreements/").content.decode()
    assert "ACME-MSA-1" in body
    assert "2025-12-31" in body  # current term ends
    assert "2026-01-01" in body  # renews on
    assert "2025-10-02" in body  # notice deadline


def test_agreement_detail_and_per_client_list(world: World, agreement: Agreement) -> None:
    http = world.http(world.bob)
    assert http.get(f"/agreements/{agreement.pk}/").status_code == 200
    assert b"ACME-MSA-1" in http.get(f"/clients/{world.acme.pk}/agreements/").content
    dave = world.http(world.dave)
    assert dave.get(f"/agreements/{agreement.pk}/").status_code == 404
    assert dave.get(f"/clients/{world.acme.pk}/agreements/").status_code == 404
    assert b"ACME-MSA-1" not in dave.get("/agreements/").content


def test_create_form_names_the_bad_field(world: World) -> None:
    http = world.http(world.alice)
    data = {
        "client": world.acme.pk, "reference": "NEW-1", "start_date": "2026-01-01",
        "term_months": 0, "notice_days": 30, "payment_terms": "net_30", "currency": "eur",
        "timezone": "Europe/Berlin",
    }  # fmt: skip
    response = http.post("/agreements/new/", data)
    assert response.status_code == 200
    assert b"Term months:" in response.content
    data["term_months"] = 12
    response = http.post("/agreements/new/", data)
    assert response.status_code == 302
    assert Agreement.objects.get(reference="NEW-1").currency == "EUR"


def test_a_technician_cannot_create_and_dave_cannot_use_acme(world: World) -> None:
    assert world.http(world.bob).get("/agreements/new/").status_code == 403
    data = {"client": world.acme.pk, "reference": "X", "start_date": "2026-01-01"}
    assert world.http(world.dave).post("/agreements/new/", data).status_code == 403
    assert not Agreement.objects.filter(reference="X").exists()


def test_license_badges_and_seat_form(world: World) -> None:
    lic = services.create_license(
        world.acme, vendor="Microsoft", product="Defender for Business", seats=10,
        assigned_seats=12, start_date=date(2025, 1, 1), end_date=date(2025, 12, 31),
    )  # fmt: skip
    http = world.http(world.alice)
    page = http.get("/licenses/").content.decode()
    assert 'class="badge badge-over">Over by 2' in page
    http.post(f"/licenses/{lic.pk}/seats/", {"assigned_seats": 7})
    lic.refresh_from_db()
    assert lic.assigned_seats == 7
    page = http.get("/licenses/?assignment=under").content.decode()
    assert 'class="badge badge-under">3 unused' in page
    assert "Defender" not in http.get("/licenses/?assignment=over").content.decode()


def test_calendar_preview_computes_the_due_time(world: World, berlin: BusinessCalendar) -> None:
    http = world.http(world.alice)
    page = http.get(
        f"/calendars/{berlin.pk}/",
        {"start": "2025-01-06T16:00", "seconds": 7200, "week": "2025-12-22"},
    ).content.decode()
    assert "2025-01-07T10:00:00+01:00" in page
    assert "Thu 2025-12-25" in page
    assert "public holiday" in page  # Christmas in Berlin, shown in the week view


def test_calendar_form_names_the_path_of_the_error(world: World) -> None:
    bad = BERLIN_OFFICE | {"hours": {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}}
    response = world.http(world.alice).post("/calendars/new/", {"spec": json.dumps(bad)})
    assert response.status_code == 200
    assert "hours.mon[1]: interval overlaps hours.mon[0]" in response.content.decode()
    assert not BusinessCalendar.objects.exists()


def test_reminders_page_and_acknowledge(world: World, agreement: Agreement) -> None:

    (reminder,) = services.raise_reminders(datetime(2025, 9, 1, 10, tzinfo=UTC))
    http = world.http(world.alice)
    assert "Agreement notice deadline" in http.get("/reminders/").content.decode()
    assert world.http(world.dave).post(f"/reminders/{reminder.pk}/acknowledge/").status_code == 404
    http.post(f"/reminders/{reminder.pk}/acknowledge/")
    reminder.refresh_from_db()
    assert reminder.acknowledged_by == world.alice


def _policy_form(calendar: BusinessCalendar, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Standard", "calendar": calendar.pk, "warning_percent": 75,
        "pause_statuses": ["waiting_on_client"], "credit_percent": "5",
        "credit_cap_percent": "20", "p1_response": 15, "p1_resolution": 240,
        "p3_response": 240, "p3_resolution": 1440,
    }  # fmt: skip
    return data | changes


def test_sla_policy_form_creates_then_versions(
    world: World, agreement: Agreement, berlin: BusinessCalendar
) -> None:
    http = world.http(world.alice)
    url = f"/agreements/{agreement.pk}/sla-policy/edit/"
    with time_machine.travel("2025-03-01T09:00:00Z", tick=False):
        assert http.post(url, _policy_form(berlin)).status_code == 302
    with time_machine.travel("2025-04-01T09:00:00Z", tick=False):
        form = http.get(url).content.decode()
        assert 'name="p1_response" value="15"' in form
        bad = http.post(url, _policy_form(berlin, p3_resolution=""))
        assert "give both targets or neither" in bad.content.decode()
        assert http.post(url, _policy_form(berlin, p1_response=10)).status_code == 302
    v1 = services.policy_in_effect(agreement, datetime(2025, 3, 15, tzinfo=UTC))
    v2 = services.policy_in_effect(agreement, datetime(2025, 4, 15, tzinfo=UTC))
    assert v1 is not None
    assert v2 is not None
    assert (v1.version, v1.targets.get(priority="P1").response_seconds) == (1, 900)
    assert (v2.version, v2.targets.get(priority="P1").response_seconds) == (2, 600)
    assert set(v2.targets.values_list("priority", flat=True)) == {"P1", "P3"}
    assert world.http(world.bob).post(url, _policy_form(berlin)).status_code == 403

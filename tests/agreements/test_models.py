"""Licenses' assignment flags, SOW scope, calendars stored normalised, and validation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from steward.agreements import services
from steward.agreements.choices import AssignmentStatus
from steward.agreements.models import Agreement, BusinessCalendar
from steward.core.models import AuditEntry
from steward.tenancy import services as tenancy_services
from tests.agreements.conftest import BERLIN_OFFICE, make_agreement
from tests.conftest import World


def _license(world: World, seats: int) -> services.License:
    return services.create_license(
        world.acme,
        vendor="Microsoft",
        product="Defender for Business",
        seats=seats,
        start_date=date(2025, 1, 1),
        end_date=date(2025, 12, 31),
        unit_cost=Decimal("2.50"),
        unit_price=Decimal("3.00"),
    )


def test_license_assignment_flags(world: World) -> None:
    lic = _license(world, seats=10)
    assert lic.assignment_status == AssignmentStatus.UNDER  # nothing assigned yet
    services.set_assigned_seats(lic, 10)
    assert (lic.assignment_status, lic.over_assigned, lic.under_assigned) == ("ok", False, False)
    services.set_assigned_seats(lic, 11)
    lic.refresh_from_db()
    assert (lic.assignment_status, lic.over_assigned, lic.seat_difference) == ("over", True, 1)
    services.set_assigned_seats(lic, 7)
    assert (lic.under_assigned, lic.seat_difference) == (True, -3)
    with pytest.raises(ValidationError) as exc:
        services.set_assigned_seats(lic, -1)
    assert "assigned_seats" in exc.value.message_dict


def test_license_dates_and_currency_are_validated(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_license(
            world.acme, vendor="V", product="P", start_date=date(2025, 2, 1),
            end_date=date(2025, 1, 1), currency="eur",
        )  # fmt: skip
    assert {"end_date", "currency"} <= set(exc.value.message_dict)


def test_agreement_validation_names_fields(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        make_agreement(world, term_months=0, currency="EURO", timezone="Mars/Olympus")
    assert {"term_months", "currency", "timezone"} <= set(exc.value.message_dict)


def test_agreement_time_zone_defaults_to_the_clients(agreement: Agreement) -> None:
    assert agreement.timezone == "Europe/Berlin"


def test_sow_scope_refuses_an_offering_both_included_and_excluded(agreement: Agreement) -> None:
    backup = services.create_offering(name="Backup and recovery")
    endpoints = services.create_offering(name="Managed endpoints")
    sow = services.create_sow(
        agreement, title="Core", start_date=date(2025, 1, 1), included=[endpoints, backup]
    )
    assert set(sow.included_offerings.all()) == {endpoints, backup}
    with pytest.raises(ValidationError) as exc:
        services.update_sow(sow, {}, excluded=[backup])
    assert "excluded_offerings" in exc.value.message_dict
    services.update_sow(sow, {"device_count": 40}, included=[endpoints], excluded=[backup])
    sow.refresh_from_db()
    assert (sow.device_count, list(sow.excluded_offerings.all())) == (40, [backup])
    assert sow.client == agreement.client


def test_sow_end_before_start_is_refused(agreement: Agreement) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_sow(
            agreement, title="X", start_date=date(2025, 2, 1), end_date=date(2025, 1, 1)
        )
    assert "end_date" in exc.value.message_dict


def test_calendar_is_stored_normalised(world: World) -> None:
    messy = BERLIN_OFFICE | {"hours": {"mon": [["13:00", "17:00"], ["09:00", "12:00:00"]]}}
    cal = services.create_calendar(messy, client=world.acme)
    cal.refresh_from_db()
    assert cal.spec["hours"] == {"mon": [["09:00", "12:00"], ["13:00", "17:00"]]}
    assert cal.name == "Berlin office"
    assert cal.calendar_spec().timezone == "Europe/Berlin"


def test_a_bad_calendar_names_the_field(world: World) -> None:
    bad = BERLIN_OFFICE | {"hours": {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}}
    with pytest.raises(ValidationError) as exc:
        services.create_calendar(bad)
    assert exc.value.message_dict["spec"] == ["hours.mon[1]: interval overlaps hours.mon[0]"]
    assert not BusinessCalendar.objects.exists()


def test_changes_are_audited_with_the_client(agreement: Agreement) -> None:
    services.update_agreement(agreement, {"notice_days": 30})
    entry = AuditEntry.objects.filter(object_type="agreements.agreement").order_by("seq").last()
    assert entry is not None
    assert (entry.action, entry.client_id) == ("update", agreement.client_id)
    assert (entry.before["notice_days"], entry.after["notice_days"]) == (90, 30)


def test_deleting_a_client_removes_its_contracts(world: World) -> None:
    agreement = make_agreement(world)
    calendar = services.create_calendar(BERLIN_OFFICE, client=world.acme)
    always = services.create_calendar({"name": "24x7", "timezone": "UTC", "hours": "24x7"})
    services.create_sla_policy(
        agreement, name="SLA", calendar=calendar,
        targets=[{"priority": "P1", "response_seconds": 60, "resolution_seconds": 600,
                  "calendar": always}],
    )  # fmt: skip
    tenancy_services.delete_client(world.acme)
    assert not Agreement.objects.exists()
    assert list(BusinessCalendar.objects.all()) == [always]  # the MSP-wide one stays

"""The staff pages: who sees them, the schedule editor, generate and send now, downloads."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from steward.reporting.models import ReportDelivery, ReportSchedule, StoredReport
from tests.reporting.conftest import NOV_3, Month
from tests.servicedesk.smtp import Sink


@pytest.fixture(autouse=True)
def _november() -> object:
    with time_machine.travel(NOV_3, tick=False) as traveller:
        yield traveller


def test_staff_read_the_report_in_three_formats(month: Month) -> None:
    http = month.world.http(month.world.alice)
    acme = month.world.acme.pk
    page = http.get(reverse("reporting:report", args=[acme]), {"period": "2026-10"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Service report October 2026" in body
    assert "New laptop for Anna" in body
    pdf = http.get(
        reverse("reporting:report_pdf", args=[acme]), {"period": "2026-10", "paper": "letter"}
    )
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "service-report-acme-2026-10-letter.pdf" in pdf["Content-Disposition"]
    sheet = http.get(reverse("reporting:report_csv", args=[acme]), {"period": "2026-10"})
    rows = list(csv.DictReader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    assert {r["section"] for r in rows} >= {"tickets", "sla", "availability", "scorecard"}


def test_the_default_month_is_the_last_complete_one(month: Month) -> None:
    http = month.world.http(month.world.bob)
    page = http.get(reverse("reporting:report", args=[month.world.acme.pk]))
    assert "Service report October 2026" in page.content.decode()


def test_bad_input_is_a_400_naming_the_field(month: Month) -> None:
    http = month.world.http(month.world.alice)
    acme = month.world.acme.pk
    page = http.get(reverse("reporting:report", args=[acme]), {"period": "2026-13"})
    assert page.status_code == 400
    assert "period" in page.content.decode()
    pdf = http.get(
        reverse("reporting:report_pdf", args=[acme]), {"period": "2026-10", "paper": "a3"}
    )
    assert pdf.status_code == 400
    assert b"paper" in pdf.content


@pytest.mark.parametrize("who", ["carol", "dave", "eve"])
def test_contacts_and_unassigned_staff_get_404(month: Month, who: str) -> None:
    http = month.world.http(getattr(month.world, who))
    acme = month.world.acme.pk
    for name in (
        "reporting:report",
        "reporting:report_pdf",
        "reporting:report_csv",
        "reporting:client",
    ):
        assert http.get(reverse(name, args=[acme])).status_code == 404


def test_the_index_lists_only_visible_clients(month: Month) -> None:
    body = month.world.http(month.world.bob).get(reverse("reporting:index")).content.decode()
    assert "Acme Corporation" in body
    assert "Globex" not in body
    assert month.world.http(month.world.carol).get(reverse("reporting:index")).status_code == 404


def test_the_schedule_editor_saves_and_auditors_may_not(month: Month) -> None:
    url = reverse("reporting:client", args=[month.world.acme.pk])
    form = {
        "business_day": "5",
        "send_time": "09:30",
        "contacts": [str(month.world.acme_contact.pk)],
        "paper": "letter",
        "enabled": "on",
    }
    assert month.world.http(month.world.ivan).post(url, form).status_code == 403
    assert not ReportSchedule.objects.exists()
    response = month.world.http(month.world.bob).post(url, form)
    assert response.status_code == 302
    saved = ReportSchedule.objects.get()
    # 5th business day of November 2026 in Berlin: Friday 6th, 09:30 CET.
    assert saved.next_run_at == datetime(2026, 11, 6, 8, 30, tzinfo=UTC)
    assert saved.paper == "letter"
    bad = month.world.http(month.world.bob).post(url, {**form, "business_day": "0"})
    assert bad.status_code == 400
    assert "Business day of the month" in bad.content.decode()
    assert ReportSchedule.objects.get().business_day == 5


def test_a_contact_of_another_client_cannot_be_chosen(month: Month) -> None:
    url = reverse("reporting:client", args=[month.world.acme.pk])
    form = {
        "business_day": "3",
        "send_time": "08:00",
        "paper": "a4",
        "enabled": "on",
        "contacts": [str(month.world.globex_contact.pk)],
    }
    assert month.world.http(month.world.alice).post(url, form).status_code == 400
    assert not ReportSchedule.objects.exists()


def test_generate_then_send_now_then_download(month: Month, sink: Sink) -> None:
    http = month.world.http(month.world.bob)
    acme = month.world.acme.pk
    http.post(reverse("reporting:generate", args=[acme]), {"period": "2026-10", "paper": "a4"})
    stored = StoredReport.objects.get()
    assert (stored.period, stored.version, stored.generated_by) == ("2026-10", 1, month.world.bob)
    sent = http.post(
        reverse("reporting:send", args=[stored.pk]),
        {"contacts": [str(month.world.acme_contact.pk)]},
    )
    assert sent.status_code == 302
    assert [m["To"] for m in sink.messages] == ["carol@acme.example"]
    assert ReportDelivery.objects.get().status == "sent"
    page = http.get(reverse("reporting:client", args=[acme])).content.decode()
    assert "carol@acme.example" in page
    assert "v1" in page
    download = http.get(reverse("reporting:stored_pdf", args=[stored.pk]))
    assert download.content == bytes(stored.pdf)
    # Another tenant's contact cannot see or send it.
    dave = month.world.http(month.world.dave)
    assert dave.get(reverse("reporting:stored_pdf", args=[stored.pk])).status_code in (403, 404)
    eve = month.world.http(month.world.eve)
    assert eve.post(reverse("reporting:send", args=[stored.pk]), {}).status_code == 404
    assert len(sink.messages) == 1

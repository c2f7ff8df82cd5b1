"""The service report's contents against a known month (tests/reporting/conftest.py): HTML,
CSV and the PDF in both paper sizes, periods, and the section registry."""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from steward.reporting.sections import ReportContext, SectionData, section
from steward.reporting.sections import registry as section_registry
from steward.reporting.services import (
    ReportError,
    ServiceReport,
    available_periods,
    build_service_report,
    render_csv,
    render_html,
    render_pdf,
)
from steward.reporting.services.build import parse_month
from steward.tenancy import services as tenancy
from tests.reporting.conftest import NOV_3, Month

# Paper sizes in PDF points (1/72 in).
A4 = (595, 842)
LETTER = (612, 792)


@pytest.fixture
def report(month: Month) -> ServiceReport:
    with time_machine.travel(NOV_3, tick=False):
        return build_service_report(month.world.acme, "2026-10", now=NOV_3)


def rows(report: ServiceReport, section: str) -> list[dict[str, str]]:
    text = render_csv(report).decode("utf-8-sig")
    return [r for r in csv.DictReader(io.StringIO(text)) if r["section"] == section]


def test_the_html_shows_the_month_of_the_client(month: Month, report: ServiceReport) -> None:
    html = render_html(report)
    assert "Acme Corporation" in html
    assert "October 2026" in html
    assert not html.lstrip().startswith("<!doctype")  # a fragment for the shell and the portal
    assert "3 tickets opened, 1 resolved in the month." in html
    # P1 answered in 20 min and resolved in 2 h (targets 1 h / 4 h); P2 answered a day late.
    assert '<td>P1</td><td>1:00</td><td class="num">1 / 1</td>' in html
    assert '<td>P2</td><td>2:00</td><td class="num">0 / 1</td>' in html
    assert f"#{month.p2.pk} New laptop for Anna" in html
    assert "Responses within SLA</th><td>50.0 %" in html
    assert "Mean time to resolve</th><td>2 h 00 min" in html


def test_the_html_lists_downtime_posture_hours_and_satisfaction(report: ServiceReport) -> None:
    html = render_html(report)
    # The outage 12:00-13:00 UTC on 12 October is 14:00-15:00 in Berlin (CEST).
    assert "<td>Acme mail relay</td><td>2026-10-12 14:00</td><td>2026-10-12 15:00</td>" in html
    assert '<img class="rp-chart-img"' in html  # charts as images: inline SVG styles break the CSP
    assert "Acme laptop 7 (no dm-crypt)" in html
    assert 'Automatic updates</td><td colspan="4" class="no_data">not yet measured' in html
    assert "1.50 h" in html
    assert "10.00 h" in html
    assert "4.00 / 5" in html
    assert "Quick fix, thanks" in html
    assert "Mail relay keeps failing" in html
    assert "P1 responses within target" in html  # the scorecard


def test_the_standalone_html_is_a_document_with_the_branding(
    report: ServiceReport, settings: pytest.FixtureRequest
) -> None:
    html = render_html(report, standalone=True)
    assert html.startswith("<!doctype html>")
    assert "counter(pages)" in html
    assert report.brand.name in html


def test_the_csv_holds_the_rows_behind_the_report(month: Month, report: ServiceReport) -> None:
    tickets = rows(report, "tickets")
    assert [int(r["ticket"]) for r in tickets] == [month.p1.pk, month.p2.pk, month.problem.pk]
    assert [r["response_met"] for r in tickets] == ["yes", "no", ""]
    assert tickets[0]["created_at"] == "2026-10-05T08:00:00+00:00"
    outages = [r for r in rows(report, "availability") if r["record"] == "outage"]
    assert [(r["start"], r["end"], r["seconds"]) for r in outages] == [
        ("2026-10-12T12:00:00+00:00", "2026-10-12T13:00:00+00:00", "3600")
    ]
    assert [r["duration_seconds"] for r in rows(report, "hours")] == ["5400"]
    sla = {r["priority"]: r for r in rows(report, "sla")}
    assert (sla["P2"]["response_met"], sla["P2"]["response_decided"]) == ("0", "1")
    backlog = {int(r["ticket"]) for r in rows(report, "backlog")}
    assert backlog == {month.old.pk, month.p2.pk, month.problem.pk}


def test_another_clients_tickets_stay_out(month: Month) -> None:
    month.desk.ticket(
        at=datetime(2026, 10, 6, 14, tzinfo=UTC),
        client=month.world.globex,
        subject="Globex VPN",
        requester=month.world.globex_contact,
    )
    with time_machine.travel(NOV_3, tick=False):
        built = build_service_report(month.world.acme, "2026-10", now=NOV_3)
    assert "Globex" not in render_html(built)
    assert b"Globex" not in render_csv(built)


def pdf_text(pdf: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode()


@pytest.mark.parametrize(("paper", "size"), [("a4", A4), ("letter", LETTER)])
def test_the_pdf_in_both_paper_sizes(
    report: ServiceReport, paper: str, size: tuple[int, int]
) -> None:
    pdf = render_pdf(report, paper=paper)
    reader = PdfReader(io.BytesIO(pdf))
    pages = len(reader.pages)
    assert pages > 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == size
    text = pdf_text(pdf)
    assert "Acme Corporation" in text
    assert "October 2026" in text
    assert "SLA attainment by priority" in text
    assert f"page 2 of {pages}" in text  # the running footer, from the second page
    assert "Acme Corporation · October 2026" in text  # the running header


def test_a_bad_paper_or_period_is_refused_by_name(report: ServiceReport, month: Month) -> None:
    with pytest.raises(ReportError, match="paper"):
        render_pdf(report, paper="a5")
    with pytest.raises(ReportError, match=r"period.*quarter"):
        build_service_report(month.world.acme, "2026-Q4")
    with pytest.raises(ReportError, match="period"):
        build_service_report(month.world.acme, "October")


@given(st.text(max_size=12))
def test_parse_month_accepts_exactly_the_months(text: str) -> None:
    try:
        period = parse_month(text)
    except ReportError as exc:
        message = str(exc)
        period = None
    else:
        message = ""
    if period is None:
        assert message.startswith("period:")
    else:
        assert period.key == text.strip()


@given(st.integers(1, 9998), st.integers(1, 12))
def test_parse_month_round_trips(year: int, index: int) -> None:
    key = f"{year:04d}-{index:02d}"
    assert parse_month(key).key == key


@pytest.mark.parametrize(
    ("now", "newest"),
    [
        (datetime(2026, 10, 31, 22, 59, 59, tzinfo=UTC), "2026-09"),  # 23:59:59 in Berlin
        (datetime(2026, 10, 31, 23, 0, tzinfo=UTC), "2026-10"),  # midnight: October is over
    ],
)
def test_available_periods_end_with_the_last_complete_month(
    month: Month, now: datetime, newest: str
) -> None:
    found = available_periods(month.world.acme, now)
    assert found[0] == newest
    assert found[-1] == "2025-01"  # the agreement started on 2025-01-01
    assert found == sorted(found, reverse=True)


def test_a_client_with_nothing_has_no_periods(month: Month) -> None:
    fresh = tenancy.create_client(name="Initech", code="initech", timezone="UTC")
    assert available_periods(fresh, NOV_3) == []


@pytest.fixture
def extra_section() -> Iterator[None]:
    saved = dict(section_registry._sections)

    @section(
        key="zz_custom",
        title="Custom area",
        order=5000,
        template="reporting/sections/improvement.html",
    )
    def custom(ctx: ReportContext) -> SectionData:
        return SectionData(
            data={"problems": [], "done": 0},
            summary=[("Custom figure", ctx.period.key)],
            rows=[{"custom": ctx.start.isoformat()}],
        )

    yield
    section_registry._sections.clear()
    section_registry._sections.update(saved)


def test_a_registered_section_joins_every_format(month: Month, extra_section: None) -> None:
    built = build_service_report(month.world.acme, "2026-10", now=NOV_3 + timedelta(days=1))
    assert "Custom area" in render_html(built)
    assert "Custom figure</th><td>2026-10" in render_html(built)
    assert rows(built, "zz_custom")[0]["custom"] == "2026-09-30T22:00:00+00:00"


def test_a_client_without_data_still_gets_every_format(month: Month) -> None:
    fresh = tenancy.create_client(name="Initech", code="initech", timezone="Asia/Tokyo")
    built = build_service_report(fresh, "2026-10", now=NOV_3)
    html = render_html(built)
    assert "0 tickets opened" in html
    assert "not yet measured" in html
    assert "No monitored services in this month." in html
    assert render_csv(built).decode("utf-8-sig").startswith("section")
    assert "Initech" in pdf_text(render_pdf(built))


def test_the_number_of_queries_does_not_grow_with_the_tickets(month: Month) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            build_service_report(month.world.acme, "2026-10", now=NOV_3)
        return len(queries)

    before = count()
    for n in range(6):
        month.desk.ticket(at=datetime(2026, 10, 13 + n, 9, tzinfo=UTC), subject=f"Extra {n}")
    assert count() == before
    assert before < 80

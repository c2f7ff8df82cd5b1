"""Reports in the portal: the contact's own client's months, each viewable and as a PDF; a
month outside the list (or another client's) is a 404."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import time_machine
from pypdf import PdfReader

from steward.servicedesk import services as desk
from tests.conftest import World

OPENED = datetime(2026, 9, 14, 10, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _history(world: World) -> None:
    with time_machine.travel(OPENED, tick=False):
        desk.open_ticket(world.acme, subject="Acme mail bounces", requester=world.acme_contact,
                         by=world.bob)  # fmt: skip


def test_the_list_offers_complete_months_with_view_and_pdf_links(world: World) -> None:
    _history(world)
    http = world.http(world.carol)
    with time_machine.travel(LATER, tick=False):
        page = http.get("/portal/reports/").content.decode()
    assert "/portal/reports/view/?period=2026-10" in page
    assert "/portal/reports/pdf/?period=2026-09" in page
    assert "period=2026-11" not in page, "the month is not over"
    assert "Download PDF" in page


def test_a_contact_views_a_report_and_downloads_its_pdf(world: World) -> None:
    _history(world)
    http = world.http(world.carol)
    with time_machine.travel(LATER, tick=False):
        page = http.get("/portal/reports/view/", {"period": "2026-09"})
        pdf = http.get("/portal/reports/pdf/", {"period": "2026-09"})
    assert page.status_code == 200
    assert "Service report" in page.content.decode()
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert "service-report-acme-2026-09.pdf" in pdf["Content-Disposition"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Acme" in text


def test_months_outside_the_list_are_404(world: World) -> None:
    _history(world)
    http = world.http(world.carol)
    with time_machine.travel(LATER, tick=False):
        for period in ("2026-11", "2026-08", "2026-Q3", "garbage", ""):
            assert http.get("/portal/reports/view/", {"period": period}).status_code == 404, period
            assert http.get("/portal/reports/pdf/", {"period": period}).status_code == 404, period


def test_another_clients_contact_gets_no_acme_report(world: World) -> None:
    _history(world)
    http = world.http(world.dave)
    with time_machine.travel(LATER, tick=False):
        listing = http.get("/portal/reports/").content.decode()
        assert "2026-09" not in listing
        assert http.get("/portal/reports/view/", {"period": "2026-09"}).status_code == 404
        assert http.get("/portal/reports/pdf/", {"period": "2026-09"}).status_code == 404

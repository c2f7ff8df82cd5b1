"""The main paths in a real browser: staff and contacts sign in, a contact opens a ticket in
the portal, a technician finds it on the dispatch board, a monthly service report opens and
its PDF downloads, and a status page shows. Screenshots of each page go to var/screenshots/."""

from __future__ import annotations

import io
import re
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from pypdf import PdfReader

from steward.servicedesk import services as desk
from steward.servicedesk.models import Ticket
from tests.browser.conftest import Problems, Session, shot, technician
from tests.conftest import PASSWORD, World
from tests.portal.status_world import every, services_of, set_state, write_results


def sign_in(session: Session, path: str, username: str) -> Any:
    page = session.open(path)
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


def test_a_technician_signs_in_and_sees_the_dispatch_board(world: World, session_for: Any) -> None:
    tess = technician("tess", [world.acme])
    desk.open_ticket(world.acme, subject="Acme VPN drops every hour", by=world.alice)
    desk.open_ticket(world.globex, subject="Globex printer jam", by=world.alice)
    session = session_for()
    page = sign_in(session, "/login/", tess.username)
    assert page.url == session.base_url + "/"
    shot(page, "staff-home")
    page = session.open("/dispatch/")
    assert page.get_by_role("heading", name="Dispatch board").is_visible()
    unassigned = page.locator("#dispatch-board")
    assert unassigned.get_by_text("Acme VPN drops every hour").is_visible()
    assert page.get_by_text("Globex printer jam").count() == 0  # not her client
    shot(page, "dispatch-board")


def test_a_contact_opens_a_ticket_that_the_technician_sees(world: World, session_for: Any) -> None:
    tess = technician("tess", [world.acme])
    carol = session_for()
    page = sign_in(carol, "/portal/login/", world.carol.username)
    assert page.url == carol.base_url + "/portal/"
    shot(page, "portal-home")
    page.get_by_role("link", name="New ticket").first.click()
    page.get_by_label("Subject").fill("Shared drive is read-only")
    page.get_by_label("Description").fill("Since this morning nobody on the 2nd floor can save.")
    shot(page, "portal-ticket-form")
    page.get_by_role("button", name="Open ticket").click()
    page.wait_for_load_state()
    ticket = Ticket.objects.get(subject="Shared drive is read-only")
    assert ticket.client_id == world.acme.pk
    assert ticket.requester_id == world.acme_contact.pk
    assert page.url.endswith(f"/portal/tickets/{ticket.pk}/")
    assert page.get_by_text("Since this morning nobody").first.is_visible()
    shot(page, "portal-ticket")

    board = session_for()
    sign_in(board, "/login/", tess.username)
    page = board.open("/dispatch/")
    card = page.locator("#dispatch-board").get_by_text("Shared drive is read-only")
    assert card.is_visible()


def last_month_of_service(world: World) -> None:
    """A ticket last month makes last month reportable; a monitored service fills the
    availability section."""
    now = timezone.now()
    desk.open_ticket(
        world.acme, subject="Mailbox full", by=world.alice, at=now - timedelta(days=35)
    )
    found = services_of(world.acme, "Acme")
    start = now - timedelta(days=62)
    write_results(found.web, every(start, now, timedelta(hours=1), "ok"))


def test_a_contact_reads_the_monthly_report_and_downloads_its_pdf(
    world: World, session_for: Any, problems: Problems
) -> None:
    last_month_of_service(world)
    carol = session_for()
    sign_in(carol, "/portal/login/", world.carol.username)
    page = carol.open("/portal/reports/")
    page.get_by_role("link", name=re.compile(r"^View ")).first.click()
    page.wait_for_load_state()
    assert page.locator("#main").get_by_text("Acme Corporation").first.is_visible()
    shot(page, "portal-report")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").first.click()
    pdf = PdfReader(io.BytesIO(info.value.path().read_bytes()))
    assert len(pdf.pages) >= 1
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "Acme Corporation" in text
    assert info.value.suggested_filename.endswith(".pdf")


def test_staff_read_a_report_and_download_its_pdf(
    world: World, session_for: Any, problems: Problems
) -> None:
    last_month_of_service(world)
    staff = session_for()
    sign_in(staff, "/login/", world.bob.username)
    page = staff.open(f"/reports/{world.acme.pk}/report/")
    assert page.locator("#main").get_by_text("Acme Corporation").first.is_visible()
    shot(page, "staff-report")
    link = page.get_by_role("link", name=re.compile("PDF")).first
    response = page.request.get(staff.base_url + str(link.get_attribute("href")))
    assert response.headers["content-type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.body()))
    assert len(pdf.pages) >= 1
    assert "Acme Corporation" in "\n".join(p.extract_text() for p in pdf.pages)


def test_status_pages_private_and_public(world: World, session_for: Any) -> None:
    now = timezone.now()
    found = services_of(world.acme, "Acme")
    # Ten days of results: the website down for half an hour at 10:00 three days ago (Berlin).
    berlin = ZoneInfo(world.acme.timezone)
    outage = datetime.combine(now.astimezone(berlin).date() - timedelta(days=3), time(10), berlin)
    write_results(
        found.web,
        every(now - timedelta(days=10), outage, timedelta(minutes=2), "ok")
        + every(outage, outage + timedelta(minutes=30), timedelta(minutes=2), "critical")
        + every(outage + timedelta(minutes=30), now, timedelta(minutes=2), "ok"),
    )
    set_state(found.web, "ok", now)
    set_state(found.mail, "critical", now)
    set_state(found.vpn, "ok", now)
    incident = desk.open_ticket(world.acme, subject="Mail delivery delayed", by=world.bob)
    desk.reply(incident, "We are restoring the mail server.", by=world.bob)
    desk.reply(incident, "Internal: restore from tape 7", by=world.bob, public=False)
    carol = session_for()
    sign_in(carol, "/portal/login/", world.carol.username)
    page = carol.open(f"/status/client/{world.acme.pk}/")
    assert page.get_by_test_id("overall").inner_text() == "Partial outage"
    web = page.locator(f"[data-service='{found.web.pk}']")
    assert web.locator("rect.bar").count() == 90
    assert web.locator("rect.bar-down title").count() == 1
    assert "30 min down" in str(web.locator("rect.bar-down title").text_content())
    assert page.get_by_text("We are restoring the mail server.").is_visible()
    assert page.get_by_text("restore from tape").count() == 0
    shot(page, "status-private")
    staff = session_for()
    sign_in(staff, "/login/", world.bob.username)
    page = staff.open(f"/status/client/{world.acme.pk}/settings/")
    page.get_by_role("button", name="Publish at a secret URL").click()
    page.wait_for_load_state()
    url = page.get_by_test_id("public-url").inner_text()
    shot(page, "status-settings")
    assert url.startswith(staff.base_url + "/status/sps_")
    public = session_for()
    public.page.goto(url)
    assert public.page.get_by_role("heading", name="Acme Corporation").is_visible()
    assert public.page.get_by_text("Status page settings").count() == 0
    assert public.page.get_by_text("Mail delivery delayed").is_visible()
    shot(public.page, "status-public")

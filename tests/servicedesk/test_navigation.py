"""The service desk's tabs for staff, and the time panel on the ticket page."""

from __future__ import annotations

from django.urls import reverse

from tests.servicedesk.conftest import Desk


def test_staff_see_the_desk_tabs_and_contacts_do_not(desk: Desk) -> None:
    staff = desk.world.http(desk.world.bob).get(reverse("servicedesk:index"))
    assert 'aria-label="Service desk"' in staff.content.decode()
    assert reverse("servicedesk:dispatch") in staff.content.decode()
    contact = desk.world.http(desk.world.carol).get(reverse("servicedesk:index"))
    assert contact.status_code == 200
    assert 'aria-label="Service desk"' not in contact.content.decode()


def test_the_ticket_page_loads_the_time_panel_for_staff_only(desk: Desk) -> None:
    ticket = desk.ticket()
    panel = reverse("servicedesk:time_panel", args=[ticket.pk])
    page = desk.world.http(desk.world.bob).get(reverse("servicedesk:ticket", args=[ticket.pk]))
    assert f'hx-get="{panel}"' in page.content.decode()
    page = desk.world.http(desk.world.carol).get(reverse("servicedesk:ticket", args=[ticket.pk]))
    assert page.status_code == 200
    assert panel not in page.content.decode()

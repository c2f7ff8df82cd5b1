"""Routing: skills, client assignment, working hours, weighted load and capacity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from steward.agreements import services as agreements
from steward.servicedesk import routing, services
from steward.servicedesk.choices import EventKind, Source, Status
from steward.servicedesk.models import Queue, Skill, TechnicianProfile, Ticket
from steward.tenancy import services as tenancy
from steward.tenancy.choices import Role
from steward.tenancy.models import Client, User
from tests.servicedesk.conftest import BERLIN_OFFICE, MONDAY_10, Desk

LOADED_AT = MONDAY_10 - timedelta(days=3)


@dataclass
class Techs:
    desk: Desk
    frank: User
    printers: Skill

    def ticket(self, **fields: object) -> Ticket:
        return self.desk.ticket(**fields)  # type: ignore[arg-type]

    def load(self, user: User, *priorities: str) -> None:
        """Give ``user`` open tickets of these priorities (imported: routing leaves them)."""
        for priority in priorities:
            ticket = self.desk.ticket(
                at=LOADED_AT, source=Source.IMPORT, priority=priority, priority_reason="test load"
            )
            services.assign(ticket, user, at=LOADED_AT)


def profile(user: User, *skills: Skill, **fields: object) -> TechnicianProfile:
    made = TechnicianProfile.objects.create(user=user, **fields)
    made.skills.set(skills)
    return made


@pytest.fixture
def techs(desk: Desk) -> Techs:
    world = desk.world
    frank = tenancy.create_user(
        username="frank", role=Role.TECHNICIAN, assigned_clients=[world.acme]
    )
    printers = Skill.objects.create(code="printers", name="Printers")
    printers.categories.add(desk.category)
    profile(world.bob, printers)
    profile(frank, printers)
    profile(world.eve, printers)  # not assigned to Acme: never a candidate for its tickets
    return Techs(desk, frank, printers)


def test_reverse_visibility_agrees_with_visible_to(techs: Techs) -> None:
    world = techs.desk.world
    roaming = tenancy.create_user(username="gina", role=Role.TECHNICIAN, sees_all_clients=True)
    gone = tenancy.create_user(
        username="hal", role=Role.TECHNICIAN, assigned_clients=[world.acme], is_active=False
    )
    root = User.objects.create_superuser("root", password="x", role=Role.TECHNICIAN)
    tenancy.create_user(username="sam", role=Role.SERVICE_MANAGER)
    for client in (world.acme, world.globex):
        reverse = set(User.objects.filter(routing.staff_seeing_client(client.pk)))
        forward = {
            u
            for u in User.objects.all()
            if u.role != Role.CLIENT_CONTACT
            and Client.objects.visible_to(u).filter(pk=client.pk).exists()
        }
        assert reverse == forward
    acme_staff = set(User.objects.filter(routing.staff_seeing_client(world.acme.pk)))
    assert {world.bob, techs.frank, roaming, root} <= acme_staff
    assert not {world.eve, gone, world.carol} & acme_staff


def test_auditors_are_never_given_work(techs: Techs) -> None:
    world = techs.desk.world
    profile(world.ivan, techs.printers)
    TechnicianProfile.objects.exclude(user=world.ivan).update(auto_assign=False)
    ticket = techs.ticket(source=Source.IMPORT, category=techs.desk.category)
    assert routing.pick_technician(ticket, MONDAY_10) is None


def test_skill_required_by_the_category(techs: Techs) -> None:
    world = techs.desk.world
    techs.frank.technician_profile.skills.clear()
    ticket = techs.ticket(source=Source.IMPORT, category=techs.desk.category)
    assert routing.pick_technician(ticket, MONDAY_10) == world.bob
    world.bob.technician_profile.skills.clear()
    assert routing.pick_technician(ticket, MONDAY_10) is None
    # A category without required skills takes anyone who sees the client.
    plain = techs.ticket(source=Source.IMPORT)
    assert routing.pick_technician(plain, MONDAY_10) == world.bob


def test_only_staff_who_see_the_client(techs: Techs) -> None:
    world = techs.desk.world
    techs.load(world.bob, "P4")
    techs.load(techs.frank, "P4")
    # eve has no load at all, but does not work for Acme.
    ticket = techs.ticket(source=Source.IMPORT)
    names = [c.user.username for c in routing.candidates(ticket, MONDAY_10)]
    assert "eve" not in names
    assert names == ["bob", "frank"]  # equal load; nobody assigned today; then by username
    globex = techs.ticket(source=Source.IMPORT, client=world.globex, requester=None)
    assert routing.pick_technician(globex, MONDAY_10) is None


def test_working_hours_of_the_profile_calendar(techs: Techs) -> None:
    world = techs.desk.world
    office = agreements.create_calendar(BERLIN_OFFICE | {"name": "Frank's hours"})
    TechnicianProfile.objects.filter(user=techs.frank).update(calendar=office)
    techs.load(world.bob, "P1")  # frank is the lighter one, when on shift
    ticket = techs.ticket(source=Source.IMPORT)
    # Monday 17:00:00 Berlin (16:00 UTC) is the first closed second.
    closing = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
    assert routing.pick_technician(ticket, closing - timedelta(seconds=1)) == techs.frank
    assert routing.pick_technician(ticket, closing) == world.bob
    # Tuesday 09:00:00 Berlin opens again.
    opening = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    assert routing.pick_technician(ticket, opening - timedelta(seconds=1)) == world.bob
    assert routing.pick_technician(ticket, opening) == techs.frank


def test_lowest_weighted_load_wins(techs: Techs) -> None:
    world = techs.desk.world
    techs.load(world.bob, "P1")  # 4
    techs.load(techs.frank, "P4", "P4", "P4")  # 3
    ticket = techs.ticket(source=Source.IMPORT)
    found = routing.candidates(ticket, MONDAY_10)
    assert [(c.user.username, c.load) for c in found] == [("frank", 3), ("bob", 4)]
    # Resolved tickets do not count.
    for done in Ticket.objects.filter(assignee=techs.frank)[:2]:
        services.change_status(done, Status.RESOLVED, by=techs.frank, at=MONDAY_10)
    assert routing.candidates(ticket, MONDAY_10)[0].load == 1


def test_tie_break_by_assignments_today(techs: Techs) -> None:
    world = techs.desk.world
    earlier = techs.ticket(at=MONDAY_10 - timedelta(hours=1), source=Source.IMPORT)
    services.assign(earlier, world.bob, at=MONDAY_10 - timedelta(hours=1))
    services.change_status(earlier, Status.RESOLVED, by=world.bob, at=MONDAY_10)
    ticket = techs.ticket(source=Source.IMPORT)
    found = routing.candidates(ticket, MONDAY_10)
    assert [(c.user.username, c.load, c.assigned_today) for c in found] == [
        ("frank", 0, 0),
        ("bob", 0, 1),
    ]
    # The next day the count starts again, and the username decides.
    assert routing.pick_technician(ticket, MONDAY_10 + timedelta(days=1)) == world.bob


def test_capacity_is_a_ceiling(techs: Techs) -> None:
    world = techs.desk.world
    TechnicianProfile.objects.filter(user=techs.frank).update(capacity=2)
    TechnicianProfile.objects.filter(user=world.bob).update(capacity=8)
    techs.load(techs.frank, "P3")  # 2: at capacity
    techs.load(world.bob, "P1", "P4")  # 5: below 8
    ticket = techs.ticket(source=Source.IMPORT)
    assert routing.pick_technician(ticket, MONDAY_10) == world.bob
    techs.load(world.bob, "P2")  # 8: full too
    assert routing.pick_technician(ticket, MONDAY_10) is None


def test_opted_out_and_queue_members(techs: Techs) -> None:
    world = techs.desk.world
    TechnicianProfile.objects.filter(user=world.bob).update(auto_assign=False)
    ticket = techs.ticket(source=Source.IMPORT)
    assert routing.pick_technician(ticket, MONDAY_10) == techs.frank
    TechnicianProfile.objects.filter(user=world.bob).update(auto_assign=True)
    desk_queue = Queue.objects.create(name="Field work", is_default=True)
    desk_queue.members.add(world.bob)
    # The default queue has members: only they take its tickets.
    assert routing.pick_technician(ticket, MONDAY_10) == world.bob


def test_new_ticket_is_assigned_automatically(techs: Techs) -> None:
    world = techs.desk.world
    techs.load(world.bob, "P2")
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = techs.ticket(category=techs.desk.category)
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status) == (techs.frank, Status.ASSIGNED)
    assigned = ticket.events.get(kind=EventKind.ASSIGNED)
    assert (assigned.actor, assigned.to_value, assigned.at) == (None, "frank", MONDAY_10)
    # The clocks are unaffected: assignment is no response.
    assert ticket.responded_at is None


def test_nobody_fits_leaves_the_ticket_unassigned(techs: Techs) -> None:
    TechnicianProfile.objects.update(capacity=0)
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = techs.ticket()
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status) == (None, Status.NEW)
    assert not ticket.events.filter(kind=EventKind.ASSIGNED).exists()


def test_imported_tickets_are_not_routed(techs: Techs) -> None:
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = techs.ticket(source=Source.IMPORT)
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_a_queue_without_auto_assignment_leaves_tickets_for_dispatch(techs: Techs) -> None:
    Queue.objects.create(name="Projects", is_default=True, auto_assign=False)
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = techs.ticket(category=techs.desk.category)
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status) == (None, Status.NEW)

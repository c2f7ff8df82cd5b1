"""The audit log browser: who may open it, filters, readable diffs, chain verification."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from steward.core.models import AuditEntry
from steward.tenancy import services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["bob", "eve", "carol", "dave"])
def test_roles_without_audit_view_get_403(world, who):
    http = world.http(getattr(world, who))
    assert http.get(reverse("audit_log")).status_code == 403
    assert http.post(reverse("audit_verify")).status_code == 403
    assert http.get(reverse("audit_verify")).status_code == 403


@pytest.mark.parametrize("who", ["alice", "ivan"])
def test_audit_roles_see_entries_with_readable_diffs(world, who):
    services.update_client(world.acme, {"industry": "Rocket skates"})
    html = world.http(getattr(world, who)).get(reverse("audit_log")).content.decode()
    assert "Rocket skates" in html
    assert 'class="diff-new"' in html
    assert 'class="diff-old"' in html


def test_filters_by_actor_action_type_client_and_dates(world):
    with time_machine.travel(datetime(2026, 1, 10, 12, tzinfo=UTC), tick=False):
        services.update_client(world.globex, {"industry": "January change"})
    http = world.http(world.ivan)
    url = reverse("audit_log")
    by_client = http.get(url, {"client_id": world.globex.pk}).context["entries"]
    assert by_client
    assert all(e.client_id == world.globex.pk for e in by_client)
    by_action = http.get(url, {"action": "update", "object_type": "tenancy.client"})
    assert {e.action for e in by_action.context["entries"]} == {"update"}
    dated = http.get(url, {"since": "2026-01-10", "until": "2026-01-10"}).context["entries"]
    assert [e.after.get("industry") for e in dated] == ["January change"]
    assert http.get(url, {"actor": "nobody"}).context["entries"].__len__() == 0


def test_bad_filter_values_are_named_not_500(world):
    response = world.http(world.ivan).get(
        reverse("audit_log"), {"since": "2026-02-01", "until": "2026-01-01", "client_id": "x"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "To: must be on or after the" in html
    assert "Client: Select a valid choice" in html


def test_htmx_filter_returns_the_results_fragment(world):
    response = world.http(world.ivan).get(reverse("audit_log"), headers={"HX-Request": "true"})
    assert "<html" not in response.content.decode()


def test_verify_chain_reports_intact_then_broken(world):
    http = world.http(world.ivan)
    ok = http.post(reverse("audit_verify"), headers={"HX-Request": "true"})
    assert "The audit chain is intact" in ok.content.decode()
    entry = AuditEntry.objects.order_by("seq")[2]
    AuditEntry.objects.filter(pk=entry.pk).update(object_repr="tampered")
    broken = http.post(reverse("audit_verify"))
    html = broken.content.decode()
    assert "The audit chain is broken" in html
    assert f"#{entry.seq}" in html


def test_audit_pages_paginate(world):
    for i in range(60):
        services.update_client(world.acme, {"industry": f"i{i}"})
    page = world.http(world.ivan).get(reverse("audit_log"))
    assert len(page.context["entries"]) == 50
    assert page.context["page"].has_next()


def test_audit_page_query_count_does_not_grow_with_entries(world):
    http = world.http(world.ivan)
    http.get(reverse("audit_log"))
    with CaptureQueriesContext(connection) as few:
        http.get(reverse("audit_log"))
    for i in range(20):
        services.update_client(world.globex, {"industry": f"g{i}"})
    with CaptureQueriesContext(connection) as many:
        http.get(reverse("audit_log"))
    assert len(many) == len(few)

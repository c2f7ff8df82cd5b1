"""Two clients: whatever id of Acme's dave (Globex's contact) names in the portal is a 404,
and the staff-only approval request refuses contacts."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from steward.portal.models import Approval
from tests.conftest import World
from tests.monitoring.builders import MONITORING_BUILDERS
from tests.portal.builders import acme_approval
from tests.servicedesk.builders import acme_ticket


@pytest.mark.parametrize(
    "path",
    [
        "/portal/tickets/{ticket}/",
        "/portal/tickets/{ticket}/reply/",
        "/portal/tickets/{ticket}/follow/",
        "/portal/tickets/{ticket}/unfollow/",
        "/portal/approvals/{approval}/",
        "/portal/assets/{asset}/",
        "/portal/staff/tickets/{ticket}/approval/",
    ],
)
def test_acme_ids_are_404_for_globex(world: World, path: str) -> None:
    ids = {
        "ticket": acme_ticket(world).pk,
        "approval": acme_approval(world).pk,
        "asset": MONITORING_BUILDERS["monitoring.asset"](world).pk,
    }
    url = path.format(**ids)
    http = world.http(world.dave)
    assert http.get(url).status_code in (404, 405)
    assert http.post(url, {"reply-body": "x", "decision": "approved"}).status_code == 404
    assert Approval.objects.get().is_pending


def test_globex_lists_show_nothing_of_acme(world: World) -> None:
    acme_approval(world)
    MONITORING_BUILDERS["monitoring.asset"](world)
    http = world.http(world.dave)
    for url in ("/portal/", "/portal/tickets/?state=all", "/portal/approvals/", "/portal/assets/"):
        body = http.get(url).content.decode()
        assert "acme" not in body.lower(), url


def test_the_approval_request_page_refuses_contacts_of_the_same_client(world: World) -> None:
    ticket = acme_ticket(world)
    http = world.http(world.carol)
    assert http.get(f"/portal/staff/tickets/{ticket.pk}/approval/").status_code == 403
    response = http.post(f"/portal/staff/tickets/{ticket.pk}/approval/",
                         {"kind": "change", "question": "self-approve?"})  # fmt: skip
    assert response.status_code == 403
    assert not Approval.objects.exists()


def test_anonymous_visitors_are_sent_to_the_portal_sign_in(world: World) -> None:
    ticket = acme_ticket(world)
    for url in ("/portal/", f"/portal/tickets/{ticket.pk}/", "/portal/reports/"):
        response = HttpClient().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/portal/login/?next=")

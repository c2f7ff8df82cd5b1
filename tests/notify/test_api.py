"""The notify API: channels (the URL write-only and validated by apprise), policies, the
delivery log and retry; staff only, each client's rows to those who see the client."""

from __future__ import annotations

import json
from typing import Any

import time_machine

from steward.notify.events import NoticeKind
from steward.notify.models import Channel, Delivery, Policy
from steward.notify.services import publish
from tests.conftest import World
from tests.notify.conftest import Receiver
from tests.notify.helpers import MONDAY_10, notice

API = "/api/v1/notify"


def post(http: Any, url: str, body: dict[str, Any], method: str = "post") -> Any:
    return getattr(http, method)(url, json.dumps(body), content_type="application/json")


def test_channel_url_is_write_only_and_encrypted_at_rest(world: World) -> None:
    http = world.bearer(world.alice)
    secret = "json://hooks.example.com/steward?token=s3cr3t"
    made = post(http, f"{API}/channels", {"client_id": world.acme.pk, "name": "Acme hook",
                                          "url": secret})  # fmt: skip
    assert made.status_code == 201, made.content
    assert made.json()["scheme"] == "json"
    assert "url" not in made.json()
    pk = made.json()["id"]
    for response in (http.get(f"{API}/channels/{pk}"), http.get(f"{API}/channels")):
        assert b"s3cr3t" not in response.content
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT url FROM notify_channel WHERE id = %s", [pk])
        stored = cursor.fetchone()[0]
    assert "s3cr3t" not in stored
    assert Channel.objects.get(pk=pk).url == secret
    renamed = post(http, f"{API}/channels/{pk}", {"name": "Acme Teams"}, "patch")
    assert renamed.status_code == 200
    assert Channel.objects.get(pk=pk).url == secret  # no url in the patch: kept


def test_a_url_apprise_refuses_is_a_422_naming_the_field(world: World) -> None:
    http = world.bearer(world.alice)
    for url in ("not a url", "nosuchservice://x/y"):
        response = post(http, f"{API}/channels", {"name": "bad", "url": url})
        assert response.status_code == 422, response.content
        assert response.json()["detail"][0]["loc"] == ["body", "url"]
    assert Channel.objects.count() == 0


def test_policy_crud_and_validation(world: World) -> None:
    http = world.bearer(world.alice)
    channel = post(http, f"{API}/channels", {"name": "MSP hook", "url": "json://127.0.0.1:9/x"})
    body = {
        "client_id": world.acme.pk,
        "name": "Acme nights",
        "kinds": ["outage_detected"],
        "contacts": "all",
        "contact_ids": [world.acme_contact.pk],
        "channel_ids": [channel.json()["id"]],
        "quiet_start": "22:00",
        "quiet_end": "07:00",
    }
    made = post(http, f"{API}/policies", body)
    assert made.status_code == 201, made.content
    out = made.json()
    assert out["contact_ids"] == [world.acme_contact.pk]
    assert out["quiet_start"] == "22:00:00"
    pk = out["id"]
    # Another client's contact, half the quiet hours, an unknown kind, a time with an offset
    # (quiet hours are the client's wall clock): 422, nothing changed.
    bad = [
        {"contact_ids": [world.globex_contact.pk]},
        {"quiet_end": None},
        {"kinds": ["no_such_kind"]},
        {"quiet_start": "22:00:00+01:00"},
    ]
    for change in bad:
        response = post(http, f"{API}/policies/{pk}", change, "patch")
        assert response.status_code == 422, (change, response.content)
    policy = Policy.objects.get(pk=pk)
    assert policy.quiet_end is not None
    assert list(policy.named_contacts.all()) == [world.acme_contact]
    assert http.delete(f"{API}/policies/{pk}").status_code == 204


def test_deliveries_list_filter_and_retry(world: World, receiver: Receiver) -> None:
    http = world.bearer(world.alice)
    with time_machine.travel(MONDAY_10, tick=False):
        publish(notice(world.acme, NoticeKind.REPORT_READY, contact_ids=(world.acme_contact.pk,)))
    listed = http.get(f"{API}/deliveries", {"client_id": world.acme.pk, "status": "pending"})
    assert listed.status_code == 200
    [row] = listed.json()["items"]
    assert row["label"] == "Carol Acmeson <carol@acme.example>"
    assert http.get(f"{API}/deliveries", {"status": "sent"}).json()["items"] == []
    assert http.get(f"{API}/deliveries", {"status": "bogus"}).status_code == 422
    retried = http.post(f"{API}/deliveries/{row['id']}/retry")
    assert retried.status_code == 200
    assert retried.json()["attempts"] == 1
    assert Delivery.objects.get().attempts == 1


def test_client_contacts_and_unassigned_staff_see_nothing_of_acme(world: World) -> None:
    with time_machine.travel(MONDAY_10, tick=False):
        publish(notice(world.acme, NoticeKind.REPORT_READY, contact_ids=(world.acme_contact.pk,)))
    row = Delivery.objects.get()
    for user, status in ((world.dave, 403), (world.carol, 403)):
        assert world.bearer(user).get(f"{API}/deliveries").status_code == status
    eve = world.bearer(world.eve)
    assert eve.get(f"{API}/deliveries").json()["items"] == []
    assert eve.get(f"{API}/deliveries/{row.pk}").status_code == 404
    assert eve.post(f"{API}/deliveries/{row.pk}/retry").status_code == 403  # may not write
    bob = world.bearer(world.bob)  # assigned to Acme: reads it, may not change notifications
    assert bob.get(f"{API}/deliveries/{row.pk}").status_code == 200
    assert post(bob, f"{API}/channels", {"name": "x", "url": "json://h/x"}).status_code == 403

"""The notify pages: the delivery log with filters and "retry now", channels (the URL never
rendered back, "send test"), policies, the template editor with its preview; staff only."""

from __future__ import annotations

import time_machine

from steward.notify import config
from steward.notify.events import NoticeKind
from steward.notify.models import Channel, MessageTemplate, Policy
from steward.notify.services import publish
from tests.conftest import World
from tests.notify.conftest import Receiver
from tests.notify.helpers import MONDAY_10, notice


def test_delivery_log_filters_and_retry_now(world: World, receiver: Receiver) -> None:
    receiver.start()
    channel = config.create_channel(None, "NOC hook", receiver.url)
    config.save_policy(Policy(client=None), {"name": "noc", "kinds": ["outage_detected"],
                                             "staff": [], "contacts": "none"},
                       channels=[channel])  # fmt: skip
    with time_machine.travel(MONDAY_10, tick=False):
        publish(notice(world.acme, subject="Mail down"))
        publish(notice(world.globex, NoticeKind.REPORT_READY, subject="Globex report",
                       contact_ids=(world.globex_contact.pk,)))  # fmt: skip
    http = world.http(world.alice)
    page = http.get("/notify/", {"client": world.acme.pk})
    assert page.status_code == 200
    assert b"NOC hook (json)" in page.content
    assert b"Globex report" not in page.content
    assert b"Dave Globexer" in http.get("/notify/", {"kind": "report_ready"}).content
    assert b"NOC hook" not in http.get("/notify/", {"status": "sent"}).content
    row = channel.deliveries.get()
    swapped = http.post(f"/notify/deliveries/{row.pk}/retry/", headers={"HX-Request": "true"})
    assert swapped.status_code == 200
    assert swapped.content.lstrip().startswith(f'<tr id="delivery-{row.pk}"'.encode())
    assert b"Sent" in swapped.content
    assert len(receiver.bodies) == 1
    detail = http.get(f"/notify/deliveries/{row.pk}/")
    assert b"[Outage] Mail down (Acme Corporation)" in detail.content


def test_channel_form_never_renders_the_url_and_send_test_reports(
    world: World, receiver: Receiver
) -> None:
    http = world.http(world.alice)
    secret = f"{receiver.url}?token=s3cr3t"
    made = http.post("/notify/channels/new/", {"name": "Hook", "url": secret, "enabled": "on"})
    assert made.status_code == 302
    channel = Channel.objects.get()
    assert channel.url == secret
    for url in ("/notify/channels/", f"/notify/channels/{channel.pk}/edit/"):
        assert b"s3cr3t" not in http.get(url).content
    kept = http.post(
        f"/notify/channels/{channel.pk}/edit/", {"name": "Hook 2", "url": "", "enabled": "on"}
    )
    assert kept.status_code == 302
    channel.refresh_from_db()
    assert (channel.name, channel.url) == ("Hook 2", secret)
    down = http.post(f"/notify/channels/{channel.pk}/test/", headers={"HX-Request": "true"})
    assert b"Failed:" in down.content
    receiver.start()
    up = http.post(f"/notify/channels/{channel.pk}/test/", headers={"HX-Request": "true"})
    assert b"Test sent." in up.content
    assert receiver.bodies[0]["title"] == "Steward test message"
    bad = http.post("/notify/channels/new/", {"name": "Bad", "url": "nosuch://x"})
    assert bad.status_code == 200
    assert b"Apprise URL: apprise does not understand this URL" in bad.content


def test_policy_form_creates_a_client_policy(world: World) -> None:
    http = world.http(world.alice)
    made = http.post("/notify/policies/new/", {
        "client": world.acme.pk, "name": "Acme nights", "kinds": ["outage_detected"],
        "contacts": "all", "named_contacts": [world.acme_contact.pk],
        "quiet_start": "22:00", "quiet_end": "07:00"})  # fmt: skip
    assert made.status_code == 302, made.content
    policy = Policy.objects.get(name="Acme nights")
    assert policy.client == world.acme
    assert list(policy.named_contacts.all()) == [world.acme_contact]
    half = http.post(f"/notify/policies/{policy.pk}/edit/", {
        "name": "Acme nights", "kinds": ["outage_detected"], "contacts": "all",
        "quiet_start": "22:00"})  # fmt: skip
    assert half.status_code == 200
    assert b"quiet hours need both a start and an end" in half.content
    assert b"Acme nights" in http.get("/notify/policies/").content


def test_template_editor_saves_previews_and_resets(world: World) -> None:
    http = world.http(world.alice)
    url = "/notify/templates/edit/?kind=outage_detected"
    assert b"We detected a problem" in http.get(url).content
    preview = http.post("/notify/templates/preview/", {
        "kind": "outage_detected", "subject": "Heads up: {{ notice.subject }}", "text": "",
        "html": ""})  # fmt: skip
    assert b"Heads up: Mail server not responding" in preview.content
    broken = http.post(url, {"subject": "{% if %}", "text": "", "html": ""})
    assert broken.status_code == 200
    assert b"template syntax error" in broken.content
    assert not MessageTemplate.objects.exists()
    saved = http.post(url, {"subject": "Heads up: {{ notice.subject }}", "text": "", "html": ""})
    assert saved.status_code == 302
    with time_machine.travel(MONDAY_10, tick=False):
        found = publish(notice(world.acme))
    assert found is not None
    assert found.subject == "Heads up: Mail server down"
    assert "We detected a problem" in found.text  # blank parts keep the default
    http.post(url, {"reset": "1"})
    assert not MessageTemplate.objects.exists()


def test_contacts_and_technicians_may_not_configure(world: World) -> None:
    for user in (world.dave, world.carol):
        assert world.http(user).get("/notify/").status_code == 403
    eve = world.http(world.eve)
    assert eve.get("/notify/").status_code == 200  # staff read the log of clients they see
    assert eve.get("/notify/channels/new/").status_code == 403
    assert eve.post("/notify/policies/new/", {"name": "x"}).status_code == 403
    assert b"Notifications" in world.http(world.alice).get("/notify/channels/").content

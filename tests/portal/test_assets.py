"""Assets in the portal: read-only, with warranty and OS support flags at their exact day
boundaries, and the maintenance the MSP shows to the client (never its internal windows)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine

from steward.monitoring import services as monitoring
from steward.monitoring.services import windows
from steward.portal.lifecycle import SOON, asset_flags, flag
from tests.conftest import World
from tests.monitoring.builders import acme_asset

TODAY = date(2026, 11, 20)


def test_flags_at_their_day_boundaries() -> None:
    assert flag("warranty", TODAY, TODAY).state == "soon", "the last covered day is still covered"
    assert flag("warranty", TODAY - timedelta(days=1), TODAY).state == "ended"
    assert flag("warranty", TODAY + SOON, TODAY).state == "soon"
    assert flag("warranty", TODAY + SOON + timedelta(days=1), TODAY).state == "ok"
    assert flag("os", None, TODAY).state == "unknown"
    ended, unknown = asset_flags(date(2025, 1, 31), None, TODAY)
    assert ended.label == "Warranty ended 2025-01-31"
    assert unknown.label == "OS support: unknown"


def test_the_contact_sees_its_assets_flags_and_client_maintenance(world: World) -> None:
    asset = acme_asset(world)
    monitoring.update_asset(
        asset, {"warranty_ends_on": date(2026, 6, 30), "os_eol_on": date(2027, 1, 5)}
    )
    start = datetime(2026, 11, 22, 22, 0, tzinfo=UTC)
    windows.create_window(world.acme, [asset], title="Firmware update", starts_at=start,
                          ends_at=start + timedelta(hours=2), timezone="Europe/Berlin")  # fmt: skip
    windows.create_window(world.acme, [], title="MSP core rebuild", starts_at=start,
                          ends_at=start + timedelta(hours=1), timezone="UTC",
                          shown_to_client=False)  # fmt: skip
    http = world.http(world.carol)
    with time_machine.travel(datetime(2026, 11, 20, 12, 0, tzinfo=UTC), tick=False):
        listing = http.get("/portal/assets/").content.decode()
        detail = http.get(f"/portal/assets/{asset.pk}/").content.decode()
    for page in (listing, detail):
        assert "Warranty ended 2026-06-30" in page
        assert "OS support ends 2027-01-05" in page
        assert "Firmware update" in page
        assert "MSP core rebuild" not in page
    assert "Sun 22 Nov 2026 23:00" in listing, "shown in the client's time zone"
    assert "<form" not in detail.split("<main")[1], "read-only: no forms in the page body"

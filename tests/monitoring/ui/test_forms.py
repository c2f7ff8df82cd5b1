"""The asset and check forms write through the services and show their errors per field."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from steward.monitoring.models import Asset, Check
from steward.monitoring.services import create_check
from tests.monitoring.ui.conftest import Monitored


def test_staff_create_an_asset(monitored: Monitored) -> None:
    w = monitored.world
    response = w.http(w.bob).post(
        f"/monitoring/clients/{w.acme.pk}/assets/new/",
        {
            "name": "db01",
            "kind": "server",
            "site": w.acme_site.pk,
            "addresses": "10.0.0.5; 10.0.0.6",
            "warranty_ends_on": "2027-05-01",
            "tags": "sql",
        },
    )
    asset = Asset.objects.get(name="db01")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/monitoring/assets/{asset.pk}/"
    assert (asset.client, asset.site, asset.addresses) == (
        w.acme,
        w.acme_site,
        ["10.0.0.5", "10.0.0.6"],
    )
    assert asset.tags == ["sql"]


def test_asset_errors_are_named_per_field(monitored: Monitored) -> None:
    w = monitored.world
    response = w.http(w.bob).post(
        f"/monitoring/clients/{w.acme.pk}/assets/new/",
        {"name": "", "kind": "toaster", "site": w.globex_site.pk, "purchased_on": "yesterday"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Name: This field is required." in body
    assert "Kind: Select a valid choice." in body
    assert "Site: Select a valid choice." in body  # another client's site is not offered
    assert "Purchased on: Enter a valid date." in body


def test_staff_edit_an_asset(monitored: Monitored) -> None:
    w = monitored.world
    http = w.http(w.bob)
    url = f"/monitoring/assets/{monitored.fs01.pk}/edit/"
    assert 'value="fs01"' in http.get(url).content.decode()
    response = http.post(
        url,
        {"name": "fs01", "kind": "server", "os": "Debian", "os_version": "13", "key": "acme-fs01"},
    )
    assert response.status_code == 302
    monitored.fs01.refresh_from_db()
    assert monitored.fs01.os_version == "13"


def test_the_csv_import_reports_each_bad_row(monitored: Monitored) -> None:
    w = monitored.world
    csv = "name,kind,purchased_on\nweb01,server,2024-01-02\nweb02,server,\nweb03,server,soon\n"
    response = w.http(w.bob).post(
        f"/monitoring/clients/{w.acme.pk}/assets/import/",
        {"file": SimpleUploadedFile("assets.csv", csv.encode(), "text/csv")},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-figure="created">2<' in body
    assert "<td>4</td><td>purchased_on</td>" in body
    assert set(Asset.objects.filter(name__startswith="web").values_list("name", flat=True)) == {
        "web01",
        "web02",
    }


def test_staff_create_an_http_check(monitored: Monitored) -> None:
    w = monitored.world
    http = w.http(w.bob)
    page = http.get(f"/monitoring/clients/{w.acme.pk}/checks/new/?type=http").content.decode()
    assert 'name="p_url"' in page
    assert 'name="p_expect_status"' in page
    response = http.post(
        f"/monitoring/clients/{w.acme.pk}/checks/new/?type=http",
        {
            "name": "shop",
            "collector": monitored.portal.collector_id,
            "asset": monitored.fs01.pk,
            "interval_s": 60,
            "timeout_s": 10,
            "enabled": "on",
            "p_url": "https://shop.example.com/",
            "p_method": "HEAD",
            "p_expect_status": "200, 204",
            "p_max_redirects": 5,
            "p_follow_redirects": "on",
            "p_verify_tls": "on",
        },
    )
    assert response.status_code == 302
    check = Check.objects.get(name="shop")
    assert check.params["method"] == "HEAD"
    assert check.params["expect_status"] == [200, 204]
    assert check.asset == monitored.fs01


def test_check_errors_are_named_per_field(monitored: Monitored) -> None:
    w = monitored.world
    response = w.http(w.bob).post(
        f"/monitoring/clients/{w.acme.pk}/checks/new/?type=tcp",
        {
            "name": "db port",
            "collector": monitored.portal.collector_id,
            "interval_s": 30,
            "timeout_s": 60,
            "enabled": "on",
            "p_host": "db.example.com",
            "p_port": 70000,
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Port: Input should be less than or equal to 65535" in body
    assert not Check.objects.filter(name="db port").exists()
    response = w.http(w.bob).post(
        f"/monitoring/clients/{w.acme.pk}/checks/new/?type=tcp",
        {
            "name": "db port",
            "collector": monitored.portal.collector_id,
            "interval_s": 30,
            "timeout_s": 60,
            "enabled": "on",
            "p_host": "db.example.com",
            "p_port": 5432,
        },
    )
    assert "Timeout (seconds): must not exceed interval_s" in response.content.decode()


def test_secrets_are_write_only(monitored: Monitored) -> None:
    w = monitored.world
    snmp = create_check(
        w.acme,
        collector=monitored.portal.collector,
        type="snmp",
        name="switch",
        params={"host": "10.0.0.2", "community": "s3cret-community"},
    )
    http = w.http(w.bob)
    url = f"/monitoring/checks/{snmp.pk}/edit/"
    page = http.get(url).content.decode()
    assert "s3cret-community" not in page
    assert "a value is set: leave empty to keep it" in page
    response = http.post(
        url,
        {
            "name": "core switch",
            "collector": snmp.collector_id,
            "interval_s": 60,
            "timeout_s": 10,
            "enabled": "on",
            "p_host": "10.0.0.3",
            "p_port": 161,
            "p_version": "2c",
            "p_community": "",
            "p_interfaces": "on",
        },
    )
    assert response.status_code == 302
    snmp.refresh_from_db()
    assert (snmp.name, snmp.params["host"]) == ("core switch", "10.0.0.3")
    assert snmp.secrets()["community"] == "s3cret-community"


def test_a_check_is_disabled_and_enabled_again(monitored: Monitored) -> None:
    w = monitored.world
    http = w.http(w.bob)
    url = f"/monitoring/checks/{monitored.portal.pk}/toggle/"
    assert http.post(url).status_code == 302
    monitored.portal.refresh_from_db()
    assert not monitored.portal.enabled
    listing = http.get(f"/monitoring/clients/{w.acme.pk}/checks/").content.decode()
    assert "disabled" in listing
    http.post(url)
    monitored.portal.refresh_from_db()
    assert monitored.portal.enabled

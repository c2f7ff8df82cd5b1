"""The asset CSV: parser properties (hypothesis) and the import route."""

from __future__ import annotations

import string
from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from steward.monitoring.importing import (
    COLUMNS,
    DATE_COLUMNS,
    LIST_COLUMNS,
    RowError,
    parse_assets_csv,
    write_assets_csv,
)
from steward.monitoring.models import Asset
from tests.conftest import World

# Cell text as a spreadsheet holds it: no surrounding blanks (the parser strips them).
cell = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(',"\n'),
    max_size=30,
).map(str.strip)
list_item = (
    st.text(alphabet=string.ascii_letters + string.digits + ".-_ :", min_size=1, max_size=20)
    .map(str.strip)
    .filter(bool)
)
dates = st.none() | st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1))
kinds = st.sampled_from(["server", "laptop", "printer", "other"])


@st.composite
def asset_rows(draw: st.DrawFn) -> dict[str, Any]:
    row: dict[str, Any] = {name: draw(cell) for name in COLUMNS}
    row["name"] = draw(cell.filter(bool))
    row["kind"] = draw(kinds)
    for name in DATE_COLUMNS:
        row[name] = draw(dates)
    for name in LIST_COLUMNS:
        row[name] = draw(st.lists(list_item, max_size=3))
    return row


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(asset_rows(), max_size=5))
def test_written_rows_read_back_the_same(rows: list[dict[str, Any]]) -> None:
    parsed = parse_assets_csv(write_assets_csv(rows))
    assert parsed.errors == []
    assert [r for _, r in parsed.rows] == rows


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300) | st.lists(st.text(max_size=20), max_size=8).map(",".join))
def test_any_text_parses_without_raising(text: str) -> None:
    parsed = parse_assets_csv("name,kind,purchased_on,tags\n" + text)
    numbers = [n for n, _ in parsed.rows] + [e.row for e in parsed.errors]
    assert all(n >= 1 for n in numbers)
    parse_assets_csv(text)


def test_each_bad_cell_is_reported_with_its_row_and_field() -> None:
    text = (
        "name,kind,purchased_on,hostname,colour\n"
        "fs01,server,2024-02-30,fs01.example,red\n"
        ",laptop,,lap,\n"
        "ok,printer,2024-02-01,prn,\n"
    )
    parsed = parse_assets_csv(text)
    assert parsed.errors == [
        RowError(1, "colour", "unknown column (ignored)"),
        RowError(2, "purchased_on", "'2024-02-30' is not a date (YYYY-MM-DD)"),
        RowError(3, "name", "required"),
    ]
    assert [(n, r["name"]) for n, r in parsed.rows] == [(4, "ok")]


def test_a_file_without_a_name_column_is_refused_at_row_1() -> None:
    assert parse_assets_csv("hostname\nx\n").errors == [RowError(1, "name", "required column")]
    assert parse_assets_csv("").errors[0].row == 1


def test_the_import_route_keeps_valid_rows_and_updates_by_key(world: World) -> None:
    http = world.bearer(world.alice)
    url = f"/api/v1/assets/import?client_id={world.acme.pk}"
    text = (
        "name,kind,key,site,tags,addresses\n"
        "fs01,server,k1,Acme HQ,core;backup,10.0.0.1;10.0.0.2\n"
        "pc,spaceship,,,,\n"
        "nas,storage,,Nowhere,,\n"
    )
    answer = http.generic("POST", url, text.encode(), content_type="text/csv").json()
    assert answer["created"] == 1
    assert answer["errors"] == [
        {"row": 3, "field": "kind", "reason": answer["errors"][0]["reason"]},
        {"row": 4, "field": "site", "reason": "no site 'Nowhere' at this client"},
    ]
    assert "spaceship" in answer["errors"][0]["reason"]
    asset = Asset.objects.get(key="k1")
    assert (asset.site, asset.tags, asset.source) == (world.acme_site, ["core", "backup"], "import")
    assert asset.addresses == ["10.0.0.1", "10.0.0.2"]
    again = http.generic("POST", url, b"name,key,os\nfs01,k1,Debian\n", content_type="text/csv")
    assert again.json() == {"created": 0, "updated": 1, "errors": []}
    assert Asset.objects.get(key="k1").os == "Debian"


def test_the_import_route_refuses_other_types_and_other_tenants(world: World) -> None:
    url = f"/api/v1/assets/import?client_id={world.acme.pk}"
    alice = world.bearer(world.alice)
    assert alice.generic("POST", url, b"name\nx\n", content_type="text/plain").status_code == 415
    assert alice.generic("POST", url, b"\xff\xfe", content_type="text/csv").status_code == 422
    dave = world.bearer(world.dave)
    assert dave.generic("POST", url, b"name\nx\n", content_type="text/csv").status_code == 403
    eve = world.bearer(world.eve)
    assert eve.generic("POST", url, b"name\nx\n", content_type="text/csv").status_code == 404
    assert not Asset.objects.exists()

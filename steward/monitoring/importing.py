"""Assets from a CSV file (``POST /api/v1/assets/import``): one row per asset.

The header names the columns (any order; ``name`` is required): name, kind, hostname,
addresses, os, os_version, serial, vendor, model, purchased_on, warranty_ends_on, os_eol_on,
tags, key, site. ``addresses`` and ``tags`` hold several values separated by ``;``; dates are
YYYY-MM-DD; ``site`` is a site's name at the client. Rows are numbered as a spreadsheet shows
them (the header is row 1). Each bad row is reported with its field and the reason, and the
good rows are imported; a row whose ``key`` matches an asset updates it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from steward.monitoring.choices import AssetKind, AssetSource
from steward.monitoring.models import Asset
from steward.monitoring.services import create_asset, update_asset
from steward.tenancy.models import Client

TEXT_COLUMNS = {
    "name": 200,
    "hostname": 255,
    "os": 100,
    "os_version": 100,
    "serial": 100,
    "vendor": 100,
    "model": 100,
    "key": 200,
    "site": 200,
}
DATE_COLUMNS = ("purchased_on", "warranty_ends_on", "os_eol_on")
LIST_COLUMNS = {"addresses": 100, "tags": 100}
COLUMNS = ("name", "kind", *[c for c in TEXT_COLUMNS if c != "name"], *DATE_COLUMNS, *LIST_COLUMNS)
MAX_ROWS = 10_000


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    reason: str


@dataclass
class Parsed:
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def _row(number: int, record: dict[str, str], errors: list[RowError]) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    bad = False
    for column, raw in record.items():
        text = (raw or "").strip()
        reason = None
        if column in TEXT_COLUMNS:
            if len(text) > TEXT_COLUMNS[column]:
                reason = f"at most {TEXT_COLUMNS[column]} characters"
            values[column] = text
        elif column == "kind":
            if text and text not in AssetKind.values:
                reason = f"{text[:40]!r} is not one of {', '.join(AssetKind.values)}"
            values[column] = text or AssetKind.OTHER.value
        elif column in DATE_COLUMNS:
            try:
                values[column] = date.fromisoformat(text) if text else None
            except ValueError:
                reason = f"{text[:40]!r} is not a date (YYYY-MM-DD)"
        elif column in LIST_COLUMNS:
            items = _list(text)
            if any(len(item) > LIST_COLUMNS[column] for item in items):
                reason = f"each value at most {LIST_COLUMNS[column]} characters"
            values[column] = items
        if reason is not None:
            errors.append(RowError(number, column, reason))
            bad = True
    if not values.get("name"):
        errors.append(RowError(number, "name", "required"))
        bad = True
    return None if bad else values


def parse_assets_csv(text: str) -> Parsed:
    """The valid rows (with their row numbers) and the errors of the others. Never raises."""
    parsed = Parsed()
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:
        parsed.errors.append(RowError(1, "", f"not readable as CSV: {error}"))
        return parsed
    if header is None:
        parsed.errors.append(RowError(1, "", "the file is empty: a header row is required"))
        return parsed
    names = [h.strip().lower() for h in header]
    for name in names:
        if name not in COLUMNS:
            parsed.errors.append(RowError(1, name, "unknown column (ignored)"))
    if "name" not in names:
        parsed.errors.append(RowError(1, "name", "required column"))
        return parsed
    if len(set(names)) != len(names):
        parsed.errors.append(RowError(1, "", "a column is named twice"))
        return parsed
    known = [(i, n) for i, n in enumerate(names) if n in COLUMNS]
    number = 1
    while True:
        try:
            cells = next(reader, None)
        except csv.Error as error:
            parsed.errors.append(RowError(number + 1, "", f"not readable as CSV: {error}"))
            return parsed
        if cells is None:
            return parsed
        number += 1
        if not any(c.strip() for c in cells):
            continue  # blank lines are not rows
        if len(parsed.rows) + len(parsed.errors) >= MAX_ROWS:
            parsed.errors.append(
                RowError(number, "", f"more than {MAX_ROWS} rows; the rest is skipped")
            )
            return parsed
        if len(cells) > len(names):
            parsed.errors.append(
                RowError(number, "", f"{len(cells)} cells for {len(names)} columns")
            )
            continue
        record = {name: cells[i] if i < len(cells) else "" for i, name in known}
        row = _row(number, record, parsed.errors)
        if row is not None:
            parsed.rows.append((number, row))


def write_assets_csv(rows: Iterable[dict[str, Any]]) -> str:
    """The CSV of ``rows`` in the import's format (``parse_assets_csv`` reads it back)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        cells = []
        for column in COLUMNS:
            value = row.get(column)
            if column in LIST_COLUMNS:
                cells.append(";".join(value or []))
            elif column in DATE_COLUMNS:
                cells.append(value.isoformat() if value else "")
            else:
                cells.append(value or "")
        writer.writerow(cells)
    return out.getvalue()


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)


def import_assets(client: Client, text: str) -> ImportReport:
    """Create or update (by ``key``) the valid rows' assets for ``client``."""
    parsed = parse_assets_csv(text)
    report = ImportReport(errors=list(parsed.errors))
    sites = dict(client.sites.values_list("name", "pk"))
    keys = [r["key"] for _, r in parsed.rows if r.get("key")]
    existing = {a.key: a for a in Asset.objects.filter(client=client, key__in=keys)}
    seen: set[str] = set()
    with transaction.atomic():
        for number, row in parsed.rows:
            site_name = row.pop("site", "")
            if site_name and site_name not in sites:
                report.errors.append(
                    RowError(number, "site", f"no site {site_name!r} at this client")
                )
                continue
            key = row.get("key", "")
            if key and key in seen:
                report.errors.append(RowError(number, "key", "the same key is on an earlier row"))
                continue
            seen.add(key)
            row["site_id"] = sites.get(site_name) if site_name else None
            asset = existing.get(key) if key else None
            try:
                if asset is None:
                    create_asset(client, source=AssetSource.IMPORT, **row)
                    report.created += 1
                else:
                    update_asset(asset, row)
                    report.updated += 1
            except ValidationError as error:
                report.errors.extend(
                    RowError(number, name, "; ".join(messages))
                    for name, messages in error.message_dict.items()
                )
    report.errors.sort(key=lambda e: (e.row, e.field))
    return report

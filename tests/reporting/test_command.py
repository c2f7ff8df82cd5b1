"""`steward report service`: one client to a file, every client into a directory, errors."""

from __future__ import annotations

import csv
import io
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command

from tests.reporting.conftest import NOV_3, Month


@pytest.fixture(autouse=True)
def _november() -> object:
    with time_machine.travel(NOV_3, tick=False) as traveller:
        yield traveller


@pytest.mark.parametrize("ref", ["acme", "Acme Corporation", "id"])
def test_one_client_by_code_name_or_id(month: Month, tmp_path: Path, ref: str) -> None:
    target = tmp_path / "acme.csv"
    given = str(month.world.acme.pk) if ref == "id" else ref
    call_command(
        "report",
        "service",
        "--client",
        given,
        "--period",
        "2026-10",
        "--format",
        "csv",
        "-o",
        str(target),
        stderr=StringIO(),
    )
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    tickets = [r for r in rows if r["section"] == "tickets"]
    assert [r["subject"] for r in tickets] == [
        "Acme mail down",
        "New laptop for Anna",
        "Mail relay keeps failing",
    ]


def test_a_pdf_in_letter(month: Month, tmp_path: Path) -> None:
    target = tmp_path / "acme.pdf"
    call_command(
        "report",
        "service",
        "--client",
        "acme",
        "--format",
        "pdf",
        "--paper",
        "letter",
        "-o",
        str(target),
        stderr=StringIO(),
    )
    assert target.read_bytes().startswith(b"%PDF")


def test_every_client_into_a_directory(month: Month, tmp_path: Path) -> None:
    out = StringIO()
    call_command(
        "report",
        "service",
        "--all-clients",
        "--period",
        "2026-10",
        "--format",
        "html",
        "-o",
        str(tmp_path / "all"),
        stdout=out,
        stderr=StringIO(),
    )
    names = sorted(p.name for p in (tmp_path / "all").iterdir())
    assert names == ["service-report-acme-2026-10.html", "service-report-globex-2026-10.html"]
    assert "2 report(s) written" in out.getvalue()
    assert "Acme Corporation" in (tmp_path / "all" / names[0]).read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--client", "nobody"], "--client 'nobody'"),
        (["--client", "acme", "--period", "2026-13"], "period"),
        (["--client", "acme", "--format", "pdf"], "-o"),
        (["--all-clients"], "-o"),
    ],
)
def test_errors_name_the_option(month: Month, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("report", "service", *args, stdout=StringIO(), stderr=StringIO())

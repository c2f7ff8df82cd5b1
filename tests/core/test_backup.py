"""`steward backup` and `steward restore` end to end: the real CLI in subprocesses, temporary
STEWARD_HOMEs with real SQLite files, and real PostgreSQL databases when the server is up."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from steward.core.backup import BackupError, FileEntry, Manifest, build_manifest, verify_archive
from steward.core.backup.create import resolve_destination
from steward.core.backup.manifest import check_member_path
from steward.core.backup.progress import NullReporter

DB = "database/steward.sqlite3"
PG_DB = "database/steward.pgdump"
CONTRACT = "media/attachments/contract.pdf"
PG_HOST = "127.0.0.1"

SEED = """
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from steward.tenancy import services
from steward.tenancy.choices import Role
from steward.web.services import start_totp_enrolment
acme = services.create_client(
    name="Acme Corporation", code="acme", timezone="Europe/Berlin", country="DE"
)
globex = services.create_client(
    name="Globex Inc", code="globex", timezone="America/New_York", country="US"
)
services.create_site(acme, name="Acme HQ", city="Berlin", country="DE", timezone="Europe/Berlin")
services.create_site(globex, name="Globex Tower", city="Springfield", country="US")
services.create_contact(acme, first_name="Carol", last_name="Acmeson", email="carol@acme.example")
services.update_client(globex, {"name": "Globex Incorporated"})
alice = services.create_user(username="alice", role=Role.OWNER, password="correct-horse-9-staple")
start_totp_enrolment(alice)
default_storage.save("attachments/contract.pdf", ContentFile(bytes(range(256)) * 64))
default_storage.save("attachments/acme/Überweisung 2026.txt", ContentFile("grüße".encode()))
default_storage.save("empty.txt", ContentFile(b""))
"""

# The TOTP key is decrypted on read: a restore with the wrong encryption.key fails here.
SNAPSHOT = """
import json
from steward.core.models import AuditEntry
from steward.tenancy.models import Client, Contact, Site, User
from steward.web.models import EncryptedTOTPDevice
def rows(model):
    return list(model.objects.order_by("pk").values())
print("SNAPSHOT " + json.dumps({
    "clients": rows(Client),
    "sites": rows(Site),
    "contacts": rows(Contact),
    "users": list(User.objects.order_by("pk").values("username", "role", "password")),
    "audit": list(AuditEntry.objects.order_by("seq").values()),
    "totp_keys": [device.key for device in EncryptedTOTPDevice.objects.order_by("pk")],
}, default=str, sort_keys=True))
"""

NEW_CLIENT = """
from steward.tenancy import services
services.create_client(name="Initech", code="initech", timezone="UTC", country="US")
"""


def steward(
    home: Path, *args: str, db_url: str | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run the real CLI against ``home`` (and ``db_url``), nothing inherited from this process."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("STEWARD_")}
    env |= {"STEWARD_HOME": str(home), "DJANGO_SETTINGS_MODULE": "steward.settings"}
    if db_url:
        env["STEWARD_DATABASE_URL"] = db_url
    result = subprocess.run(
        [sys.executable, "-m", "steward.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if check and result.returncode != 0:
        pytest.fail(
            f"steward {args[0]} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result


def snapshot(home: Path, db_url: str | None = None) -> dict[str, Any]:
    out = steward(home, "shell", "-c", SNAPSHOT, db_url=db_url).stdout
    line = next(line for line in out.splitlines() if line.startswith("SNAPSHOT "))
    return json.loads(line.removeprefix("SNAPSHOT "))  # type: ignore[no-any-return]


def tree(root: Path) -> dict[str, bytes]:
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def backup(home: Path, dest: Path, db_url: str | None = None) -> Path:
    out = steward(home, "backup", str(dest), db_url=db_url).stdout
    match = re.search(r"Backup written: (\S+)", out)
    assert match, out
    return Path(match.group(1))


def members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {info.name: tar.extractfile(info).read() for info in tar}  # type: ignore[union-attr]


def repack(archive: Path, out: Path, edit: Callable[[str, bytes], bytes | None]) -> Path:
    """Copy ``archive`` member by member; ``edit`` returns new bytes, or None to drop one."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(out, "w:gz") as dst:
        for info in src.getmembers():
            data = edit(info.name, src.extractfile(info).read())  # type: ignore[union-attr]
            if data is not None:
                info.size = len(data)
                dst.addfile(info, io.BytesIO(data))
    return out


def edit_manifest(change: Callable[[dict[str, Any]], None]) -> Callable[[str, bytes], bytes]:
    def edit(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        document = json.loads(data)
        change(document)
        return json.dumps(document).encode()

    return edit


def flip_byte(target: str) -> Callable[[str, bytes], bytes]:
    def edit(name: str, data: bytes) -> bytes:
        if name != target:
            return data
        middle = len(data) // 2
        return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]

    return edit


def assert_nothing_restored(home: Path, source: Path) -> None:
    assert not (home / "steward.sqlite3").exists()
    assert tree(home / "media") == {}
    # Loading the settings created fresh keys in the empty home; the archive's were not written.
    for key in ("secret.key", "encryption.key"):
        assert (home / key).read_bytes() != (source / key).read_bytes()
    assert not list(home.glob(".steward-restore-*"))


@dataclass(frozen=True)
class Source:
    home: Path
    archive: Path
    snapshot: dict[str, Any]


@pytest.fixture(scope="module")
def sqlite_source(tmp_path_factory: pytest.TempPathFactory) -> Source:
    home = tmp_path_factory.mktemp("source-home")
    steward(home, "migrate", "-v", "0")
    steward(home, "shell", "-c", SEED)
    archive = backup(home, tmp_path_factory.mktemp("backups"))
    return Source(home, archive, snapshot(home))


# --- The archive ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_backup_writes_one_private_archive_with_database_media_keys_and_manifest(
    sqlite_source: Source,
) -> None:
    archive = sqlite_source.archive
    assert re.fullmatch(r"steward-backup-\d{8}T\d{6}Z\.tar\.gz", archive.name)
    assert archive.stat().st_mode & 0o777 == 0o600
    assert not list(archive.parent.glob(".*")), "no staging or partial files left behind"
    content = members(archive)
    assert list(content)[-1] == "manifest.json"
    assert set(content) == {
        DB,
        CONTRACT,
        "media/attachments/acme/Überweisung 2026.txt",
        "media/empty.txt",
        "keys/secret.key",
        "keys/encryption.key",
        "manifest.json",
    }
    assert content["keys/encryption.key"] == (sqlite_source.home / "encryption.key").read_bytes()
    assert content[CONTRACT] == bytes(range(256)) * 64

    manifest = Manifest.from_json(content["manifest.json"])
    assert manifest.vendor == "sqlite"
    assert manifest.created_at.utcoffset() is not None
    assert "0001_initial" in manifest.migrations["tenancy"]
    for entry in manifest.files:
        assert entry.size == len(content[entry.path])
        assert entry.sha256 == hashlib.sha256(content[entry.path]).hexdigest()


@pytest.mark.slow
def test_database_copy_is_a_standalone_consistent_snapshot(
    sqlite_source: Source, tmp_path: Path
) -> None:
    """Committed changes still in the WAL are in the copy; an open write transaction is not,
    and does not block the backup."""
    home = tmp_path / "live"
    shutil.copytree(sqlite_source.home, home)
    writer = sqlite3.connect(home / "steward.sqlite3", isolation_level=None)
    try:
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("UPDATE tenancy_client SET name='Acme Committed' WHERE code='acme'")
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE tenancy_client SET name='Half Written' WHERE code='globex'")
        archive = backup(home, tmp_path / "out.tar.gz")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(members(archive)[DB])
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        names = dict(conn.execute("SELECT code, name FROM tenancy_client"))
    finally:
        conn.close()
    assert names == {"acme": "Acme Committed", "globex": "Globex Incorporated"}


# --- Restore -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_restore_into_an_empty_home_brings_back_everything(
    sqlite_source: Source, tmp_path: Path
) -> None:
    target = tmp_path / "restored"
    result = steward(target, "restore", str(sqlite_source.archive))
    assert "Restored" in result.stdout

    assert snapshot(target) == sqlite_source.snapshot
    assert "audit log intact" in steward(target, "audit", "verify").stdout
    for key in ("secret.key", "encryption.key"):
        assert (target / key).read_bytes() == (sqlite_source.home / key).read_bytes()
        assert (target / key).stat().st_mode & 0o777 == 0o600
    assert tree(target / "media") == tree(sqlite_source.home / "media")
    assert not list(target.glob(".steward-restore-*"))
    assert not list(target.glob("*.restoring"))


@pytest.mark.slow
def test_restore_migrates_a_backup_made_at_an_older_schema(tmp_path: Path) -> None:
    old = tmp_path / "old"
    steward(old, "migrate", "-v", "0")
    steward(old, "shell", "-c", NEW_CLIENT)
    # An installation from before the web app's first migration.
    steward(old, "migrate", "web", "zero", "-v", "0")
    archive = backup(old, tmp_path / "old.tar.gz")
    assert "web" not in Manifest.from_json(members(archive)["manifest.json"]).migrations

    target = tmp_path / "new"
    steward(target, "restore", str(archive))
    plan = steward(target, "showmigrations", "web").stdout
    assert "[X] 0001_totp_device" in plan
    listed = steward(target, "shell", "-c", SNAPSHOT).stdout
    assert '"code": "initech"' in listed


@pytest.mark.slow
def test_restore_refuses_a_home_with_data_unless_forced(
    sqlite_source: Source, tmp_path: Path
) -> None:
    target = tmp_path / "busy"
    steward(target, "migrate", "-v", "0")
    steward(target, "shell", "-c", NEW_CLIENT)
    before = snapshot(target)
    keys_before = (target / "encryption.key").read_bytes()

    refused = steward(target, "restore", str(sqlite_source.archive), check=False)
    assert refused.returncode != 0
    assert "already holds data" in refused.stderr
    assert "--force" in refused.stderr
    assert snapshot(target) == before
    assert (target / "encryption.key").read_bytes() == keys_before

    (target / "media" / "stale").mkdir(parents=True)
    (target / "media" / "stale" / "old.txt").write_text("from before the restore")
    steward(target, "restore", "--force", str(sqlite_source.archive))
    assert snapshot(target) == sqlite_source.snapshot
    assert tree(target / "media") == tree(sqlite_source.home / "media")
    assert (target / "encryption.key").read_bytes() == (
        sqlite_source.home / "encryption.key"
    ).read_bytes()
    steward(target, "audit", "verify")


@pytest.mark.slow
def test_media_files_alone_count_as_existing_data(sqlite_source: Source, tmp_path: Path) -> None:
    target = tmp_path / "media-only"
    (target / "media").mkdir(parents=True)
    (target / "media" / "keep.txt").write_text("not ours to delete")
    refused = steward(target, "restore", str(sqlite_source.archive), check=False)
    assert refused.returncode != 0
    assert "holds files" in refused.stderr
    assert (target / "media" / "keep.txt").read_text() == "not ours to delete"
    assert not (target / "steward.sqlite3").exists()


@pytest.mark.slow
def test_check_only_verifies_and_writes_nothing(sqlite_source: Source, tmp_path: Path) -> None:
    target = tmp_path / "checked"
    result = steward(target, "restore", "--check", str(sqlite_source.archive))
    assert "Archive verified" in result.stdout
    assert_nothing_restored(target, sqlite_source.home)
    missing = steward(target, "restore", "--check", str(tmp_path / "nope.tar.gz"), check=False)
    assert missing.returncode != 0
    assert "nope.tar.gz does not exist or is not a file" in missing.stderr


# --- Refusals: damaged, altered, foreign archives ----------------------------------------------
# Each kind of damage is checked in-process against verify_archive (what restore runs first);
# the CLI tests after them show a refusal writes nothing into the target.


def refusal(archive: Path) -> str:
    with pytest.raises(BackupError) as caught:
        verify_archive(archive, NullReporter())
    return str(caught.value)


@pytest.mark.slow
@pytest.mark.parametrize("member", [DB, CONTRACT, "keys/encryption.key"])
def test_a_flipped_byte_in_any_member_is_refused(
    sqlite_source: Source, tmp_path: Path, member: str
) -> None:
    bad = repack(sqlite_source.archive, tmp_path / "bad.tar.gz", flip_byte(member))
    message = refusal(bad)
    assert f"{member}: checksum mismatch" in message
    assert message.count("checksum mismatch") == 1


def _forget_contract(doc: dict[str, Any]) -> None:
    doc["files"] = [item for item in doc["files"] if item["path"] != CONTRACT]


def _wrong_sha(doc: dict[str, Any]) -> None:
    entry = next(item for item in doc["files"] if item["path"] == CONTRACT)
    entry["sha256"] = "0" * 64


def _wrong_size(doc: dict[str, Any]) -> None:
    entry = next(item for item in doc["files"] if item["path"] == CONTRACT)
    entry["size"] += 1


def _phantom(doc: dict[str, Any]) -> None:
    doc["files"].append({"path": "media/phantom.txt", "size": 1, "sha256": "a" * 64})


def _escape(doc: dict[str, Any]) -> None:
    doc["files"].append({"path": "media/../../etc/cron.d/x", "size": 1, "sha256": "a" * 64})


@pytest.mark.slow
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_wrong_sha, f"{CONTRACT}: checksum mismatch"),
        (_wrong_size, f"{CONTRACT}: checksum mismatch"),
        (_forget_contract, f"{CONTRACT}: not listed in the manifest"),
        (_phantom, "media/phantom.txt: missing from the archive"),
        (_escape, "unsafe file name in archive"),
    ],
)
def test_an_edited_manifest_is_refused(
    sqlite_source: Source,
    tmp_path: Path,
    change: Callable[[dict[str, Any]], None],
    message: str,
) -> None:
    bad = repack(sqlite_source.archive, tmp_path / "bad.tar.gz", edit_manifest(change))
    assert message in refusal(bad)


@pytest.mark.slow
def test_a_missing_member_or_manifest_is_refused(sqlite_source: Source, tmp_path: Path) -> None:
    no_db = repack(
        sqlite_source.archive, tmp_path / "a.tar.gz", lambda n, d: None if n == DB else d
    )
    assert f"{DB}: missing from the archive" in refusal(no_db)
    bare = repack(
        sqlite_source.archive,
        tmp_path / "b.tar.gz",
        lambda n, d: None if n.endswith(".json") else d,
    )
    assert "holds no manifest.json" in refusal(bare)


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["flip", "truncate", "not-gzip", "empty"])
def test_a_damaged_archive_file_is_refused(
    sqlite_source: Source, tmp_path: Path, damage: str
) -> None:
    raw = sqlite_source.archive.read_bytes()
    middle = len(raw) // 2
    damaged = {
        "flip": raw[:middle] + bytes([raw[middle] ^ 0xFF]) + raw[middle + 1 :],
        "truncate": raw[:middle],
        "not-gzip": b"this is not an archive\n" * 10,
        "empty": b"",
    }[damage]
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(damaged)
    assert re.search(r"damaged|checksum mismatch|missing from|holds no manifest", refusal(bad))


@pytest.mark.slow
def test_a_refused_restore_writes_nothing(sqlite_source: Source, tmp_path: Path) -> None:
    bad = repack(sqlite_source.archive, tmp_path / "bad.tar.gz", flip_byte(DB))
    target = tmp_path / "target"
    result = steward(target, "restore", str(bad), check=False)
    assert result.returncode != 0
    assert f"restore refused: {bad} failed verification, nothing was restored" in result.stderr
    assert f"{DB}: checksum mismatch" in result.stderr
    assert_nothing_restored(target, sqlite_source.home)

    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(sqlite_source.archive.read_bytes()[:1000])
    result = steward(target, "restore", str(garbage), check=False)
    assert result.returncode != 0
    assert "restore refused" in result.stderr
    assert "Traceback" not in result.stderr
    assert_nothing_restored(target, sqlite_source.home)


@pytest.mark.slow
def test_an_archive_from_a_newer_steward_is_refused(sqlite_source: Source, tmp_path: Path) -> None:
    def future(doc: dict[str, Any]) -> None:
        doc["migrations"]["core"].append("9999_from_the_future")

    bad = repack(sqlite_source.archive, tmp_path / "new.tar.gz", edit_manifest(future))
    target = tmp_path / "target"
    result = steward(target, "restore", str(bad), check=False)
    assert result.returncode != 0
    assert "newer Steward" in result.stderr
    assert "core.9999_from_the_future" in result.stderr
    assert_nothing_restored(target, sqlite_source.home)


# --- Backup refusals -----------------------------------------------------------------------------


@pytest.mark.slow
def test_backup_never_overwrites_and_needs_a_database(
    sqlite_source: Source, tmp_path: Path
) -> None:
    existing = tmp_path / "existing.tar.gz"
    existing.write_bytes(b"an older backup")
    result = steward(sqlite_source.home, "backup", str(existing), check=False)
    assert result.returncode != 0
    assert "already exists" in result.stderr
    assert existing.read_bytes() == b"an older backup"

    missing_dir = tmp_path / "no" / "such" / "dir.tar.gz"
    result = steward(sqlite_source.home, "backup", str(missing_dir), check=False)
    assert "does not exist" in result.stderr

    empty_home, out = tmp_path / "empty-home", tmp_path / "out"
    out.mkdir()
    result = steward(empty_home, "backup", str(out), check=False)
    assert result.returncode != 0
    assert "nothing to back up" in result.stderr
    assert not (empty_home / "steward.sqlite3").exists()
    assert list(out.iterdir()) == []


# --- PostgreSQL ----------------------------------------------------------------------------------


def _postgres_up() -> bool:
    if shutil.which("pg_isready") is None or shutil.which("createdb") is None:
        return False
    probe = subprocess.run(["pg_isready", "-h", PG_HOST, "-q"], check=False, timeout=10)
    return probe.returncode == 0


needs_postgres = pytest.mark.skipif(not _postgres_up(), reason="no PostgreSQL at 127.0.0.1")


@pytest.fixture
def fresh_database() -> Iterator[Callable[[], str]]:
    """Creates empty databases on demand; drops them all afterwards."""
    created: list[str] = []

    def make() -> str:
        name = f"steward_bk_{uuid.uuid4().hex[:12]}"
        subprocess.run(["createdb", "-h", PG_HOST, "-U", "postgres", name], check=True)
        created.append(name)
        return f"postgres://postgres@{PG_HOST}:5432/{name}"

    yield make
    for name in created:
        subprocess.run(
            ["dropdb", "-h", PG_HOST, "-U", "postgres", "--if-exists", "--force", name],
            check=False,
        )


@pytest.mark.slow
@needs_postgres
def test_postgresql_round_trip_refusals_and_force(
    fresh_database: Callable[[], str], sqlite_source: Source, tmp_path: Path
) -> None:
    source_url, target_url = fresh_database(), fresh_database()
    source = tmp_path / "pg-source"
    steward(source, "migrate", "-v", "0", db_url=source_url)
    steward(source, "shell", "-c", SEED, db_url=source_url)
    expected = snapshot(source, source_url)
    archive = backup(source, tmp_path / "pg.tar.gz", source_url)
    assert PG_DB in members(archive)
    assert Manifest.from_json(members(archive)["manifest.json"]).vendor == "postgresql"

    target = tmp_path / "pg-target"
    steward(target, "restore", str(archive), db_url=target_url)
    assert snapshot(target, target_url) == expected
    steward(target, "audit", "verify", db_url=target_url)
    assert (target / "encryption.key").read_bytes() == (source / "encryption.key").read_bytes()
    assert tree(target / "media") == tree(source / "media")

    # Now the target holds data: refused, then replaced with --force (extra tables dropped too).
    steward(target, "shell", "-c", NEW_CLIENT, db_url=target_url)
    refused = steward(target, "restore", str(archive), db_url=target_url, check=False)
    assert "already holds data" in refused.stderr
    steward(target, "restore", "--force", str(archive), db_url=target_url)
    assert snapshot(target, target_url) == expected
    steward(target, "audit", "verify", db_url=target_url)

    # Across database kinds, both ways.
    crossed = steward(
        tmp_path / "pg-x",
        "restore",
        str(sqlite_source.archive),
        db_url=fresh_database(),
        check=False,
    )
    assert "holds a SQLite database but this installation uses PostgreSQL" in crossed.stderr
    crossed = steward(tmp_path / "sqlite-x", "restore", str(archive), check=False)
    assert "holds a PostgreSQL database but this installation uses SQLite" in crossed.stderr
    assert not (tmp_path / "sqlite-x" / "steward.sqlite3").exists()

    # The target database must exist: a clear message, not a traceback.
    missing = target_url.rsplit("/", 1)[0] + f"/steward_bk_missing_{uuid.uuid4().hex[:8]}"
    result = steward(tmp_path / "pg-missing", "restore", str(archive), db_url=missing, check=False)
    assert "it must exist before a restore" in result.stderr
    assert "Traceback" not in result.stderr


# --- Pure parts: manifest, member names, destinations ---------------------------------------------

_names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="/\x00", exclude_categories=["Cs"]),
    min_size=1,
    max_size=12,
).filter(lambda part: part not in (".", ".."))
_media_paths = st.lists(_names, min_size=1, max_size=3).map(
    lambda parts: "media/" + "/".join(parts)
)
_sha = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)


@st.composite
def manifests(draw: st.DrawFn) -> Manifest:
    vendor = draw(st.sampled_from(["sqlite", "postgresql"]))
    paths = draw(st.lists(_media_paths, unique=True, max_size=5))
    db_path = DB if vendor == "sqlite" else PG_DB
    files = [FileEntry(path, draw(st.integers(0, 2**40)), draw(_sha)) for path in [db_path, *paths]]
    return build_manifest(
        steward_version=draw(st.text(max_size=10)),
        created_at=draw(st.datetimes(timezones=st.just(UTC))),
        vendor=vendor,
        migrations=draw(st.dictionaries(_names, st.lists(_names, max_size=3), max_size=4)),
        files=files,
        keys_in_environment=tuple(draw(st.lists(st.sampled_from(["STEWARD_SECRET_KEY"])))),
    )


@given(manifests())
def test_manifest_round_trips_through_json(manifest: Manifest) -> None:
    assert Manifest.from_json(manifest.to_json()) == manifest


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


@given(
    manifests(),
    st.sampled_from(
        [
            "format",
            "format_version",
            "created_at",
            "database",
            "migrations",
            "files",
            "steward_version",
            "keys_in_environment",
        ]
    ),
    _json,
)
def test_a_corrupted_manifest_field_is_a_clear_error_never_a_crash(
    manifest: Manifest, field: str, value: object
) -> None:
    document = json.loads(manifest.to_json())
    document[field] = value
    try:
        Manifest.from_json(json.dumps(document).encode())
    except BackupError as exc:
        message = str(exc)
    else:
        return
    assert message.startswith(("manifest.json", "unsafe file name", "unexpected file"))


@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_crash_the_manifest_parser(raw: bytes) -> None:
    with pytest.raises(BackupError):
        Manifest.from_json(raw)


@pytest.mark.parametrize(
    "name",
    [
        "/etc/passwd",
        "../steward.sqlite3",
        "media/../../x",
        "media/./x",
        "media//x",
        "media/",
        "keys/other.key",
        "database/other.db",
        "notes.txt",
        "",
    ],
)
def test_unsafe_or_unknown_member_names_are_refused(name: str) -> None:
    with pytest.raises(BackupError):
        check_member_path(name)


def test_member_names_of_our_own_layout_are_accepted() -> None:
    for name in (DB, PG_DB, "keys/secret.key", "media/a b/ü.pdf", "media/x..y"):
        assert check_member_path(name) == name


def test_destination_directory_gets_a_utc_timestamped_name(tmp_path: Path) -> None:
    now = datetime(2026, 3, 29, 1, 30, 5, tzinfo=UTC)
    assert resolve_destination(tmp_path, now) == tmp_path / "steward-backup-20260329T013005Z.tar.gz"
    created = resolve_destination(f"{tmp_path}/nightly/", now)
    assert created.parent == tmp_path / "nightly"
    assert created.parent.is_dir()
    assert resolve_destination(tmp_path / "mine.tgz", now) == tmp_path / "mine.tgz"
    (tmp_path / "mine.tgz").write_bytes(b"")
    with pytest.raises(BackupError, match="already exists"):
        resolve_destination(tmp_path / "mine.tgz", now)
    with pytest.raises(BackupError, match="does not exist"):
        resolve_destination(tmp_path / "missing" / "x.tar.gz", now)


def test_build_manifest_needs_an_aware_time() -> None:
    with pytest.raises(ValueError, match="aware"):
        build_manifest(
            steward_version="1",
            created_at=datetime(2026, 1, 1),  # noqa: DTZ001 - the point of the test
            vendor="sqlite",
            migrations={},
            files=[FileEntry(DB, 1, "a" * 64)],
        )

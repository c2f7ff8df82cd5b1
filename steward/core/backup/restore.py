"""`steward restore`: verify an archive, then restore it into this (empty) installation."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from steward.core.backup.archive import extract_archive, verify_archive
from steward.core.backup.database import (
    Database,
    configured_database,
    drop_postgres_tables,
    install_sqlite,
    known_migrations,
    postgres_tables,
    restore_postgres,
    sqlite_has_tables,
)
from steward.core.backup.manifest import KEY_ENV, KEY_FILES, BackupError, Manifest
from steward.core.backup.progress import NullReporter, Reporter
from steward.core.env import envstr

VENDOR_LABEL = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass(frozen=True)
class RestoreResult:
    """What `restore_backup` did."""

    manifest: Manifest
    warnings: tuple[str, ...]
    migrate_output: str


def check_compatible(manifest: Manifest, db: Database) -> None:
    """Refuse archives this installation cannot take: another database kind, or a newer schema."""
    if manifest.vendor != db.vendor:
        raise BackupError(
            f"the archive holds a {VENDOR_LABEL[manifest.vendor]} database but this installation "
            f"uses {VENDOR_LABEL[db.vendor]}: restore only restores into the same kind of "
            "database (set or unset STEWARD_DATABASE_URL to match the archive)"
        )
    unknown = sorted(manifest.applied() - known_migrations())
    if unknown:
        names = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        raise BackupError(
            f"the archive comes from a newer Steward ({manifest.steward_version}): its database "
            f"has migrations this version does not know ({names}). Upgrade Steward, then restore"
        )


def existing_data(db: Database, media_root: Path) -> list[str]:
    """What already lives in the target. Key files do not count: loading the settings creates
    them in an empty STEWARD_HOME, and the restore replaces them."""
    found: list[str] = []
    if db.vendor == "sqlite":
        if sqlite_has_tables(db.path):
            found.append(f"the database {db.path} has tables")
    else:
        tables = postgres_tables()
        if tables:
            found.append(f"the database {db.name!r} has {len(tables)} tables")
    if media_root.is_dir() and any(path.is_file() for path in media_root.rglob("*")):
        found.append(f"{media_root} holds files")
    return found


def run_migrate() -> str:
    """Bring the restored database up to this version's schema.

    In a new process: this one loaded the keys that were in STEWARD_HOME before the restore.
    """
    command = [sys.executable, "-m", "steward.cli", "migrate", "--noinput"]
    result = subprocess.run(  # noqa: S603 - our own interpreter and entry point
        command, capture_output=True, text=True, check=False, env=dict(os.environ)
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()[-2000:]
        raise BackupError(
            f"the archive was restored, but `steward migrate` failed (exit {result.returncode}); "
            f"the data is in place at the backup's schema, run `steward migrate` once the cause "
            f"is fixed:\n{detail}"
        )
    return result.stdout


def _write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` atomically with a file of mode 0600."""
    incoming = path.with_name(f".{path.name}.restoring")
    incoming.unlink(missing_ok=True)
    fd = os.open(incoming, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(incoming, path)


def _install_keys(staged: Path, home: Path) -> list[str]:
    warnings: list[str] = []
    for name in KEY_FILES:
        source = staged / name
        variable = KEY_ENV[name]
        if not source.is_file():
            warnings.append(
                f"the archive holds no {name} ({variable} was set at backup time): set "
                f"{variable} to the value used then"
                + (", or the encrypted secrets cannot be read" if name == "encryption.key" else "")
            )
            continue
        data = source.read_bytes()
        _write_private(home / name, data)
        override = envstr(variable, "")
        if override and override != data.decode().strip():
            warnings.append(
                f"{variable} is set here and differs from the restored {name}: "
                f"this installation will use {variable}, not the restored key"
            )
    return warnings


def _install_media(staged: Path, media_root: Path) -> None:
    """Make MEDIA_ROOT hold exactly the archived files. Its contents are replaced rather than
    the directory itself, which may be a mount point."""
    media_root.mkdir(parents=True, exist_ok=True)
    for old in media_root.iterdir():
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old)
        else:
            old.unlink()
    if staged.is_dir():
        for item in staged.iterdir():
            shutil.move(item, media_root / item.name)


def _install_database(db: Database, manifest: Manifest, staging: Path, reporter: Reporter) -> None:
    dump = staging / manifest.database_member
    label = "Restoring database" if db.vendor == "sqlite" else "Restoring database (pg_restore)"
    size = dump.stat().st_size
    with reporter.step(label, size) as step:
        if db.vendor == "sqlite":
            install_sqlite(dump, db.path)
        else:
            drop_postgres_tables(postgres_tables())
            restore_postgres(db, dump)
        step.advance(size)


def restore_backup(
    archive: Path,
    *,
    force: bool = False,
    reporter: Reporter | None = None,
    migrate: Callable[[], str] = run_migrate,
) -> RestoreResult:
    """Restore ``archive`` into this installation: STEWARD_HOME and the configured database.

    1. Verify every member against the manifest; nothing is written before this passes.
    2. Refuse an archive of another database kind, or one newer than this code.
    3. Refuse when the target already holds data, unless ``force``.
    4. Extract into a staging directory inside STEWARD_HOME, checking every checksum again.
    5. Install the database, the media files, and the keys (mode 0600).
    6. Run `migrate`, so an older backup is brought up to this version's schema.
    """
    reporter = reporter or NullReporter()
    manifest = verify_archive(archive, reporter)
    db = configured_database()
    check_compatible(manifest, db)
    home, media_root = Path(settings.STEWARD_HOME), Path(settings.MEDIA_ROOT)
    found = existing_data(db, media_root)
    if found and not force:
        raise BackupError(
            "this installation already holds data (" + "; ".join(found) + "). Nothing was "
            "restored: pass --force to replace it, or point STEWARD_HOME (and "
            "STEWARD_DATABASE_URL) at an empty installation"
        )
    staging = Path(tempfile.mkdtemp(prefix=".steward-restore-", dir=home))
    try:
        extract_archive(archive, manifest, staging, reporter)
        _install_database(db, manifest, staging, reporter)
        _install_media(staging / "media", media_root)
        warnings = _install_keys(staging / "keys", home)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    with reporter.step("Migrating", None):
        output = migrate()
    return RestoreResult(manifest, tuple(warnings), output)

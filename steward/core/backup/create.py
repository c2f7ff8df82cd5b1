"""`steward backup`: one tar.gz holding the database, the media files, the keys and a manifest."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from django.conf import settings

from steward.core.api import steward_version
from steward.core.backup.archive import ArchiveWriter
from steward.core.backup.database import (
    Database,
    applied_migrations,
    configured_database,
    copy_sqlite,
    dump_postgres,
)
from steward.core.backup.manifest import (
    DATABASE_MEMBERS,
    KEY_ENV,
    KEY_FILES,
    KEYS_PREFIX,
    MANIFEST_NAME,
    MEDIA_PREFIX,
    BackupError,
    FileEntry,
    Manifest,
    build_manifest,
)
from steward.core.backup.progress import NullReporter, Reporter
from steward.core.env import envstr


@dataclass(frozen=True)
class BackupResult:
    """What `create_backup` wrote."""

    path: Path
    manifest: Manifest
    size: int
    warnings: tuple[str, ...]


def archive_name(now: datetime) -> str:
    return f"steward-backup-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}.tar.gz"


def resolve_destination(dest: str | Path, now: datetime) -> Path:
    """A directory (existing, or written with a trailing slash) gets a timestamped file name;
    anything else is the archive's own path. An existing file is never overwritten."""
    text = str(dest)
    path = Path(text).expanduser()
    if path.is_dir() or text.endswith(("/", os.sep)):
        path.mkdir(parents=True, exist_ok=True)
        path = path / archive_name(now)
    elif not path.parent.is_dir():
        raise BackupError(f"cannot write {path}: directory {path.parent} does not exist")
    if path.exists():
        raise BackupError(f"{path} already exists: choose another name or move it away first")
    return path.resolve()


def media_files(root: Path) -> tuple[list[tuple[Path, str]], list[str]]:
    """Regular files under MEDIA_ROOT with their member names, in a stable order.

    Symbolic links and special files are reported, never followed: a link could point anywhere
    on the machine.
    """
    found: list[tuple[Path, str]] = []
    skipped: list[str] = []
    if not root.is_dir():
        return found, skipped
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        here = Path(dirpath)
        for name in sorted(filenames) + [d for d in dirnames if (here / d).is_symlink()]:
            path = here / name
            if path.is_symlink() or not path.is_file():
                skipped.append(f"skipped {path}: not a regular file")
                continue
            found.append((path, MEDIA_PREFIX + path.relative_to(root).as_posix()))
    return found, skipped


def key_files(home: Path) -> tuple[list[tuple[Path, str]], tuple[str, ...], list[str]]:
    """The key files in STEWARD_HOME, the key variables set in the environment, and warnings."""
    found = [(home / name, KEYS_PREFIX + name) for name in KEY_FILES if (home / name).is_file()]
    in_env = tuple(KEY_ENV[name] for name in KEY_FILES if envstr(KEY_ENV[name], ""))
    warnings = [
        f"{variable} is set in the environment, so the key in use is not in this archive: "
        "keep its value safe separately"
        for variable in in_env
    ]
    return found, in_env, warnings


def _dump_database(db: Database, target: Path, reporter: Reporter) -> None:
    label = "Copying database" if db.vendor == "sqlite" else "Dumping database (pg_dump)"
    with reporter.step(label, None) as step:
        if db.vendor == "sqlite":
            copy_sqlite(db.path, target)
        else:
            dump_postgres(db, target)
        size = target.stat().st_size
        step.set_total(size)
        step.advance(size)


@contextmanager
def _partial_archive(path: Path, mtime: float) -> Iterator[ArchiveWriter]:
    """A new archive file, mode 0600 (it holds the keys), flushed to disk when the block ends."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as raw:
        writer = ArchiveWriter(raw, mtime)
        yield writer
        writer.close()
        raw.flush()
        os.fsync(raw.fileno())


def _publish(partial: Path, target: Path) -> None:
    if target.exists():
        raise BackupError(f"{target} appeared while the backup was running; it was left alone")
    os.replace(partial, target)
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # make the rename itself durable
    finally:
        os.close(dir_fd)


def create_backup(
    dest: str | Path, *, now: datetime, reporter: Reporter | None = None
) -> BackupResult:
    """Write one archive of this installation to ``dest`` (a file path or a directory).

    1. Resolve the destination; refuse to overwrite a file.
    2. Copy the database beside it: SQLite's online backup API, or pg_dump.
    3. Stream the copy, the media files and the keys into a hidden partial archive, hashing each.
    4. Append manifest.json, flush to disk, and rename the archive to its final name, so a
       crashed backup never leaves a truncated file under the expected name.
    """
    reporter = reporter or NullReporter()
    target = resolve_destination(dest, now)
    db = configured_database()
    media, warnings = media_files(Path(settings.MEDIA_ROOT))
    keys, keys_in_env, key_warnings = key_files(Path(settings.STEWARD_HOME))
    partial = target.with_name(f".{target.name}.partial")
    with tempfile.TemporaryDirectory(prefix=".steward-backup-", dir=target.parent) as tmp:
        member = DATABASE_MEMBERS[db.vendor]
        staged = Path(tmp) / PurePosixPath(member).name
        _dump_database(db, staged, reporter)
        # After the copy: for SQLite, the copy step is what checks that the file exists.
        migrations = applied_migrations()
        sources = [(staged, member), *media, *keys]
        try:
            with _partial_archive(partial, now.timestamp()) as writer:
                entries: list[FileEntry] = []
                total = sum(path.stat().st_size for path, _ in sources)
                with reporter.step("Writing archive", total) as step:
                    entries = [writer.add_file(path, name, step) for path, name in sources]
                manifest = build_manifest(
                    steward_version=steward_version(),
                    created_at=now.astimezone(UTC),
                    vendor=db.vendor,
                    migrations=migrations,
                    files=entries,
                    keys_in_environment=keys_in_env,
                )
                writer.add_bytes(MANIFEST_NAME, manifest.to_json())
            _publish(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    return BackupResult(target, manifest, target.stat().st_size, (*warnings, *key_warnings))

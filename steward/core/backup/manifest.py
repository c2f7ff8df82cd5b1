"""The archive's table of contents: manifest.json, and the rules for the names inside an archive.

Layout of an archive (a gzip-compressed tar)::

    database/steward.sqlite3     SQLite: a consistent copy (journal mode DELETE, one file)
    database/steward.pgdump      PostgreSQL: pg_dump --format=custom
    media/<path>                 every file under MEDIA_ROOT
    keys/secret.key              STEWARD_HOME/secret.key, when it exists
    keys/encryption.key          STEWARD_HOME/encryption.key, when it exists
    manifest.json                last: it lists every other member with its size and SHA-256
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

FORMAT = "steward-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
MANIFEST_MAX_BYTES = 16 * 1024 * 1024
MEDIA_PREFIX = "media/"
KEYS_PREFIX = "keys/"
KEY_FILES = ("secret.key", "encryption.key")
# The environment variable that overrides each key file (steward/settings.py).
KEY_ENV = {"secret.key": "STEWARD_SECRET_KEY", "encryption.key": "STEWARD_ENCRYPTION_KEY"}
DATABASE_MEMBERS = {
    "sqlite": "database/steward.sqlite3",
    "postgresql": "database/steward.pgdump",
}
_SHA256 = re.compile(r"[0-9a-f]{64}")


class BackupError(Exception):
    """Backup or restore cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class FileEntry:
    """One member of the archive as it was written."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """What an archive holds and where it came from."""

    steward_version: str
    created_at: datetime
    vendor: str
    migrations: dict[str, list[str]]
    files: tuple[FileEntry, ...]
    keys_in_environment: tuple[str, ...] = ()
    format_version: int = FORMAT_VERSION

    @property
    def database_member(self) -> str:
        return DATABASE_MEMBERS[self.vendor]

    def entry(self, path: str) -> FileEntry | None:
        return next((item for item in self.files if item.path == path), None)

    def applied(self) -> set[tuple[str, str]]:
        return {(app, name) for app, names in self.migrations.items() for name in names}

    def to_json(self) -> bytes:
        document = {
            "format": FORMAT,
            "format_version": self.format_version,
            "steward_version": self.steward_version,
            "created_at": self.created_at.isoformat(),
            "database": {"vendor": self.vendor, "file": self.database_member},
            "migrations": self.migrations,
            "keys_in_environment": list(self.keys_in_environment),
            "files": [
                {"path": item.path, "size": item.size, "sha256": item.sha256} for item in self.files
            ],
        }
        return (json.dumps(document, indent=2, sort_keys=False) + "\n").encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        """Parse and validate manifest.json; every error names the field at fault."""
        try:
            document = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BackupError(f"manifest.json is not valid JSON: {exc}") from None
        if not isinstance(document, dict):
            raise BackupError("manifest.json: expected a JSON object")
        return _parse_document(document)


def build_manifest(
    *,
    steward_version: str,
    created_at: datetime,
    vendor: str,
    migrations: dict[str, list[str]],
    files: list[FileEntry],
    keys_in_environment: tuple[str, ...] = (),
) -> Manifest:
    """Assemble a manifest, checking the same rules a restore will check."""
    if created_at.tzinfo is None:
        raise ValueError("created_at must be an aware datetime")
    manifest = Manifest(
        steward_version=steward_version,
        created_at=created_at,
        vendor=vendor,
        migrations={app: sorted(names) for app, names in sorted(migrations.items())},
        files=tuple(files),
        keys_in_environment=tuple(keys_in_environment),
    )
    return Manifest.from_json(manifest.to_json())


def check_member_path(path: str) -> str:
    """Refuse member names that could escape the restore directory or are not ours."""
    pure = PurePosixPath(path)
    if (
        not path
        or "\x00" in path
        or pure.is_absolute()
        or any(part in ("", ".", "..") for part in path.split("/"))
    ):
        raise BackupError(f"unsafe file name in archive: {path!r}")
    allowed_keys = {KEYS_PREFIX + name for name in KEY_FILES}
    if not (
        path in DATABASE_MEMBERS.values()
        or path in allowed_keys
        or (path.startswith(MEDIA_PREFIX) and len(path) > len(MEDIA_PREFIX))
    ):
        raise BackupError(f"unexpected file in archive: {path!r}")
    return path


def _field(document: dict[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    if name not in document:
        raise BackupError(f"manifest.json: missing field {name!r}")
    value = document[name]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise BackupError(f"manifest.json: field {name!r} has the wrong type")
    return value


def _parse_document(document: dict[str, Any]) -> Manifest:
    if document.get("format") != FORMAT:
        raise BackupError("manifest.json: field 'format' is not 'steward-backup'")
    version = _field(document, "format_version", int)
    if version != FORMAT_VERSION:
        raise BackupError(
            f"manifest.json: format_version {version} is not supported "
            f"(this Steward reads version {FORMAT_VERSION})"
        )
    database = _field(document, "database", dict)
    vendor = _field(database, "vendor", str)
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"manifest.json: database vendor {vendor!r} is not supported")
    created_raw = _field(document, "created_at", str)
    try:
        created_at = datetime.fromisoformat(created_raw)
    except ValueError:
        raise BackupError(f"manifest.json: created_at {created_raw!r} is not a date") from None
    if created_at.tzinfo is None:
        raise BackupError("manifest.json: created_at has no time zone")
    files = _parse_files(_field(document, "files", list))
    if not any(item.path == DATABASE_MEMBERS[vendor] for item in files):
        raise BackupError(
            f"manifest.json: the database file {DATABASE_MEMBERS[vendor]} is not listed"
        )
    keys_env = _field(document, "keys_in_environment", list)
    if not all(isinstance(name, str) for name in keys_env):
        raise BackupError("manifest.json: field 'keys_in_environment' has the wrong type")
    return Manifest(
        steward_version=_field(document, "steward_version", str),
        created_at=created_at,
        vendor=vendor,
        migrations=_parse_migrations(_field(document, "migrations", dict)),
        files=files,
        keys_in_environment=tuple(keys_env),
        format_version=version,
    )


def _parse_migrations(raw: dict[str, Any]) -> dict[str, list[str]]:
    migrations: dict[str, list[str]] = {}
    for app, names in raw.items():
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise BackupError(f"manifest.json: migrations of {app!r} must be a list of names")
        migrations[app] = list(names)
    return migrations


def _parse_files(raw: list[Any]) -> tuple[FileEntry, ...]:
    entries: list[FileEntry] = []
    seen: set[str] = set()
    for position, item in enumerate(raw):
        if not isinstance(item, dict):
            raise BackupError(f"manifest.json: files[{position}] must be an object")
        path = check_member_path(_field(item, "path", str))
        size = _field(item, "size", int)
        digest = _field(item, "sha256", str)
        if size < 0:
            raise BackupError(f"manifest.json: size of {path} is negative")
        if not _SHA256.fullmatch(digest):
            raise BackupError(f"manifest.json: sha256 of {path} is not 64 hex digits")
        if path in seen:
            raise BackupError(f"manifest.json: {path} is listed twice")
        seen.add(path)
        entries.append(FileEntry(path, size, digest))
    return tuple(entries)

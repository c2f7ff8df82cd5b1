"""The database half of backup and restore: SQLite online copies and pg_dump / pg_restore."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from steward.core.backup.manifest import BackupError

# Connection OPTIONS that libpq also reads from the environment (dj-database-url puts the URL's
# query parameters here).
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "service": "PGSERVICE",
}


@dataclass(frozen=True)
class Database:
    """The configured default database, as the backup tools need it."""

    vendor: str
    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = field(default="", repr=False)
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return Path(self.name)

    def libpq_env(self) -> dict[str, str]:
        """The environment for pg_dump / pg_restore: no password on a command line."""
        env = dict(os.environ)
        wanted = {
            "PGDATABASE": self.name,
            "PGHOST": self.host,
            "PGPORT": self.port,
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
        }
        for option, variable in _LIBPQ_OPTIONS.items():
            if option in self.options:
                wanted[variable] = str(self.options[option])
        env.update({name: value for name, value in wanted.items() if value})
        return env


def configured_database() -> Database:
    """Read settings.DATABASES['default']; refuse engines the backup does not handle."""
    conf = settings.DATABASES["default"]
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backup supports SQLite and PostgreSQL, not {vendor}")
    name = str(conf.get("NAME") or "")
    if vendor == "sqlite" and (not name or name == ":memory:" or "mode=memory" in name):
        raise BackupError("the SQLite database is in memory: there is no file to back up")
    return Database(
        vendor=vendor,
        name=name,
        host=str(conf.get("HOST") or ""),
        port=str(conf.get("PORT") or ""),
        user=str(conf.get("USER") or ""),
        password=str(conf.get("PASSWORD") or ""),
        options=dict(conf.get("OPTIONS") or {}),
    )


def applied_migrations() -> dict[str, list[str]]:
    """The migrations recorded in the database, per app."""
    by_app: dict[str, list[str]] = {}
    try:
        applied = MigrationRecorder(connection).applied_migrations()
    except DatabaseError as exc:
        raise BackupError(f"cannot read the migration state of the database: {exc}") from None
    for app, name in applied:
        by_app.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(by_app.items())}


def known_migrations() -> set[tuple[str, str]]:
    """Migrations this code base knows: on disk, or replaced by a squashed one on disk."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update((app, name) for app, name in migration.replaces)
    return known


# --- SQLite -------------------------------------------------------------------------------------


def _open_existing(path: Path) -> sqlite3.Connection:
    # mode=rw: never create an empty database as a side effect of looking at one.
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=20)


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy a live SQLite database consistently with the online backup API.

    One step (pages=-1) copies the whole file inside one read transaction: in WAL mode writers
    carry on meanwhile, and the copy is the snapshot at its start. Copying in several steps would
    show progress but restart whenever another connection writes, and might never finish on a
    busy installation.
    """
    if not source.is_file():
        raise BackupError(f"SQLite database {source} does not exist: nothing to back up")
    src = _open_existing(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst, pages=-1)
        # The copy must stand alone in the archive: no -wal file beside it.
        dst.execute("PRAGMA journal_mode=DELETE")
        verdict = dst.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.Error as exc:
        raise BackupError(f"copying the SQLite database {source} failed: {exc}") from None
    finally:
        dst.close()
        src.close()
    if verdict != "ok":
        raise BackupError(f"the copy of {source} fails SQLite's integrity check: {verdict}")


def sqlite_has_tables(path: Path) -> bool:
    """True when ``path`` holds tables, or holds something SQLite cannot read: a file we do not
    understand is not ours to replace without --force."""
    if not path.exists():
        return False
    try:
        conn = _open_existing(path)
        try:
            row = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return True
    return bool(row[0])


def install_sqlite(staged: Path, target: Path) -> None:
    """Put the restored file in place of ``target``, with no stale WAL beside it.

    A -wal file left from the old database would be replayed into the new one and corrupt it.
    """
    connections.close_all()
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.with_name(target.name + ".restoring")
    shutil.move(staged, incoming)
    for suffix in ("-wal", "-shm", "-journal"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    os.replace(incoming, target)
    target.chmod(0o600)


# --- PostgreSQL ---------------------------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found on PATH: install the PostgreSQL client tools "
            "of the server's major version (Debian/Ubuntu: postgresql-client)"
        )
    return found


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(  # noqa: S603 - fixed tool and arguments, no shell
        command, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()[-2000:]
        raise BackupError(f"{what} failed (exit {result.returncode}): {detail}")


def dump_postgres(db: Database, target: Path) -> None:
    """pg_dump in the custom format, uncompressed: the archive's gzip compresses it once."""
    command = [_tool("pg_dump"), "--format=custom", "--compress=0", "--no-password"]
    _run([*command, f"--file={target}"], db.libpq_env(), f"pg_dump of database {db.name!r}")


def postgres_tables() -> list[str]:
    try:
        with connection.cursor() as cursor:
            return list(connection.introspection.table_names(cursor))
    except DatabaseError as exc:
        raise BackupError(
            f"cannot connect to the PostgreSQL database {connection.settings_dict['NAME']!r} "
            f"(it must exist before a restore: createdb it first): {exc}".strip()
        ) from None


def drop_postgres_tables(tables: list[str]) -> None:
    """Empty the database for --force: pg_restore --clean only drops what the archive holds,
    and tables of later migrations would otherwise make `migrate` fail."""
    if tables:
        names = ", ".join(connection.ops.quote_name(name) for name in tables)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {names} CASCADE")
    connections.close_all()


def restore_postgres(db: Database, dump: Path) -> None:
    """pg_restore into the configured database, all or nothing.

    --no-owner and --no-privileges: the restoring role owns everything, as on a fresh install;
    the source's roles need not exist here.
    """
    command = [
        _tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        "--no-password",
        f"--dbname={db.name}",
        str(dump),
    ]
    _run(command, db.libpq_env(), f"pg_restore into database {db.name!r}")

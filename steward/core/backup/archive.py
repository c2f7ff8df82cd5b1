"""Reading and writing the tar.gz. Every member is hashed while it streams, so a file is read once
when archived and the archive is read once per pass when verified or extracted."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import tarfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO, BinaryIO

from steward.core.backup.manifest import (
    MANIFEST_MAX_BYTES,
    MANIFEST_NAME,
    BackupError,
    FileEntry,
    Manifest,
    check_member_path,
)
from steward.core.backup.progress import Reporter, Step

CHUNK = 1024 * 1024
Visit = Callable[[str, int, IO[bytes]], None]


class _Reader:
    """A read-only file wrapper that hashes and counts what passes through it."""

    def __init__(self, raw: IO[bytes], step: Step, digest: hashlib._Hash | None = None) -> None:
        self._raw, self._step, self._digest = raw, step, digest

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        if self._digest is not None:
            self._digest.update(data)
        self._step.advance(len(data))
        return data


def _tarinfo(member: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(member)
    info.size, info.mtime, info.mode = size, int(mtime), 0o600
    return info


class ArchiveWriter:
    """Appends members to a tar.gz written to an open binary file."""

    def __init__(self, raw: BinaryIO, mtime: float) -> None:
        self._mtime = mtime
        # No file name in the gzip header: the archive is written under a temporary name.
        self._gzip = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0)
        self._tar = tarfile.TarFile(
            fileobj=self._gzip, mode="w", format=tarfile.PAX_FORMAT, copybufsize=CHUNK
        )

    def add_file(self, source: Path, member: str, step: Step) -> FileEntry:
        """Archive ``source`` as it is now: the size is taken once and exactly that many bytes
        are read and hashed, so the manifest always matches the archived bytes."""
        digest = hashlib.sha256()
        try:
            with source.open("rb") as handle:
                stat = os.fstat(handle.fileno())
                info = _tarinfo(member, stat.st_size, stat.st_mtime)
                self._tar.addfile(info, _Reader(handle, step, digest))
        except OSError as exc:
            hint = " (it shrank while being read: run the backup again)"
            raise BackupError(
                f"archiving {source} failed: {exc}{hint if 'end of data' in str(exc) else ''}"
            ) from None
        return FileEntry(member, stat.st_size, digest.hexdigest())

    def add_bytes(self, member: str, data: bytes) -> None:
        info = _tarinfo(member, len(data), self._mtime)
        self._tar.addfile(info, io.BytesIO(data))

    def close(self) -> None:
        self._tar.close()
        self._gzip.close()


def read_members(archive: Path, reporter: Reporter, description: str, visit: Visit) -> None:
    """Stream through ``archive`` once, handing each regular file to ``visit``.

    ``visit`` must turn its own write errors into BackupError: any other OSError here means the
    archive itself could not be read.
    """
    try:
        total = archive.stat().st_size
        with archive.open("rb") as raw, reporter.step(description, total) as step:
            counted = _Reader(raw, step)
            # Stream mode calls only .read(); typeshed asks for a full file object.
            with tarfile.open(fileobj=counted, mode="r|gz", bufsize=CHUNK) as tar:  # type: ignore[call-overload]
                for info in tar:
                    if info.isdir():
                        continue
                    if not info.isreg():
                        raise BackupError(f"unexpected link or device in archive: {info.name}")
                    data = tar.extractfile(info)
                    assert data is not None  # a regular member always has data
                    visit(info.name, info.size, data)
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise BackupError(f"{archive} is damaged or is not a tar.gz archive: {exc}") from None


def _hash_stream(data: IO[bytes], sink: IO[bytes] | None) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    while chunk := data.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if sink is not None:
            try:
                sink.write(chunk)
            except OSError as exc:
                raise BackupError(
                    f"writing {getattr(sink, 'name', 'a file')} failed: {exc}"
                ) from None
    return size, digest.hexdigest()


def _compare(manifest: Manifest, found: dict[str, tuple[int, str]], archive: Path) -> None:
    problems: list[str] = []
    for entry in manifest.files:
        actual = found.get(entry.path)
        if actual is None:
            problems.append(f"{entry.path}: missing from the archive")
        elif actual != (entry.size, entry.sha256):
            problems.append(f"{entry.path}: checksum mismatch (the file is corrupt or was altered)")
    listed = {entry.path for entry in manifest.files}
    problems += [f"{name}: not listed in the manifest" for name in sorted(set(found) - listed)]
    if problems:
        raise BackupError(
            f"{archive} failed verification, nothing was restored:\n  " + "\n  ".join(problems)
        )


def verify_archive(archive: Path, reporter: Reporter) -> Manifest:
    """Read every member, check it against manifest.json, and return the manifest.

    Writes nothing. Raises BackupError naming each missing, altered or unlisted file.
    """
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist or is not a file")
    found: dict[str, tuple[int, str]] = {}
    manifest_raw: list[bytes] = []

    def visit(name: str, size: int, data: IO[bytes]) -> None:
        if name in found or (name == MANIFEST_NAME and manifest_raw):
            raise BackupError(f"{archive}: {name} appears twice in the archive")
        if name == MANIFEST_NAME:
            if size > MANIFEST_MAX_BYTES:
                raise BackupError(f"{archive}: manifest.json is implausibly large ({size} bytes)")
            manifest_raw.append(data.read())
        else:
            found[name] = _hash_stream(data, None)

    read_members(archive, reporter, "Verifying archive", visit)
    if not manifest_raw:
        raise BackupError(f"{archive} holds no manifest.json: it is not a Steward backup")
    manifest = Manifest.from_json(manifest_raw[0])
    _compare(manifest, found, archive)
    return manifest


def extract_archive(archive: Path, manifest: Manifest, staging: Path, reporter: Reporter) -> None:
    """Write every listed member under ``staging``, checking each checksum again: the archive
    could have changed on disk since it was verified."""
    found: dict[str, tuple[int, str]] = {}

    def visit(name: str, size: int, data: IO[bytes]) -> None:
        if name == MANIFEST_NAME:
            return
        if manifest.entry(name) is None or name in found:
            raise BackupError(f"{archive} changed since it was verified ({name})")
        target = staging / check_member_path(name)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("xb") as sink:
                found[name] = _hash_stream(data, sink)
        except OSError as exc:
            raise BackupError(f"writing {target} failed: {exc}") from None

    read_members(archive, reporter, "Extracting", visit)
    _compare(manifest, found, archive)

"""Backup and restore of a whole installation: database, media files, keys, in one archive.

`create_backup` writes the archive, `verify_archive` checks it without writing anything,
`restore_backup` verifies and restores it; `build_manifest` describes what an archive holds.
Operator guide: docs/backup.md.
"""

from steward.core.backup.archive import verify_archive
from steward.core.backup.create import BackupResult, create_backup
from steward.core.backup.manifest import BackupError, FileEntry, Manifest, build_manifest
from steward.core.backup.restore import RestoreResult, restore_backup

__all__ = [
    "BackupError",
    "BackupResult",
    "FileEntry",
    "Manifest",
    "RestoreResult",
    "build_manifest",
    "create_backup",
    "restore_backup",
    "verify_archive",
]

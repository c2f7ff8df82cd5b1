from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import date_format

from steward.core.backup import BackupError, restore_backup, verify_archive
from steward.core.management.commands.backup import command_reporter


class Command(BaseCommand):
    help = (
        "Restore an archive written by `steward backup` into this installation (STEWARD_HOME "
        "and the configured database), then migrate. Every checksum is verified first. Refuses "
        "when the installation already holds data unless --force. Stop Steward first."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("archive", type=Path, help="the .tar.gz written by steward backup")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the database, media files and keys this installation already has",
        )
        parser.add_argument(
            "--check", action="store_true", help="only verify the archive; write nothing"
        )

    def handle(
        self, *args: Any, archive: Path, force: bool, check: bool, verbosity: int, **options: Any
    ) -> None:
        try:
            with command_reporter(self, verbosity) as reporter:
                if check:
                    manifest = verify_archive(archive, reporter)
                else:
                    result = restore_backup(archive, force=force, reporter=reporter)
                    manifest = result.manifest
        except BackupError as exc:
            raise CommandError(f"restore refused: {exc}") from None
        when = date_format(manifest.created_at, "Y-m-d H:i e")
        summary = f"{len(manifest.files)} files, {manifest.vendor} database, made {when}"
        if check:
            self.stdout.write(self.style.SUCCESS(f"Archive verified: {archive} ({summary})"))
            return
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        if verbosity > 1:
            self.stdout.write(result.migrate_output)
        self.stdout.write(self.style.SUCCESS(f"Restored {archive} ({summary}) and migrated."))

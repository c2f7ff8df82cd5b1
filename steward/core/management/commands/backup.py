from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from rich.console import Console

from steward.core.backup import BackupError, create_backup
from steward.core.backup.progress import NullReporter, Reporter, rich_reporter


@contextmanager
def command_reporter(command: BaseCommand, verbosity: int) -> Iterator[Reporter]:
    """Rich bars on standard error (standard output stays for the result), none with -v 0."""
    if verbosity < 1:
        yield NullReporter()
        return
    # Rich writes its own line endings: give it the stream under Django's wrapper.
    console = Console(file=cast(IO[str], command.stderr._out), highlight=False)
    with rich_reporter(console) as reporter:
        yield reporter


class Command(BaseCommand):
    help = (
        "Write one archive (tar.gz) of this installation: the database (an online, consistent "
        "copy), the media files, the keys and a manifest with checksums. DEST is a file path, "
        "or a directory that gets steward-backup-<UTC time>.tar.gz. See docs/backup.md."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("dest", help="archive file to create, or a directory to put it in")

    def handle(self, *args: Any, dest: str, verbosity: int, **options: Any) -> None:
        try:
            with command_reporter(self, verbosity) as reporter:
                result = create_backup(dest, now=timezone.now(), reporter=reporter)
        except BackupError as exc:
            raise CommandError(f"backup failed: {exc}") from None
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        manifest = result.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written: {result.path} ({filesizeformat(result.size)}, "
                f"{len(manifest.files)} files, {manifest.vendor} database)"
            )
        )

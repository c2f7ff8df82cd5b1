from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from steward.core.audit import verify_chain
from steward.core.models import AuditEntry


class Command(BaseCommand):
    help = "Audit log tools. `steward audit verify` checks the hash chain end to end."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        problem = verify_chain()
        if problem is not None:
            raise CommandError(f"audit log is NOT intact: {problem}")
        count = AuditEntry.objects.count()
        self.stdout.write(self.style.SUCCESS(f"audit log intact: {count} entries verified"))

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run a background task worker (production mode; `steward up` runs one in-process)."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("db_worker", queue_name="*", interval=1.0)

"""The `steward` command: Django's management commands plus the product's own.

`steward up`, `steward demo`, `steward backup`, `steward token create` … are management commands
in the apps; this wrapper only points Django at Steward's settings and marks changes made from the
command line as such in the audit log.
"""

from __future__ import annotations

import getpass
import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steward.settings")
    import django  # imported after the settings module is chosen
    from django.core.management import execute_from_command_line

    django.setup()
    from steward.core.audit import Actor, _actor
    from steward.core.choices import AuditSource

    _actor.set(Actor(None, f"cli:{getpass.getuser()}", AuditSource.CLI))
    args = ["steward", *(sys.argv[1:] if argv is None else argv)]
    execute_from_command_line(args)


if __name__ == "__main__":
    main()

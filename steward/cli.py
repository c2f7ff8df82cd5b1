"""The `steward` command: Django's management commands plus the product's own.

`steward up`, `steward demo`, `steward backup`, `steward token create` … are management commands
in the apps; this wrapper only points Django at Steward's settings and marks changes made from the
command line as such in the audit log.
"""

from __future__ import annotations

import getpass
import importlib
import os
import sys

# Commands spelled with a hyphen on the command line; Django module names cannot have one.
ALIASES = {"mail-in": "mail_in", "mail-poll": "mail_poll", "collector-token": "collector_token"}


# Commands that run without Django: they speak to a server only through its public API.
DJANGO_FREE = {"collector": "steward.collector.main", "agent": "steward.agent.main"}


def main(argv: list[str] | None = None) -> None:
    given = sys.argv[1:] if argv is None else argv
    if given and given[0] in DJANGO_FREE:
        # Imported here so that neither loads Django (nor the rest of Steward).
        module = importlib.import_module(DJANGO_FREE[given[0]])
        sys.exit(module.main(given[1:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steward.settings")
    import django  # imported after the settings module is chosen
    from django.core.management import execute_from_command_line

    django.setup()
    from steward.core.audit import Actor, _actor
    from steward.core.choices import AuditSource

    _actor.set(Actor(None, f"cli:{getpass.getuser()}", AuditSource.CLI))
    args = ["steward", *(sys.argv[1:] if argv is None else argv)]
    if len(args) > 1:
        args[1] = ALIASES.get(args[1], args[1])
    execute_from_command_line(args)


if __name__ == "__main__":
    main()

"""The commands as an operator runs them: ``steward mail-in`` until SIGTERM, the hyphenated
names through the ``steward`` entry point, and clear errors for a bad option."""

from __future__ import annotations

import os
import signal
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from steward import cli
from steward.servicedesk.models import Ticket
from tests.conftest import World
from tests.servicedesk.mail.conftest import HOST, free_port, message, send


@pytest.mark.django_db(transaction=True)  # the listener stores on its own thread
def test_mail_in_serves_until_sigterm(world: World) -> None:
    port = free_port()
    answers: list[tuple[int, bytes]] = []

    def client() -> None:
        for _ in range(200):  # until the command listens
            try:
                answers.append(send(port, message()))
                break
            except OSError:
                threading.Event().wait(0.05)
        os.kill(os.getpid(), signal.SIGTERM)

    previous = {n: signal.getsignal(n) for n in (signal.SIGINT, signal.SIGTERM)}
    out = StringIO()
    try:
        threading.Thread(target=client, daemon=True).start()
        call_command("mail_in", host=HOST, port=port, stdout=out)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    ticket = Ticket.objects.get()
    assert answers == [(250, f"2.0.0 OK: opened ticket #{ticket.pk}".encode())]
    assert f"listening on {HOST}:{port}" in out.getvalue()
    assert "mail-in: stopped" in out.getvalue()


def test_hyphenated_names_reach_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    for name, module in (("mail-in", "mail_in"), ("mail-poll", "mail_poll")):
        with pytest.raises(SystemExit) as exited:
            cli.main([name, "--help"])
        assert exited.value.code == 0
        assert f"usage: steward {module}" in capsys.readouterr().out


def test_mail_poll_names_a_missing_password_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--password-file: No such file"):
        call_command(
            "mail_poll", "--host", HOST, "--user", "u",
            "--password-file", str(tmp_path / "missing"), "--once",
        )  # fmt: skip

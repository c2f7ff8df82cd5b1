"""``steward mail-poll`` against a real Dovecot on loopback (a throwaway server with a
passwd-file and a maildir in a temporary directory): unseen mail is stored, then flagged seen;
a crash between the two re-reads the message without storing it twice."""

from __future__ import annotations

import contextlib
import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from imap_tools.mailbox import BaseMailBox

from steward.servicedesk.choices import MailDirection, MailDisposition
from steward.servicedesk.mail.imap import ImapAccount, poll_once
from steward.servicedesk.models import MailMessage, Ticket
from tests.conftest import World
from tests.servicedesk.mail.conftest import HOST, free_port, message

DOVECOT = shutil.which("dovecot") or (
    "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
)
pytestmark = pytest.mark.skipif(
    DOVECOT is None,
    reason="dovecot is not installed (apt-get install dovecot-imapd); CI installs it",
)
USER, PASSWORD = "desk", "imap-secret"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Dovecot:
    port: int
    password_file: Path

    def imap(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4(HOST, self.port)
        client.login(USER, PASSWORD)
        client.select("INBOX")
        return client

    def deliver(self, raw: bytes) -> None:
        client = self.imap()
        client.append("INBOX", "", "", raw)  # no flags, no date: unseen, now
        client.logout()

    def unseen(self) -> list[bytes]:
        client = self.imap()
        _, data = client.uid("SEARCH", None, "UNSEEN")  # type: ignore[arg-type]
        client.logout()
        return data[0].split()

    def account(self) -> ImapAccount:
        return ImapAccount(HOST, self.port, USER, PASSWORD, security="plain")


def _users() -> tuple[str, str, str, int, int]:
    """(login user, internal user, internal group, mail uid, mail gid). As root, Dovecot's own
    unprivileged users; otherwise everything runs as the current user (rootless Dovecot)."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.getuid()).pw_name
        return me, me, grp.getgrgid(os.getgid()).gr_name, os.getuid(), os.getgid()
    nobody = pwd.getpwnam("nobody")
    login = "dovenull" if _exists("dovenull") else "nobody"
    internal = "dovecot" if _exists("dovecot") else "nobody"
    return login, internal, grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name, *nobody[2:4]


def _exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
    except KeyError:
        return False
    return True


CONFIG = """protocols = imap
listen = {host}
base_dir = {root}/run
state_dir = {root}/run/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
default_login_user = {login}
default_internal_user = {internal}
default_internal_group = {group}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {host}
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


def _wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    for _ in range(300):  # a server starting up, not a clock: poll its port
        if process.poll() is not None:
            pytest.fail(f"dovecot exited: {log.read_text() if log.exists() else ''}")
        try:
            with socket.create_connection((HOST, port), timeout=0.05):
                return
        except OSError:
            with contextlib.suppress(subprocess.TimeoutExpired):  # a pause, ended by a death
                process.wait(timeout=0.05)
    pytest.fail("dovecot did not start listening")


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    root = Path(tempfile.mkdtemp(prefix="steward-dovecot-"))
    root.chmod(0o755)  # Dovecot's unprivileged processes walk into it
    login, internal, group, uid, gid = _users()
    (root / "mail").mkdir()
    os.chown(root / "mail", uid, gid)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    port = free_port()
    config = root / "dovecot.conf"
    config.write_text(
        CONFIG.format(
            host=HOST,
            root=root,
            login=login,
            internal=internal,
            group=group,
            uid=uid,
            gid=gid,
            port=port,
        )
    )
    password_file = root / "password"
    password_file.write_text(PASSWORD + "\n")
    process = subprocess.Popen(
        [str(DOVECOT), "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        _wait_for(port, process, root / "dovecot.log")
        yield Dovecot(port, password_file)
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


def test_mail_poll_stores_unseen_mail_then_marks_it_seen(world: World, dovecot: Dovecot) -> None:
    known = message(subject="Printer on fire")
    stranger = message(sender="stranger@x.example", subject="Hello")
    dovecot.deliver(known.as_bytes())
    dovecot.deliver(stranger.as_bytes())
    call_command(
        "mail_poll",
        "--host", HOST, "--port", str(dovecot.port), "--user", USER,
        "--password-file", str(dovecot.password_file), "--plain", "--once",
    )  # fmt: skip
    ticket = Ticket.objects.get()
    assert ticket.subject == "Printer on fire"
    triaged = MailMessage.objects.get(message_id=stranger["Message-ID"])
    assert triaged.disposition == MailDisposition.TRIAGE
    assert dovecot.unseen() == []
    call_command(
        "mail_poll",
        "--host", HOST, "--port", str(dovecot.port), "--user", USER,
        "--password-file", str(dovecot.password_file), "--plain", "--once",
    )  # fmt: skip
    assert MailMessage.objects.filter(direction=MailDirection.IN).count() == 2


def test_a_crash_before_marking_seen_rereads_without_storing_twice(
    world: World, dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    dovecot.deliver(message().as_bytes())

    def crash(*args: Any, **kwargs: Any) -> None:
        raise ConnectionResetError("the poller died here")

    with monkeypatch.context() as patched:
        patched.setattr(BaseMailBox, "flag", crash)
        with pytest.raises(ConnectionResetError):
            poll_once(dovecot.account(), lambda: NOW)
    assert Ticket.objects.count() == 1  # stored…
    assert len(dovecot.unseen()) == 1  # …but still unseen on the server
    (again,) = poll_once(dovecot.account(), lambda: NOW)
    assert again.duplicate
    assert Ticket.objects.count() == 1
    assert MailMessage.objects.filter(direction=MailDirection.IN).count() == 1
    assert dovecot.unseen() == []


def test_stored_mail_can_be_moved_to_a_folder(world: World, dovecot: Dovecot) -> None:
    client = dovecot.imap()
    client.create("Processed")
    client.logout()
    dovecot.deliver(message().as_bytes())
    account = dovecot.account()
    moved = ImapAccount(account.host, account.port, USER, PASSWORD, security="plain",
                        move_to="Processed")  # fmt: skip
    (result,) = poll_once(moved, lambda: NOW)
    assert result.disposition == MailDisposition.NEW_TICKET
    client = dovecot.imap()
    assert client.select("INBOX")[1] == [b"0"]
    assert client.select("Processed")[1] == [b"1"]
    client.logout()

"""Real peers on loopback for the check tests: an HTTP(S) server, certificates made with
`cryptography`, a DNS stub server, and helpers to run Debian's daemons on free ports."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

import dns.message
import dns.rcode
import dns.rrset
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from steward.collector.checks import CheckContext, CheckOutcome, CheckSpec, run_check

PROMETHEUS_TEXT = """# HELP requests_total Requests.
# TYPE requests_total counter
requests_total{code="200",path="/"} 1027
requests_total{code="500",path="/"} 3
# TYPE temperature gauge
temperature 21.5
temperature_nan NaN
"""
OPENMETRICS_TEXT = """# TYPE jobs counter
jobs_total{queue="mail"} 7.0
jobs_created{queue="mail"} 1.7e9
# EOF
"""


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def check(
    check_type: str, params: dict[str, Any], timeout_s: float = 2.0, check_id: int = 1
) -> CheckOutcome:
    """Run one check on a fresh context, as the scheduler would."""

    async def go() -> CheckOutcome:
        ctx = CheckContext()
        try:
            return await run_check(CheckSpec(check_id, check_type, 60, timeout_s, params), ctx)
        finally:
            await ctx.aclose()

    return asyncio.run(go())


def samples_of(outcome: CheckOutcome) -> dict[str, float]:
    return {s.metric: s.value for s in outcome.samples}


# --- HTTP -----------------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path
        if path == "/ok":
            self.reply(200, b"<h1>Welcome to the portal</h1>")
        elif path.startswith("/hop/"):
            left = int(path.rsplit("/", 1)[1])
            self.reply(302, b"", {"Location": "/ok" if left <= 1 else f"/hop/{left - 1}"})
        elif path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=latin-1")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (b"Bienvenue ", "\xe0 tous".encode("latin-1")):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/loop":
            self.reply(302, b"", {"Location": "/loop"})
        elif path.startswith("/status/"):
            self.reply(int(path.rsplit("/", 1)[1]), b"status")
        elif path == "/slow":
            time.sleep(3)
            self.reply(200, b"late")
        elif path == "/metrics":
            self.reply(200, PROMETHEUS_TEXT.encode(), content_type="text/plain; version=0.0.4")
        elif path == "/openmetrics":
            om = "application/openmetrics-text; version=1.0.0; charset=utf-8"
            self.reply(200, OPENMETRICS_TEXT.encode(), content_type=om)
        elif path == "/bad-metrics":
            self.reply(200, b"good 1\nbroken{x=1} 2\n", content_type="text/plain")
        else:
            self.reply(404, b"no")

    def reply(
        self,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
        content_type: str = "text/html",
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)


@contextlib.contextmanager
def http_server(context: ssl.SSLContext | None = None) -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


# --- Certificates ---------------------------------------------------------------------------------


@dataclass
class Issued:
    cert_pem: Path
    key_pem: Path
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey


def issue(
    directory: Path, name: str, hosts: list[str], days: float, issuer: Issued | None = None
) -> Issued:
    """A certificate for `hosts` valid `days` from now: self-signed (a CA) when `issuer` is None,
    else a leaf signed by `issuer`."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])])
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.IPAddress(IPv4Address(h)) if h[0].isdigit() else x509.DNSName(h)
                    for h in hosts
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    certificate = builder.sign(issuer.key if issuer else key, hashes.SHA256())
    cert_pem, key_pem = directory / f"{name}.crt", directory / f"{name}.key"
    cert_pem.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return Issued(cert_pem, key_pem, certificate, key)


def server_context(issued: Issued) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(issued.cert_pem, issued.key_pem)
    return context


# --- DNS ------------------------------------------------------------------------------------------

ZONE = {
    ("www.example.test.", "A"): ["192.0.2.10", "192.0.2.11"],
    ("example.test.", "MX"): ["10 mail.example.test."],
    ("example.test.", "TXT"): ['"v=spf1 -all"'],
}


@contextlib.contextmanager
def dns_server() -> Iterator[int]:
    """An authoritative stub for ZONE over UDP on a free loopback port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                wire, peer = sock.recvfrom(4096)
            except TimeoutError:
                continue
            query = dns.message.from_wire(wire)
            response = dns.message.make_response(query)
            question = query.question[0]
            key = (question.name.to_text().lower(), dns.rdatatype.to_text(question.rdtype))
            if key in ZONE:
                response.answer.append(
                    dns.rrset.from_text_list(question.name, 60, "IN", key[1], ZONE[key])
                )
            elif not any(name == key[0] for name, _ in ZONE):
                response.set_rcode(dns.rcode.NXDOMAIN)
            sock.sendto(response.to_wire(), peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(sock.getsockname()[1])
    finally:
        stop.set()
        thread.join()
        sock.close()


# --- Daemons --------------------------------------------------------------------------------------


@contextlib.contextmanager
def daemon(argv: list[str], env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_tcp(port: int, process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited: {process.stderr.read()!r}")  # type: ignore[union-attr]
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")

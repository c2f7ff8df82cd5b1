"""TLS certificates: days until the leaf expires, the chain against the system's trust store,
and the host name. An untrusted certificate is still read, so its expiry is always reported."""

from __future__ import annotations

import asyncio
import ssl
from datetime import UTC, datetime

from cryptography import x509

from steward.collector.checks.base import (
    CheckContext,
    CheckOutcome,
    CheckSpec,
    Params,
    Sample,
    State,
    os_error_text,
    register,
)

# OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH, _EMAIL_MISMATCH and _IP_ADDRESS_MISMATCH: the chain
# itself was good.
NAME_MISMATCH_CODES = (62, 63, 64)


def tls_state(
    days_left: float, problem: str | None, warn_days: float, crit_days: float
) -> tuple[State, str]:
    """State and summary from the certificate's remaining days and a verification problem."""
    described = f"certificate expires in {days_left:.1f} days"
    if problem is not None:
        return State.CRITICAL, f"{problem}; {described}"
    if days_left < crit_days:
        return State.CRITICAL, described
    if days_left < warn_days:
        return State.WARNING, described
    return State.OK, described


async def peer_certificate(
    host: str, port: int, server_name: str, context: ssl.SSLContext
) -> bytes:
    _, writer = await asyncio.open_connection(host, port, ssl=context, server_hostname=server_name)
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        der: bytes | None = ssl_object.getpeercert(binary_form=True) if ssl_object else None
    finally:
        writer.transport.abort()
    if not der:
        raise ssl.SSLError("the server sent no certificate")
    return der


@register("tls")
async def run_tls(check: CheckSpec, ctx: CheckContext) -> CheckOutcome:
    params = Params(check.params)
    host = params.text("host")
    port = params.integer("port", 443, low=1, high=65535)
    server_name = params.text("server_name", host)
    warn_days, crit_days = params.number("warn_days", 21), params.number("crit_days", 7)
    problem: str | None = None
    name_mismatch = False
    try:
        der = await peer_certificate(host, port, server_name, ctx.ssl_context(verify=True))
    except ssl.SSLCertVerificationError as exc:
        problem = exc.verify_message or str(exc)
        name_mismatch = exc.verify_code in NAME_MISMATCH_CODES
        try:
            der = await peer_certificate(host, port, server_name, ctx.ssl_context(verify=False))
        except (OSError, ssl.SSLError) as again:
            return CheckOutcome(State.CRITICAL, f"{host}:{port}: {problem}; then {again}")
    except ssl.SSLError as exc:
        return CheckOutcome(State.CRITICAL, f"{host}:{port}: {exc}")
    except OSError as exc:
        return CheckOutcome(State.CRITICAL, f"{host}:{port}: {os_error_text(exc)}")
    certificate = x509.load_der_x509_certificate(der)
    days_left = (certificate.not_valid_after_utc - datetime.now(UTC)).total_seconds() / 86_400
    state, summary = tls_state(days_left, problem, warn_days, crit_days)
    samples = [
        Sample("tls_cert_days_left", round(days_left, 4)),
        Sample("tls_chain_valid", 0.0 if problem and not name_mismatch else 1.0),
    ]
    if problem is None or name_mismatch:  # OpenSSL stops at the first fault: else unknown
        samples.append(Sample("tls_hostname_match", 0.0 if name_mismatch else 1.0))
    return CheckOutcome(state, summary, samples=samples)

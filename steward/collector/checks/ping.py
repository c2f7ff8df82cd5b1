"""ICMP ping through icmplib without privileges (a datagram ICMP socket). Where the system does
not allow that (net.ipv4.ping_group_range), the outcome is `unknown` saying so."""

from __future__ import annotations

import icmplib

from steward.collector.checks.base import (
    CheckContext,
    CheckOutcome,
    CheckSpec,
    Params,
    Sample,
    State,
    register,
)

NOT_PERMITTED = (
    "unprivileged ICMP is not permitted on this machine (allow the collector's group in "
    "the sysctl net.ipv4.ping_group_range)"
)


def loss_state(loss: float, warn_loss: float, crit_loss: float) -> State:
    if loss >= crit_loss:
        return State.CRITICAL
    if loss >= warn_loss:
        return State.WARNING
    return State.OK


@register("ping")
async def run_ping(check: CheckSpec, ctx: CheckContext) -> CheckOutcome:
    params = Params(check.params)
    host = params.text("host")
    count = params.integer("count", 3, low=1, high=100)
    warn_loss, crit_loss = params.number("warn_loss", 0.2), params.number("crit_loss", 1.0)
    per_reply = max(0.2, min(2.0, check.timeout_s / (count + 1)))
    try:
        reply = await icmplib.async_ping(
            host, count=count, interval=0.2, timeout=per_reply, privileged=False
        )
    except icmplib.SocketPermissionError:
        return CheckOutcome(State.UNKNOWN, NOT_PERMITTED)
    except icmplib.ICMPLibError as exc:
        return CheckOutcome(State.UNKNOWN, f"{host}: {type(exc).__name__}: {exc}")
    samples = [Sample("ping_loss_ratio", reply.packet_loss)]
    if reply.packets_received:
        samples.append(Sample("ping_rtt_seconds", reply.avg_rtt / 1000))
    state = loss_state(reply.packet_loss, warn_loss, crit_loss)
    summary = (
        f"{host}: {reply.packets_received}/{reply.packets_sent} replies, "
        f"loss {reply.packet_loss:.0%}, rtt avg {reply.avg_rtt:.2f} ms"
    )
    return CheckOutcome(state, summary, samples=samples)

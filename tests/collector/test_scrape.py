"""The scrape check against a loopback server and Debian's prometheus-node-exporter."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from steward.collector.checks import State
from tests.collector.peers import check, daemon, free_port, wait_for_tcp

NODE_EXPORTER = "prometheus-node-exporter"


@pytest.fixture(scope="module")
def node_exporter() -> Iterator[str]:
    binary = shutil.which(NODE_EXPORTER)
    if binary is None:
        pytest.skip(f"{NODE_EXPORTER} is not installed (Debian package {NODE_EXPORTER})")
    port = free_port()
    with daemon([binary, f"--web.listen-address=127.0.0.1:{port}"]) as process:
        wait_for_tcp(port, process)
        yield f"http://127.0.0.1:{port}/metrics"


def test_prometheus_text_keeps_names_and_labels(base_url: str) -> None:
    outcome = check("scrape", {"url": f"{base_url}/metrics"})
    assert outcome.state is State.OK
    assert outcome.summary == "3 samples (Prometheus text); 1 NaN or infinite values left out"
    found = {(s.metric, tuple(sorted(s.labels.items()))): s.value for s in outcome.samples}
    assert found[("requests_total", (("code", "500"), ("path", "/")))] == 3
    assert found[("temperature", ())] == 21.5


def test_openmetrics_by_content_type(base_url: str) -> None:
    outcome = check("scrape", {"url": f"{base_url}/openmetrics"})
    assert outcome.state is State.OK
    assert outcome.summary == "2 samples (OpenMetrics)"
    assert {s.metric for s in outcome.samples} == {"jobs_total", "jobs_created"}


def test_malformed_exposition_is_unknown_naming_the_line(base_url: str) -> None:
    outcome = check("scrape", {"url": f"{base_url}/bad-metrics"})
    assert outcome.state is State.UNKNOWN
    assert "line 2 'broken{x=1} 2'" in outcome.summary


def test_http_failures_are_critical(base_url: str) -> None:
    assert check("scrape", {"url": f"{base_url}/status/500"}).state is State.CRITICAL


def test_node_exporter(node_exporter: str) -> None:
    outcome = check("scrape", {"url": node_exporter}, timeout_s=5)
    assert outcome.state is State.OK, outcome.summary
    names = {s.metric for s in outcome.samples}
    assert "node_cpu_seconds_total" in names
    assert "node_memory_MemTotal_bytes" in names
    cpu = [s for s in outcome.samples if s.metric == "node_cpu_seconds_total"]
    assert {"cpu", "mode"} <= set(cpu[0].labels)

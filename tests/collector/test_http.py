"""The http check against a real HTTP server on loopback."""

from __future__ import annotations

from pathlib import Path

from steward.collector.checks import State
from steward.collector.checks.http import redirected_method, status_expected
from steward.collector.checks.httpclient import HttpResponse
from tests.collector.peers import (
    check,
    free_port,
    http_server,
    issue,
    samples_of,
    server_context,
)


def test_ok_with_keyword_reports_status_and_latency(base_url: str) -> None:
    outcome = check("http", {"url": f"{base_url}/ok", "keyword": "Welcome"})
    assert outcome.state is State.OK
    assert outcome.summary.startswith("HTTP 200 in ")
    values = samples_of(outcome)
    assert values["http_status_code"] == 200
    assert 0 < values["http_response_seconds"] < 1
    assert values["http_redirects"] == 0


def test_missing_keyword_is_critical(base_url: str) -> None:
    outcome = check("http", {"url": f"{base_url}/ok", "keyword": "Goodbye"})
    assert outcome.state is State.CRITICAL
    assert "keyword 'Goodbye' not found" in outcome.summary


def test_redirects_are_followed_and_counted(base_url: str) -> None:
    outcome = check("http", {"url": f"{base_url}/hop/3", "keyword": "Welcome"})
    assert outcome.state is State.OK
    assert samples_of(outcome)["http_redirects"] == 3
    assert "after 3 redirects" in outcome.summary


def test_too_many_redirects_and_not_following(base_url: str) -> None:
    looping = check("http", {"url": f"{base_url}/loop", "max_redirects": 4})
    assert looping.state is State.CRITICAL
    assert looping.summary == "more than 4 redirects"
    unfollowed = check("http", {"url": f"{base_url}/hop/2", "follow_redirects": False})
    assert unfollowed.state is State.OK  # a 302 is within the default 200-399
    assert samples_of(unfollowed)["http_status_code"] == 302


def test_unexpected_status_is_critical(base_url: str) -> None:
    outcome = check("http", {"url": f"{base_url}/status/503"})
    assert outcome.state is State.CRITICAL
    assert "HTTP 503" in outcome.summary
    assert "expected 200-399" in outcome.summary
    listed = check("http", {"url": f"{base_url}/status/404", "expect_status": [404]})
    assert listed.state is State.OK


def test_slow_endpoint_times_out(base_url: str) -> None:
    outcome = check("http", {"url": f"{base_url}/slow"}, timeout_s=0.3)
    assert outcome.state is State.CRITICAL
    assert outcome.summary == "timed out after 0.3 s"
    assert 250 < outcome.duration_ms < 1000


def test_refused_connection_is_critical() -> None:
    outcome = check("http", {"url": f"http://127.0.0.1:{free_port()}/"})
    assert outcome.state is State.CRITICAL
    assert outcome.summary.endswith("/: Connection refused")


def test_bad_params_are_unknown_and_name_the_field() -> None:
    assert check("http", {}).summary == "params.url: required"
    assert check("http", {"url": "ftp://x"}).summary == (
        "params.url: must be an absolute http:// or https:// URL"
    )
    outcome = check("http", {"url": "http://x", "expect_status": ["200"]})
    assert outcome.state is State.UNKNOWN
    assert outcome.summary == "params.expect_status: must be a list of int"


def test_status_expected_boundaries() -> None:
    assert [status_expected(s, None) for s in (199, 200, 399, 400)] == [False, True, True, False]
    assert status_expected(404, [404])
    assert not status_expected(200, [404])


def test_chunked_body_in_its_charset(base_url: str) -> None:
    outcome = check("http", {"url": f"{base_url}/chunked", "keyword": "Bienvenue \u00e0 tous"})
    assert outcome.state is State.OK, outcome.summary
    assert samples_of(outcome)["http_content_bytes"] == 16


def test_https_verifies_unless_told_not_to(tmp_path: Path) -> None:
    issued = issue(tmp_path, "self", ["127.0.0.1"], days=30)
    with http_server(server_context(issued)) as port:
        url = f"https://127.0.0.1:{port}/ok"
        verified = check("http", {"url": url})
        unverified = check("http", {"url": url, "verify_tls": False, "keyword": "Welcome"})
    assert verified.state is State.CRITICAL
    assert "CERTIFICATE_VERIFY_FAILED" in verified.summary
    assert unverified.state is State.OK


def test_redirected_method() -> None:
    def after(method: str, status: int) -> str:
        return redirected_method(method, HttpResponse(status, {"location": "/x"}, b""))

    assert [after("POST", s) for s in (301, 302, 303, 307, 308)] == [
        "GET",
        "GET",
        "GET",
        "POST",
        "POST",
    ]
    assert after("HEAD", 303) == "HEAD"
    assert after("GET", 301) == "GET"

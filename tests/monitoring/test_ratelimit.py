"""The token bucket (``ratelimit.take``) at its boundaries."""

from __future__ import annotations

from steward.monitoring.ratelimit import Bucket, take


def test_a_new_sender_starts_with_a_full_bucket() -> None:
    decision = take(None, 100.0, rate=1, burst=3)
    assert decision.allowed
    assert decision.bucket == Bucket(2.0, 100.0)


def test_the_last_token_is_taken_then_refused() -> None:
    one = take(Bucket(1.0, 100.0), 100.0, rate=1, burst=3)
    assert one.allowed
    assert one.bucket.tokens == 0.0
    none = take(one.bucket, 100.0, rate=1, burst=3)
    assert not none.allowed
    assert none.retry_after_s == 1


def test_refill_reaches_a_token_exactly_on_time() -> None:
    empty = Bucket(0.0, 100.0)
    assert not take(empty, 101.999, rate=0.5, burst=3).allowed
    assert take(empty, 102.0, rate=0.5, burst=3).allowed


def test_retry_after_rounds_up_to_whole_seconds() -> None:
    decision = take(Bucket(0.2, 0.0), 0.0, rate=0.5, burst=3)
    assert decision.retry_after_s == 2  # 0.8 tokens at 0.5/s = 1.6 s
    assert take(Bucket(0.99, 0.0), 0.0, rate=100, burst=3).retry_after_s == 1


def test_refill_stops_at_the_burst_and_a_clock_going_back_refills_nothing() -> None:
    assert take(Bucket(0.0, 0.0), 1e9, rate=10, burst=3).bucket.tokens == 2.0
    assert not take(Bucket(0.5, 100.0), 50.0, rate=10, burst=3).allowed


def test_a_zero_rate_refuses_for_an_hour() -> None:
    decision = take(Bucket(0.0, 0.0), 10.0, rate=0, burst=1)
    assert (decision.allowed, decision.retry_after_s) == (False, 3600)

from __future__ import annotations

import contextlib
import json
import math
import time

import psutil
import pytest
from hypothesis import given
from hypothesis import strategies as st

from steward.agent.metrics import (
    Counters,
    Partition,
    Sample,
    loopback_interfaces,
    rate_samples,
    read_counters,
    read_gauges,
    real_mounts,
)


def counters(at: float, busy: float, total: float, **network: tuple[int, int]) -> Counters:
    return Counters(at=at, boot_time=1000.0, cpu_busy=busy, cpu_total=total, network=network)


def by_name(samples: list[Sample]) -> dict[tuple[str, str], float]:
    return {(s.metric, s.labels.get("interface", "")): s.value for s in samples}


# -- rate math -------------------------------------------------------------------------------


def test_first_reading_gives_no_rate() -> None:
    assert rate_samples(None, counters(100.0, 10.0, 40.0, eth0=(5, 5))) == []


def test_rates_over_elapsed_time() -> None:
    before = counters(100.0, 10.0, 40.0, eth0=(1_000, 500))
    after = counters(110.0, 15.0, 60.0, eth0=(21_000, 1_500))
    rates = by_name(rate_samples(before, after))
    assert rates == {
        ("cpu_usage_percent", ""): 25.0,
        ("network_receive_bytes_per_second", "eth0"): 2_000.0,
        ("network_transmit_bytes_per_second", "eth0"): 100.0,
    }


@pytest.mark.parametrize("elapsed", [0.0, -5.0])
def test_zero_or_negative_elapsed_gives_no_rate(elapsed: float) -> None:
    before = counters(100.0, 10.0, 40.0, eth0=(1_000, 500))
    after = counters(100.0 + elapsed, 15.0, 60.0, eth0=(2_000, 600))
    assert rate_samples(before, after) == []


def test_a_reset_counter_gives_no_rate_but_the_others_do() -> None:
    before = counters(100.0, 10.0, 40.0, eth0=(10_000, 500), eth1=(100, 100))
    after = counters(110.0, 15.0, 60.0, eth0=(200, 700), eth1=(200, 300))
    rates = by_name(rate_samples(before, after))
    assert ("network_receive_bytes_per_second", "eth0") not in rates
    assert rates[("network_transmit_bytes_per_second", "eth0")] == 20.0
    assert rates[("network_receive_bytes_per_second", "eth1")] == 10.0


def test_a_reboot_gives_no_rate() -> None:
    before = counters(100.0, 10.0, 40.0, eth0=(1_000, 500))
    after = Counters(110.0, 1060.0, 1.0, 2.0, {"eth0": (5_000, 900)})
    assert rate_samples(before, after) == []


def test_cpu_time_going_backwards_gives_no_cpu_usage() -> None:
    before = counters(100.0, 10.0, 40.0)
    assert rate_samples(before, counters(110.0, 9.0, 60.0)) == []
    assert rate_samples(before, counters(110.0, 10.0, 40.0)) == []


def test_a_new_interface_waits_for_its_second_reading() -> None:
    before = counters(100.0, 10.0, 40.0)
    after = counters(110.0, 10.0, 50.0, wg0=(100, 100))
    assert by_name(rate_samples(before, after)) == {("cpu_usage_percent", ""): 0.0}


counts = st.integers(min_value=0, max_value=2**64)
times = st.floats(min_value=0, max_value=1e10, allow_nan=False)


@given(
    st.tuples(times, times, times, counts, counts), st.tuples(times, times, times, counts, counts)
)
def test_rates_are_never_negative_nor_cpu_over_100(
    a: tuple[float, float, float, int, int], b: tuple[float, float, float, int, int]
) -> None:
    before = counters(a[0], a[1], a[2], eth0=(a[3], a[4]))
    after = counters(b[0], b[1], b[2], eth0=(b[3], b[4]))
    for sample in rate_samples(before, after):
        assert math.isfinite(sample.value)
        assert sample.value >= 0
        if sample.metric == "cpu_usage_percent":
            assert sample.value <= 100


# -- counters kept in the state dir ----------------------------------------------------------


@given(times, times, times, st.dictionaries(st.text(min_size=1), st.tuples(counts, counts)))
def test_counters_round_trip_through_json(
    at: float, busy: float, total: float, network: dict[str, tuple[int, int]]
) -> None:
    saved = Counters(at, 1000.0, busy, total, network)
    assert Counters.from_json(saved.to_json()) == saved


json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children),
    max_leaves=8,
)
counter_like = st.fixed_dictionaries(
    {name: json_values for name in ("at", "boot_time", "cpu_busy", "cpu_total", "network")}
)


@given(st.text() | json_values.map(json.dumps) | counter_like.map(json.dumps))
def test_reading_counters_from_any_text_fails_only_with_a_value_error(text: str) -> None:
    with contextlib.suppress(ValueError):
        Counters.from_json(text)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("[]", "counters"),
        ('{"at": "x", "boot_time": 1, "cpu_busy": 1, "cpu_total": 1}', "at"),
        ('{"at": 1, "boot_time": 1, "cpu_busy": 1}', "cpu_total"),
        ('{"at": 1e999, "boot_time": 1, "cpu_busy": 1, "cpu_total": 2}', "at"),
        ('{"at": 1%s, "boot_time": 1, "cpu_busy": 1, "cpu_total": 2}' % ("0" * 400), "at"),
        ('{"at": 1, "boot_time": 1, "cpu_busy": 1, "cpu_total": 2, "network": {"e": [1]}}', "e"),
    ],
)
def test_bad_counters_name_the_field(text: str, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        Counters.from_json(text)


# -- filesystems -----------------------------------------------------------------------------


def test_real_mounts_skip_images_and_loops_and_keep_one_mount_per_device() -> None:
    partitions = [
        Partition("/dev/vda", "/", "ext4"),
        Partition("/dev/vda", "/etc/hosts", "ext4"),  # a container's bind mount
        Partition("/dev/nvme0n1p2", "/home", "btrfs"),
        Partition("/dev/nvme0n1p2", "/home/.snapshots", "btrfs"),
        Partition("/dev/loop3", "/snap/core22/1380", "squashfs"),
        Partition("/dev/sr0", "/media/cdrom", "iso9660"),
        Partition("/dev/sdb1", "/boot/efi", "vfat"),
    ]
    assert real_mounts(partitions) == ["/", "/boot/efi", "/home"]


# -- this machine ----------------------------------------------------------------------------


def test_gauges_on_this_machine_have_sane_values() -> None:
    now = time.time()
    samples = read_gauges(now)
    values = {(s.metric, s.labels.get("mount", "")): s.value for s in samples}
    assert 0 <= values[("memory_used_percent", "")] <= 100
    assert 0 < values[("memory_available_bytes", "")] <= psutil.virtual_memory().total
    assert 0 <= values[("disk_used_percent", "/")] <= 100
    assert values[("disk_free_bytes", "/")] > 0
    assert all(values[(f"load{n}", "")] >= 0 for n in (1, 5, 15))
    assert 0 < values[("uptime_seconds", "")] < 10 * 365 * 86400
    if psutil.swap_memory().total == 0:
        assert ("swap_used_percent", "") not in values
    else:
        assert 0 <= values[("swap_used_percent", "")] <= 100
    assert not any(mount.startswith(("/proc", "/sys", "/dev")) for _, mount in values if mount)


def test_rates_between_two_real_readings() -> None:
    first = read_counters()
    psutil.cpu_percent()  # a little work between the readings
    second = read_counters(first.at + 1.0)
    assert second.network.keys() == first.network.keys()
    assert not loopback_interfaces() & second.network.keys()
    samples = rate_samples(first, second)
    cpu = [s for s in samples if s.metric == "cpu_usage_percent"]
    assert len(cpu) <= 1
    assert all(0 <= s.value <= 100 for s in cpu)
    nets = {s.labels["interface"] for s in samples if s.metric.startswith("network_")}
    assert nets <= set(second.network)

"""Check params per type: defaults, errors naming the field, secrets apart; any input is
either accepted or refused with a ValidationError (hypothesis)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from steward.monitoring.choices import CheckType
from steward.monitoring.params import validate_params

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3),
    max_leaves=8,
)
FIELDS = ["url", "host", "port", "name", "community", "version", "user", "command", "get",
          "walk", "expect_status", "count", "crit_days", "method"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    check_type=st.sampled_from(CheckType.values),
    params=st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=5), values, max_size=5),
)
def test_any_params_are_accepted_or_refused_by_field(
    check_type: str, params: dict[str, Any]
) -> None:
    refusal: ValidationError | None = None
    try:
        plain, secrets = validate_params(check_type, params)
    except ValidationError as error:
        refusal = error
    if refusal is not None:
        assert all(m.startswith("params.") for m in refusal.message_dict["params"])
    else:
        assert not set(plain) & set(secrets)


def test_defaults_are_filled_in_and_secrets_kept_apart() -> None:
    plain, secrets = validate_params("snmp", {"host": "sw1", "community": "c0mm"})
    assert plain == {"host": "sw1", "port": 161, "version": "2c", "get": [], "walk": [],
                     "interfaces": True}  # fmt: skip
    assert secrets == {"community": "c0mm"}
    assert validate_params("tls", {"host": "example.com"})[0] == {
        "host": "example.com", "port": 443, "warn_days": 21, "crit_days": 7
    }  # fmt: skip


@pytest.mark.parametrize(
    ("check_type", "params", "message"),
    [
        ("tcp", {"host": "h"}, "params.port: Field required"),
        ("tls", {"host": "h", "warn_days": 5, "crit_days": 9}, "params.crit_days: must not exceed"),
        ("snmp", {"host": "h", "version": "3"}, "params.user: required for SNMP v3"),
        ("snmp", {"host": "h", "community": "c", "get": ["ifInOctets"]}, "params.get/walk"),
        ("plugin", {"command": []}, "params.command"),
        ("scrape", {"url": "file:///etc/passwd"}, "params.url: an http:// or https:// URL"),
    ],
)
def test_errors_name_the_field(check_type: str, params: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_params(check_type, params)
    assert caught.value.message_dict["params"][0].startswith(message)


def test_unknown_types_are_refused() -> None:
    with pytest.raises(ValidationError, match="unknown check type"):
        validate_params("telnet", {})

"""What the pages parse from requests: the calendar's month, the check form's params and the
services' params errors. None of them raises on any input."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from steward.monitoring.forms import CheckForm, param_errors
from steward.monitoring.models import Asset, Collector
from steward.monitoring.params import PARAMS
from steward.monitoring.views.maintenance import month_of

TODAY = date(2026, 11, 29)


@given(st.text(max_size=40))
def test_any_month_text_gives_a_first_of_month(text: str) -> None:
    found = month_of(text, TODAY)
    assert found.day == 1
    assert 1900 <= found.year <= 2200


def test_month_round_trip() -> None:
    assert month_of("2027-02", TODAY) == date(2027, 2, 1)
    assert month_of(f"{date(2031, 7, 1):%Y-%m}", TODAY) == date(2031, 7, 1)
    assert month_of(None, TODAY) == date(2026, 11, 1)


def check_form(check_type: str, data: dict[str, str]) -> CheckForm:
    return CheckForm(
        data,
        check_type=check_type,
        collectors=Collector.objects.none(),
        assets=Asset.objects.none(),
    )


@pytest.mark.django_db
@given(
    st.sampled_from(sorted(PARAMS)),
    st.dictionaries(
        st.sampled_from(["url", "port", "expect_status", "command", "get", "host"]),
        st.text(max_size=30),
        max_size=6,
    ),
)
def test_any_typed_params_parse_without_raising(check_type: str, raw: dict[str, str]) -> None:
    form = check_form(check_type, {f"p_{k}": v for k, v in raw.items()})
    form.is_valid()
    params = form.params() if hasattr(form, "cleaned_data") else {}
    assert set(params) <= set(PARAMS[check_type].model_fields)


@pytest.mark.django_db
def test_lists_are_split_as_the_type_wants() -> None:
    form = check_form("http", {"p_url": "https://a.example/", "p_expect_status": "200, 301\n302"})
    form.is_valid()
    assert form.params()["expect_status"] == [200, 301, 302]
    plugin = check_form("plugin", {"p_command": "/usr/lib/check_x\n-H\nhost name\n"})
    plugin.is_valid()
    assert plugin.params()["command"] == ["/usr/lib/check_x", "-H", "host name"]
    bad = check_form("http", {"p_url": "https://a.example/", "p_expect_status": "ok"})
    bad.is_valid()
    bad.params()
    assert bad.errors["p_expect_status"] == ["whole numbers separated by commas"]


@given(st.lists(st.text(max_size=40), max_size=5))
def test_any_params_error_text_lands_somewhere(texts: list[str]) -> None:
    found = param_errors(ValidationError({"params": texts or ["x"]}))
    assert sum(len(v) for v in found.values()) == max(len(texts), 1)


def test_params_errors_go_to_their_fields() -> None:
    found = param_errors(
        ValidationError({"params": ["params.port: too big", "params.get/walk: bad"], "name": "x"})
    )
    assert found == {"p_port": ["too big"], "__all__": ["params.get/walk: bad"], "name": ["x"]}

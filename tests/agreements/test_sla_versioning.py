"""SLA policies are versioned: an edit adds a version, the old one keeps answering for the past."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from steward.agreements import services
from steward.agreements.choices import PausableStatus, Priority
from steward.agreements.models import Agreement, BusinessCalendar, SlaPolicy
from tests.conftest import World

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
TARGETS = [
    {"priority": Priority.P1, "response_seconds": 900, "resolution_seconds": 4 * 3600},
    {"priority": Priority.P2, "response_seconds": 3600, "resolution_seconds": 8 * 3600},
]


@pytest.fixture
def policy(agreement: Agreement, berlin: BusinessCalendar, always: BusinessCalendar) -> SlaPolicy:
    p1 = TARGETS[0] | {"calendar": always}
    return services.create_sla_policy(
        agreement,
        name="Standard",
        calendar=berlin,
        pause_statuses=[PausableStatus.WAITING_ON_CLIENT],
        targets=[p1, TARGETS[1]],
        now=T0,
    )


def test_editing_keeps_the_old_version_for_past_instants(
    agreement: Agreement, policy: SlaPolicy
) -> None:
    edit_at = T0 + timedelta(days=40)
    faster = [t | {"response_seconds": t["response_seconds"] // 2} for t in TARGETS]
    v2 = services.update_sla_policy(policy, {"warning_percent": 80}, targets=faster, now=edit_at)
    policy.refresh_from_db()
    assert (policy.version, policy.effective_until, policy.warning_percent) == (1, edit_at, 75)
    assert (v2.version, v2.effective_from, v2.effective_until, v2.warning_percent) == (
        2,
        edit_at,
        None,
        80,
    )
    before = services.policy_in_effect(agreement, edit_at - timedelta(seconds=1))
    after = services.policy_in_effect(agreement, edit_at)
    assert before == policy
    assert after == v2
    assert {t.priority: t.response_seconds for t in before.targets.all()} == {"P1": 900, "P2": 3600}
    assert {t.priority: t.response_seconds for t in after.targets.all()} == {"P1": 450, "P2": 1800}
    assert services.policy_in_effect(agreement, T0 - timedelta(seconds=1)) is None


def test_an_edit_without_targets_copies_them(agreement: Agreement, policy: SlaPolicy) -> None:
    v2 = services.update_sla_policy(policy, {"name": "Gold"}, now=T0 + timedelta(days=1))
    rows = {t.priority: (t.response_seconds, t.calendar_id) for t in v2.targets.all()}
    old = {t.priority: (t.response_seconds, t.calendar_id) for t in policy.targets.all()}
    assert rows == old
    assert len(rows) == 2


def test_old_versions_cannot_be_edited(policy: SlaPolicy) -> None:
    services.update_sla_policy(policy, {"name": "Gold"}, now=T0 + timedelta(days=1))
    policy.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.update_sla_policy(policy, {"name": "Rewritten"}, now=T0 + timedelta(days=2))
    assert "policy" in exc.value.message_dict
    assert SlaPolicy.objects.filter(name="Rewritten").count() == 0


def test_a_second_policy_chain_is_refused(
    agreement: Agreement, policy: SlaPolicy, berlin: BusinessCalendar
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_sla_policy(agreement, name="Other", calendar=berlin, now=T0)
    assert "agreement" in exc.value.message_dict


def test_retiring_ends_the_chain(agreement: Agreement, policy: SlaPolicy) -> None:
    services.retire_sla_policy(policy, now=T0 + timedelta(days=3))
    assert services.policy_in_effect(agreement, T0 + timedelta(days=2)) == policy
    assert services.policy_in_effect(agreement, T0 + timedelta(days=3)) is None


def test_validation_names_fields(agreement: Agreement, berlin: BusinessCalendar) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_sla_policy(
            agreement, name="Bad", calendar=berlin, pause_statuses=["on_hold"], now=T0
        )
    assert "pause_statuses" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.create_sla_policy(
            agreement, name="Bad", calendar=berlin, now=T0, targets=[TARGETS[0], TARGETS[0]]
        )
    assert exc.value.message_dict["targets"] == ["targets[1]: priority P1 given twice"]
    inverted = [TARGETS[0] | {"resolution_seconds": 60}]
    with pytest.raises(ValidationError) as exc:
        services.create_sla_policy(agreement, name="Bad", calendar=berlin, now=T0, targets=inverted)
    assert "targets[0]: resolution_seconds" in exc.value.message_dict["targets"][0]
    assert not SlaPolicy.objects.exists()


def test_a_calendar_of_another_client_is_refused(agreement: Agreement, world: World) -> None:
    theirs = services.create_calendar(
        {"name": "NY", "timezone": "America/New_York", "hours": "24x7"}, client=world.globex
    )
    with pytest.raises(ValidationError) as exc:
        services.create_sla_policy(agreement, name="X", calendar=theirs, now=T0)
    assert "calendar" in exc.value.message_dict

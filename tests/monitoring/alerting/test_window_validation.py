"""A window change that the engine could not expand is a validation error, never a crash."""

from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from steward.monitoring.services import windows
from tests.monitoring.alerting.builders import acme_window


@pytest.mark.parametrize(
    "changes",
    [
        {"duration_seconds": None},
        {"starts_at": datetime(1, 1, 1, tzinfo=UTC), "timezone": "Pacific/Kiritimati"},
        {"rrule": "client_contact"},
        {"title": None},
    ],
)
def test_bad_changes_are_validation_errors(world: Any, changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        windows.update_window(acme_window(world), changes)

"""Placeholder: the notify app's business operations (publish, deliver, retry)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from steward.notify.events import Notice


def publish(notice: Notice) -> None:
    return None

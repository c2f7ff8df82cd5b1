"""Monitoring's business operations: the only place that changes its state."""

from steward.monitoring.services.config import (
    authenticate_collector,
    create_asset,
    create_check,
    create_collector,
    delete_asset,
    delete_check,
    revoke_collector,
    update_asset,
    update_check,
)
from steward.monitoring.services.ingest import IngestAnswer, ingest

__all__ = [
    "IngestAnswer",
    "authenticate_collector",
    "create_asset",
    "create_check",
    "create_collector",
    "delete_asset",
    "delete_check",
    "ingest",
    "revoke_collector",
    "update_asset",
    "update_check",
]

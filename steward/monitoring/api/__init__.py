"""Monitoring under /api/v1/: ingest from collectors and agents, assets, collectors, checks,
series."""

from ninja import Router

from steward.monitoring.api import alerts, assets, checks, collectors, ingest, series

router = Router(tags=["monitoring"])
router.add_router("", ingest.router)
router.add_router("", assets.router)
router.add_router("", collectors.router)
router.add_router("", checks.router)
router.add_router("", series.router)
router.add_router("", alerts.router)

"""Monitoring under /api/v1/: ingest from collectors and agents, assets, checks, alerts."""

from ninja import Router

router = Router(tags=["monitoring"])

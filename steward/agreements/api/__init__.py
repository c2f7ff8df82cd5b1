"""Agreements, scope, licenses, calendars, SLA policies and reminders under /api/v1/."""

from ninja import Router

from steward.agreements.api import calendars, contracts

router = Router(tags=["agreements"])
router.add_router("", contracts.router)
router.add_router("", calendars.router)

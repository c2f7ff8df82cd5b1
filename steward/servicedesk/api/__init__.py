"""Tickets, their timeline, time entries, surveys and imports under /api/v1/."""

from ninja import Router

from steward.servicedesk.api import importing, tickets, work

router = Router(tags=["service desk"])
# The import route comes first so /tickets/import is not read as a ticket id.
router.add_router("", importing.router)
router.add_router("", tickets.router)
router.add_router("", work.router)

"""The service desk's verbs: the only code that changes tickets (STYLE.md §2)."""

from steward.servicedesk.services.alerts import AlertNotice, open_from_alert, resolve_from_alert
from steward.servicedesk.services.attachments import add_attachment, read_attachment
from steward.servicedesk.services.relations import add_watcher, link, merge, remove_watcher
from steward.servicedesk.services.sla import recompute_sla, refresh_sla
from steward.servicedesk.services.tickets import (
    assign,
    change_status,
    give_plan,
    open_ticket,
    record_event,
    reply,
    set_priority,
    update_ticket,
)

__all__ = [
    "AlertNotice",
    "add_attachment",
    "add_watcher",
    "assign",
    "change_status",
    "give_plan",
    "link",
    "merge",
    "open_from_alert",
    "open_ticket",
    "read_attachment",
    "recompute_sla",
    "record_event",
    "refresh_sla",
    "remove_watcher",
    "reply",
    "resolve_from_alert",
    "set_priority",
    "update_ticket",
]

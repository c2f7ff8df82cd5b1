"""The words of the demo tickets: subjects per service category, alerts, reasons for waiting,
internal notes, fixes and survey comments."""

from __future__ import annotations

from steward.servicedesk.choices import Impact, Urgency

# Per category: incident subjects, then service-request subjects.
SUBJECTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "endpoint": (("Laptop will not boot", "Blue screen after update", "Screen flickering"),
                 ("New starter laptop", "Install Adobe Acrobat", "Second monitor request")),
    "patching": (("Update stuck at 35%", "Reboot loop after patch"), ("Defer feature update",)),
    "m365": (("Teams keeps crashing", "OneDrive not syncing", "Cannot open shared file"),
             ("New Microsoft 365 user", "Shared mailbox access", "Licence for a new hire")),
    "email": (("Mail stuck in outbox", "Not receiving external mail", "Phishing mail received"),
              ("New distribution list", "Set up an out-of-office rule")),
    "backup": (("Backup job failed", "Backup storage almost full"), ("Change backup schedule",)),
    "restore": (("Deleted folder on file share",), ("Restore a mailbox item", "Restore a file")),
    "security-alert": (("EDR: suspicious PowerShell", "Impossible travel sign-in"), ()),
    "incident": (("Account possibly compromised", "Ransom note on a PC"), ()),
    "network": (("Wi-Fi drops in meeting room", "Internet slow at the office"),
                ("New switch port for a printer",)),
    "vpn": (("VPN will not connect", "VPN disconnects every hour"), ("VPN access for a user",)),
    "server": (("File server slow", "Print spooler stopped"), ("Add disk space to a server",)),
}  # fmt: skip
ALERTS = (
    ("{host} unreachable", Impact.HIGH, Urgency.HIGH),
    ("CPU above 95% on {host}", Impact.MEDIUM, Urgency.HIGH),
    ("Disk below 5% free on {host}", Impact.HIGH, Urgency.MEDIUM),
    ("Backup job failed on {host}", Impact.MEDIUM, Urgency.MEDIUM),
)
WAIT_REASONS = (
    "Asked the user to restart and confirm whether the problem persists",
    "Waiting for the user to be back at their desk for a remote session",
    "Asked for a screenshot of the error message",
    "Waiting for the manager's approval",
)
VENDOR_REASONS = ("Case opened with Microsoft support", "Replacement part ordered from Dell")
NOTES = (
    "Checked the event log: nothing obvious.",
    "Same issue as last month, see the linked ticket.",
    "Remote session booked with the user.",
    "Driver rolled back, monitoring.",
)
COMMENTS = {
    1: ("Nobody got back to me for days.", "Still not fixed properly."),
    2: ("Took far too long.", "Had to chase twice."),
    3: ("Fixed in the end.", "OK, but slow to respond."),
    4: ("Quick and friendly.", "Good job, thanks."),
    5: ("Brilliant, thank you!", "Fixed within minutes, great service.", "Very patient, thanks."),
}
FIXES = (
    "cleared the cached credentials and signed the user in again",
    "reinstalled the driver and rebooted",
    "restarted the service and added a check to monitoring",
    "freed disk space and extended the volume",
    "updated the configuration and confirmed with the user",
    "replaced the faulty cable",
)

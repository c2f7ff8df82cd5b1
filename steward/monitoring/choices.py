"""Kinds and states of monitoring objects (STYLE.md §5: TextChoices, never bare strings)."""

from django.db import models


class AssetKind(models.TextChoices):
    SERVER = "server", "Server"
    WORKSTATION = "workstation", "Workstation"
    LAPTOP = "laptop", "Laptop"
    NETWORK = "network", "Network device"
    PRINTER = "printer", "Printer"
    FIREWALL = "firewall", "Firewall"
    STORAGE = "storage", "Storage"
    VIRTUAL = "virtual", "Virtual machine"
    CLOUD = "cloud", "Cloud resource"
    OTHER = "other", "Other"


class AssetSource(models.TextChoices):
    AGENT = "agent", "Agent"
    COLLECTOR = "collector", "Collector"
    MANUAL = "manual", "Entered by hand"
    IMPORT = "import", "Imported"


class FactStatus(models.TextChoices):
    OK = "ok", "OK"
    UNSUPPORTED = "unsupported", "Unsupported on this platform"
    ERROR = "error", "Error"


class CollectorKind(models.TextChoices):
    COLLECTOR = "collector", "Collector"
    AGENT = "agent", "Agent"


class CheckType(models.TextChoices):
    HTTP = "http", "HTTP"
    TLS = "tls", "TLS certificate"
    TCP = "tcp", "TCP port"
    DNS = "dns", "DNS"
    PING = "ping", "Ping"
    SNMP = "snmp", "SNMP"
    PLUGIN = "plugin", "Nagios plugin"
    SCRAPE = "scrape", "Prometheus scrape"


class CheckStatus(models.TextChoices):
    OK = "ok", "OK"
    WARNING = "warning", "Warning"
    CRITICAL = "critical", "Critical"
    UNKNOWN = "unknown", "Unknown"
    PENDING = "pending", "No result yet"


class AlertPhase(models.TextChoices):
    OK = "ok", "OK"
    PENDING = "pending", "Pending"
    FIRING = "firing", "Firing"


class AlertSeverity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    MAJOR = "major", "Major"
    MINOR = "minor", "Minor"
    WARNING = "warning", "Warning"
    INFO = "info", "Info"


class AlertSource(models.TextChoices):
    RULE = "rule", "Alert rule"
    WEBHOOK = "webhook", "Webhook"


class AlertEventKind(models.TextChoices):
    PENDING = "pending", "Pending"
    CANCELLED = "cancelled", "Cancelled"
    FIRING = "firing", "Firing"
    RESOLVED = "resolved", "Resolved"
    FLAPPING = "flapping", "Flapping"
    STABLE = "stable", "Stable"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"


class RuleKindChoice(models.TextChoices):
    THRESHOLD = "threshold", "Threshold"
    ABSENCE = "absence", "Absence"
    STATE_CHANGE = "state_change", "Check state"
    FORECAST = "forecast", "Forecast"


class ComparisonChoice(models.TextChoices):
    GT = ">", "above"
    GE = ">=", "at or above"
    LT = "<", "below"
    LE = "<=", "at or below"

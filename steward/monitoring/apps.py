from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "steward.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring"

    def ready(self) -> None:
        from steward.core import audit

        # Imported for their side effects: signal receivers.
        from steward.monitoring import models, signals  # noqa: F401

        # Configuration is audited; what senders report (samples, results, facts, last seen
        # times) is data, not a change anyone made, and would flood the log.
        audit.register(models.Asset, client_field="client", exclude=("last_seen_at",))
        audit.register(models.Collector, client_field="client", exclude=("last_seen_at", "digest"))
        # Secrets never reach the log, not even encrypted.
        audit.register(models.Check, client_field="client", exclude=("updated_at", "secret_params"))
        # Alert configuration is audited; alerts themselves are the job's data (their history is
        # AlertEvent), and an acknowledgement is recorded explicitly (services.alert_state).
        audit.register(models.AlertRule, client_field="client", exclude=("updated_at",))
        audit.register(models.MaintenanceWindow, client_field="client")
        audit.register(
            models.WebhookSource, client_field="client", exclude=("digest", "last_used_at")
        )

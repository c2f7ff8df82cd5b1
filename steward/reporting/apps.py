from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "steward.reporting"
    label = "reporting"
    verbose_name = "Reporting"

    def ready(self) -> None:
        from steward.core import audit

        # Imported for their side effects: the built-in report sections.
        from steward.reporting import models, sections  # noqa: F401

        audit.register(
            models.ReportSchedule,
            client_field="client",
            exclude=("next_run_at", "last_run_at", "updated_at"),
        )
        # The PDF itself is not copied into the log: its hash is.
        audit.register(models.StoredReport, client_field="client", exclude=("pdf",))

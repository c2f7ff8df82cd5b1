from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "steward.agreements"
    label = "agreements"
    verbose_name = "Agreements, licenses and calendars"

    def ready(self) -> None:
        from steward.agreements import models
        from steward.core import audit

        # Every client-owned model carries a direct client FK, so scoping and audit are uniform.
        for model in (
            models.Agreement,
            models.StatementOfWork,
            models.License,
            models.BusinessCalendar,
            models.SlaPolicy,
            models.SlaTarget,
            models.Reminder,
        ):
            audit.register(model, client_field="client")
        audit.register(models.ServiceOffering)
        audit.register(models.ServiceCategory)

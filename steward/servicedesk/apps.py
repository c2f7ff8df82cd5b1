from django.apps import AppConfig


class ServicedeskConfig(AppConfig):
    name = "steward.servicedesk"
    label = "servicedesk"
    verbose_name = "Service desk"

    def ready(self) -> None:
        from steward.core import audit

        # Imported for their side effects: signal receivers (mail out, routing, surveys).
        from steward.servicedesk import models, receivers_csat, receivers_routing  # noqa: F401
        from steward.servicedesk.mail import receivers  # noqa: F401

        # The timeline (TicketEvent) is itself an append-only record; the audit log covers the
        # ticket's own fields, the work records around it and what became of each mail.
        audit.register(models.Ticket, client_field="client", exclude=("updated_at",))
        for model in (
            models.TicketLink,
            models.Attachment,
            models.TimeEntry,
            models.RecurringTicket,
            models.Survey,
            models.MailMessage,
        ):
            audit.register(model, client_field="client")
        audit.register(models.Queue)
        audit.register(models.Skill)
        audit.register(models.TechnicianProfile)

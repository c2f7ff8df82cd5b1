from django.apps import AppConfig


class ServicedeskConfig(AppConfig):
    name = "steward.servicedesk"
    label = "servicedesk"
    verbose_name = "Service desk"

    def ready(self) -> None:
        from steward.core import audit
        from steward.servicedesk import models
        from steward.servicedesk.mail import receivers  # noqa: F401  (connects the mail senders)

        # The timeline (TicketEvent) is itself an append-only record; the audit log covers the
        # ticket's own fields and the work records around it.
        audit.register(models.Ticket, client_field="client", exclude=("updated_at",))
        for model in (
            models.TicketLink,
            models.Attachment,
            models.TimeEntry,
            models.RecurringTicket,
            models.Survey,
        ):
            audit.register(model, client_field="client")
        audit.register(models.Queue)
        audit.register(models.Skill)
        audit.register(models.TechnicianProfile)
        import steward.servicedesk.receivers_routing  # noqa: F401  (connects its receivers)
        from steward.servicedesk import receivers_csat, tasks_work  # noqa: F401  (receivers, jobs)

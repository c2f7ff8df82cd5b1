"""Notifications: channels (apprise), policies, templates and a delivery log with retries."""

from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "steward.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from steward.core import audit
        from steward.notify import models, receivers  # noqa: F401 - receivers connect here

        audit.register(models.Channel, client_field="client", exclude=("url",))
        audit.register(models.Policy, client_field="client")
        audit.register(models.MessageTemplate)

"""The client portal and status pages: what a client's contacts (and the public) see."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "steward.portal"
    label = "portal"
    verbose_name = "Client portal"

    def ready(self) -> None:
        from steward.core import audit  # models are importable only once apps are ready
        from steward.portal.models import Approval

        audit.register(Approval, client_field="client")

from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "steward.tenancy"
    label = "tenancy"
    verbose_name = "Clients and people"

    def ready(self) -> None:
        from steward.core import audit
        from steward.tenancy.models import Client, Contact, Site, User

        audit.register(Client, client_field="pk")
        audit.register(Site, client_field="client")
        audit.register(Contact, client_field="client")
        # Password hashes and login bookkeeping never enter the log.
        audit.register(User, exclude=("password", "last_login"), client_field="client")
        # Tokens are logged by their own verbs (create/revoke), never with their digest.

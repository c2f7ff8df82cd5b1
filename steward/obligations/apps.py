from django.apps import AppConfig, apps
from django.db.models.signals import post_save


class ObligationsConfig(AppConfig):
    name = "steward.obligations"
    label = "obligations"
    verbose_name = "Obligations and scorecards"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from steward.core import audit
        from steward.obligations import services
        from steward.obligations.models import Obligation, VendorProgram

        # Every app's measures.py registers into steward.obligations.registry.
        autodiscover_modules("measures")
        audit.register(Obligation, client_field="client")
        audit.register(VendorProgram)
        # Evaluations are derived data written in bulk by the engine, not user changes; a
        # deliberate recompute of a closed period is audited by the service that does it.
        if apps.is_installed("steward.agreements"):
            try:
                agreement = apps.get_model("agreements", "Agreement")
            except LookupError:
                return
            post_save.connect(
                services.on_agreement_saved,
                sender=agreement,
                dispatch_uid="obligations-default-set-on-new-agreement",
            )

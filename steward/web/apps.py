from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "steward.web"
    label = "web"
    verbose_name = "Web shell"

    def ready(self) -> None:
        from steward.core import audit
        from steward.web.models import EncryptedTOTPDevice

        # Enrolment, confirmation and removal are logged; the secret and the counters that
        # every sign-in moves (last step, drift, throttling) are not.
        audit.register(
            EncryptedTOTPDevice,
            exclude=(
                "key",
                "last_t",
                "drift",
                "throttling_failure_timestamp",
                "throttling_failure_count",
                "last_used_at",
            ),
        )

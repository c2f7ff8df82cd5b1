from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "steward.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from steward.core import signals  # noqa: F401  (connects login auditing)

        # Periodic jobs register themselves when their app's tasks module is imported.
        autodiscover_modules("tasks")

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "steward.reporting"
    label = "reporting"
    verbose_name = "Reporting"

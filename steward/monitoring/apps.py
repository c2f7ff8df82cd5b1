from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "steward.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring"

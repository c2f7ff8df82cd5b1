from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "steward.api"
    label = "api"
    verbose_name = "API"

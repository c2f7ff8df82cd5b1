from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "steward.notify"
    label = "notify"
    verbose_name = "Notifications"

"""Monitoring pages (the web UI of obligation 2), under /monitoring/."""

from django.urls import include, path

from steward.monitoring.views import alerts, assets, checks, maintenance, overview, rules

app_name = "monitoring"
pages = [
    *overview.urlpatterns,
    *assets.urlpatterns,
    *checks.urlpatterns,
    *alerts.urlpatterns,
    *rules.urlpatterns,
    *maintenance.urlpatterns,
]
urlpatterns = [path("monitoring/", include(pages))]

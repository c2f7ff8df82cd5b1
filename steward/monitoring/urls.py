"""Monitoring pages (the web UI of obligation 2), under /monitoring/."""

from django.urls import include, path

from steward.monitoring.views import assets, checks, overview

app_name = "monitoring"
pages = [*overview.urlpatterns, *assets.urlpatterns, *checks.urlpatterns]
urlpatterns = [path("monitoring/", include(pages))]

from django.contrib import admin
from django.urls import include, path

from steward.api.main import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("steward.obligations.urls")),
    path("", include("steward.agreements.urls")),
    path("", include("steward.servicedesk.urls")),
    path("", include("steward.monitoring.urls")),
    path("", include("steward.notify.urls")),
    path("", include("steward.reporting.urls")),
    path("", include("steward.portal.urls")),
    path("", include("steward.web.urls")),
]

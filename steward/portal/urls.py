"""The client portal (under /portal/) and the status pages."""

from django.urls import path  # noqa: F401

from steward.portal import status_urls

app_name = "portal"
urlpatterns: list = [*status_urls.urlpatterns]

"""Monitoring pages (the web UI of obligation 2)."""

from django.urls import path  # noqa: F401 (the UI's routes are added here)

app_name = "monitoring"

urlpatterns: list = []  # type: ignore[type-arg]

"""Status pages: the client's (signed in) and the public secret URL, with their JSON."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

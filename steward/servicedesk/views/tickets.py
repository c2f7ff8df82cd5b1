"""Placeholder: filled by the tickets part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

"""Placeholder: filled by the work part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

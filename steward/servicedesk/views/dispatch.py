"""Placeholder: filled by the dispatch part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

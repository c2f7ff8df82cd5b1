"""Placeholder: filled by the mail part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

"""Placeholder: filled by the tickets part."""

from ninja import Router

router = Router()

"""Placeholder: filled by the work part."""

from ninja import Router

router = Router()

"""Placeholder: filled by the importing part."""

from ninja import Router

router = Router()

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def shell(request: HttpRequest) -> dict[str, Any]:
    """What every page of the web shell needs: the MSP's name for the header."""
    return {"msp_name": settings.STEWARD_MSP_NAME}

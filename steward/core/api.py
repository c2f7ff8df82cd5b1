"""Health under /api/v1/ (the audit log's route is in steward/api/audit.py: it needs roles)."""

from importlib.metadata import PackageNotFoundError, version

from django.db import connection
from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from steward.core.schemas import HealthOut

router = Router(tags=["core"])


def steward_version() -> str:
    try:
        return version("msp-steward")
    except PackageNotFoundError:
        return "unknown"


@router.get("/health", response={200: HealthOut, 503: HealthOut}, auth=None)
def health(request: HttpRequest) -> Status[HealthOut]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # any driver error means the same thing here: not ready
        database = "unreachable"
    status = 200 if database == "ok" else 503
    body = HealthOut(
        status="ok" if status == 200 else "degraded", database=database, version=steward_version()
    )
    return Status(status, body)

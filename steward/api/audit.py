"""The audit log under /api/v1/audit: owners, admins and auditors only."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import LimitOffsetPagination, paginate

from steward.api.auth import require
from steward.core.models import AuditEntry
from steward.core.schemas import AuditEntryOut, AuditFilter
from steward.tenancy.choices import TokenScope
from steward.tenancy.roles import VIEW_AUDIT

router = Router(tags=["audit"])


def filter_audit(entries: QuerySet[AuditEntry], filters: AuditFilter) -> QuerySet[AuditEntry]:
    """Apply the filters that the API and the UI's audit browser share."""
    for name in ("action", "object_type", "object_id", "client_id", "source"):
        value = getattr(filters, name)
        if value not in (None, ""):
            entries = entries.filter(**{name: value})
    if filters.actor:
        entries = entries.filter(actor_name=filters.actor)
    if filters.since:
        entries = entries.filter(at__gte=filters.since)
    if filters.until:
        entries = entries.filter(at__lt=filters.until)
    return entries


@router.get("/audit", response=list[AuditEntryOut])
@paginate(LimitOffsetPagination)
def list_audit(request: HttpRequest, filters: Query[AuditFilter]) -> QuerySet[AuditEntry]:
    require(request, scope=TokenScope.READ, permission=VIEW_AUDIT)
    return filter_audit(AuditEntry.objects.order_by("-seq"), filters)

"""Series under /api/v1/: list them, and read one's samples for a chart.

``GET /series/{id}/samples?since&until&step`` answers [t, mean, min, max] points: raw samples
(``step`` 0, or shorter than an hour: averaged per step) while the range is within the raw
retention, hourly rollups otherwise (``step`` rounded up to whole hours).
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from steward.api.params import ObjectId
from steward.monitoring.api.common import reader, visible
from steward.monitoring.models import Series
from steward.monitoring.schemas import SamplesOut, SeriesFilters, SeriesOut
from steward.monitoring.services.retention import HOUR_S, cutoffs
from steward.monitoring.services.samples import raw_points, rollup_points

router = Router(tags=["series"])
MAX_POINTS = 10_000


@router.get("/series", response=list[SeriesOut])
@paginate(LimitOffsetPagination)
def list_series(request: HttpRequest, filters: Query[SeriesFilters]) -> QuerySet[Series]:
    series = Series.objects.visible_to(reader(request).user)
    exact = {
        "client_id": filters.client_id,
        "asset_id": filters.asset_id,
        "from_check_id": filters.check_id,
        "metric": filters.metric,
    }
    return series.filter(**{k: v for k, v in exact.items() if v is not None}).order_by("pk")


class SampleQuery(Schema):
    since: datetime | None = Field(default=None, description="Default: a day before until")
    until: datetime | None = Field(default=None, description="Default: now")
    step: int | None = Field(
        default=None, ge=0, le=366 * 86_400, description="Seconds per point; 0: every raw sample"
    )


def _aware(moment: datetime | None) -> datetime | None:
    """A time without a zone is read as UTC."""
    if moment is None or timezone.is_aware(moment):
        return moment
    return moment.replace(tzinfo=UTC)


@router.get("/series/{series_id}/samples", response=SamplesOut)
def series_samples(
    request: HttpRequest, series_id: ObjectId, query: Query[SampleQuery]
) -> dict[str, Any]:
    series = visible(Series, reader(request), series_id)
    now = timezone.now()
    until = _aware(query.until) or now
    since = _aware(query.since) or until - timedelta(days=1)
    if since >= until:
        raise HttpError(422, "since: must be before until")
    span_s = (until - since).total_seconds()
    raw_from_ms = cutoffs(now).samples_ms
    since_ms, until_ms = int(since.timestamp() * 1000), int(until.timestamp() * 1000)
    step = query.step if query.step is not None else (0 if span_s <= 6 * 3600 else 60)
    if (step < HOUR_S and since_ms >= raw_from_ms and span_s <= 2 * 86_400) or step == 0:
        source = "raw"
        if step and span_s / step > MAX_POINTS:
            raise HttpError(422, f"step: over {MAX_POINTS} points; choose a larger step")
        points = raw_points(series.pk, since_ms, until_ms, step)
        if len(points) > MAX_POINTS:
            raise HttpError(422, f"step: over {MAX_POINTS} points; choose a larger step")
    else:
        source = "rollup"
        step = max(HOUR_S, -(-step // HOUR_S) * HOUR_S)
        if span_s / step > MAX_POINTS:
            raise HttpError(422, f"step: over {MAX_POINTS} points; choose a larger step")
        points = rollup_points(
            series.pk, int(since.timestamp()) // HOUR_S * HOUR_S, int(until.timestamp()), step
        )
    return {"series": series, "source": source, "step": step, "points": points}

"""Series under /api/v1/: list them, and read one's samples for a chart.

``GET /series/{id}/samples?since&until&step`` answers [t, mean, min, max] points: raw samples
(``step`` 0, or shorter than an hour: averaged per step) while the range is within the raw
retention, hourly rollups otherwise (``step`` rounded up to whole hours).
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from steward.api.params import ObjectId
from steward.monitoring.api.common import reader, visible
from steward.monitoring.models import Rollup, Sample, Series
from steward.monitoring.schemas import SamplesOut, SeriesFilters, SeriesOut
from steward.monitoring.services.retention import HOUR_S, cutoffs

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


def _rows(sql: str, params: list[Any]) -> list[list[float]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [[float(v) for v in row] for row in cursor.fetchall()]


SAMPLE, ROLLUP = Sample._meta.db_table, Rollup._meta.db_table


def raw_points(series_id: int, since_ms: int, until_ms: int, step: int) -> list[list[float]]:
    if step == 0:
        rows = Sample.objects.filter(series_id=series_id, ts__gte=since_ms, ts__lt=until_ms)
        return [[ts / 1000, v, v, v] for ts, v in rows.order_by("ts").values_list("ts", "value")]
    step_ms = step * 1000
    return _rows(
        f'SELECT ("ts" / %s) * %s / 1000, AVG("value"), MIN("value"), MAX("value") '  # noqa: S608
        f'FROM "{SAMPLE}" WHERE "series_id" = %s AND "ts" >= %s AND "ts" < %s '
        f'GROUP BY "ts" / %s ORDER BY 1',
        [step_ms, step_ms, series_id, since_ms, until_ms, step_ms],
    )


def rollup_points(series_id: int, since_s: int, until_s: int, step: int) -> list[list[float]]:
    return _rows(
        f'SELECT ("hour" / %s) * %s, SUM("sum") / SUM("count"), MIN("min"), MAX("max") '  # noqa: S608
        f'FROM "{ROLLUP}" WHERE "series_id" = %s AND "hour" >= %s AND "hour" < %s '
        f'GROUP BY "hour" / %s ORDER BY 1',
        [step, step, series_id, since_s, until_s, step],
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

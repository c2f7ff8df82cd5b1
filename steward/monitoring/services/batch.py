"""Checking a decoded ingest batch (docs/ingest.md) item by item, without the database.

Each bad item (or bad point of a series) becomes an error with its location and reason, and
the good ones are kept: a sender's one broken sample never costs the rest of its batch. Only a
payload that is not an object, or has no usable ``batch_id``, is refused as a whole.

Hand-written rather than pydantic: a batch carries thousands of points and this runs on every
one of them (bench/ingest.py).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from steward.monitoring.choices import CheckStatus, FactStatus

METRIC = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
MAX_LABELS = 32
MAX_LABEL_VALUE = 1000
MAX_METRIC = 200
MAX_ID = 2**63 - 1
# Unix seconds a point may carry: from 1970 to the year 5138, so milliseconds fit in 64 bits.
MAX_POINT_SECONDS = 1e11
FLOAT_MAX = sys.float_info.max
RESULT_STATES = frozenset(s.value for s in CheckStatus) - {CheckStatus.PENDING.value}
FACT_STATUSES = frozenset(s.value for s in FactStatus)
ASSET_TEXT = {
    "name": 200,
    "hostname": 255,
    "os": 100,
    "os_version": 100,
    "vendor": 100,
    "model": 100,
    "serial": 100,
}
NUMBER = (int, float)

Loc = list[str | int]


class BatchRejected(ValueError):
    """The payload as a whole cannot be read as a batch (answered 422)."""


class ItemError(ValueError):
    """One item is bad: ``where`` continues the item's location."""

    def __init__(self, where: str | int | list[str | int], msg: str) -> None:
        super().__init__(msg)
        self.where: list[str | int] = where if isinstance(where, list) else [where]
        self.msg = msg


@dataclass(slots=True)
class ResultItem:
    check_id: int
    at: datetime
    state: str
    summary: str
    duration_ms: float | None


@dataclass(slots=True)
class SeriesItem:
    metric: str
    labels: tuple[tuple[str, str], ...]  # in the order sent; the series digest sorts them
    check_id: int | None
    asset: str | None
    points: list[list[Any]]  # [Unix seconds, value] pairs, checked
    index: int  # where it was in the batch, for errors found later


@dataclass(slots=True)
class AssetItem:
    key: str
    fields: dict[str, Any]
    index: int


@dataclass(slots=True)
class FactItem:
    asset: str
    name: str
    value: Any
    status: str
    detail: str
    at: datetime
    index: int


@dataclass
class Batch:
    batch_id: str
    results: list[tuple[int, ResultItem]] = field(default_factory=list)
    series: list[SeriesItem] = field(default_factory=list)
    assets: list[AssetItem] = field(default_factory=list)
    facts: list[FactItem] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, loc: Loc, msg: str) -> None:
        self.errors.append({"loc": loc, "msg": msg})


def _text(item: dict[str, Any], name: str, limit: int, *, required: bool = False) -> str:
    value = item.get(name)
    if value is None:
        if required:
            raise ItemError(name, "required")
        return ""
    if type(value) is not str:
        raise ItemError(name, "must be text")
    if required and not value:
        raise ItemError(name, "must not be empty")
    if len(value) > limit:
        raise ItemError(name, f"at most {limit} characters")
    return value


def _time(item: dict[str, Any], name: str) -> datetime:
    value = item.get(name)
    if type(value) is not str:
        raise ItemError(name, "required: an RFC 3339 time with a zone")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ItemError(name, f"{value[:40]!r} is not an RFC 3339 time") from None
    if parsed.tzinfo is None:
        raise ItemError(name, "needs a zone (Z or an offset)")
    return parsed


def _id(item: dict[str, Any], name: str) -> int:
    value = item.get(name)
    if type(value) is not int or not 1 <= value <= MAX_ID:
        raise ItemError(name, "must be a positive integer id")
    return value


def _object(value: Any) -> dict[str, Any]:
    if type(value) is not dict:
        raise ItemError([], "must be an object")
    return value


def _result(value: Any) -> ResultItem:
    item = _object(value)
    state = item.get("state")
    if state not in RESULT_STATES:
        raise ItemError("state", f"one of {', '.join(sorted(RESULT_STATES))}")
    duration = item.get("duration_ms")
    if duration is not None and (
        type(duration) not in NUMBER or not _finite(duration) or duration < 0
    ):
        raise ItemError("duration_ms", "a number of milliseconds, not negative")
    return ResultItem(
        check_id=_id(item, "check_id"),
        at=_time(item, "at"),
        state=state,
        summary=_text(item, "summary", 2000),
        duration_ms=None if duration is None else float(duration),
    )


# Senders repeat the same metric names and label names in every batch: remembering the ones
# already found good skips their regular expressions (a quarter of the validation's time).
_GOOD_NAMES: set[str] = set()
_GOOD_METRICS: set[str] = set()
MEMO_LIMIT = 100_000


def _remember(memo: set[str], name: str) -> None:
    if len(memo) >= MEMO_LIMIT:
        memo.clear()
    memo.add(name)


def _labels(value: Any) -> tuple[tuple[str, str], ...]:
    """The labels as (name, value) pairs in the order sent."""
    if value is None:
        return ()
    if type(value) is not dict:
        raise ItemError("labels", "must be an object of texts")
    if len(value) > MAX_LABELS:
        raise ItemError("labels", f"at most {MAX_LABELS} labels")
    pairs = tuple(value.items())
    for name, text in pairs:
        if name not in _GOOD_NAMES:
            if not LABEL.fullmatch(name):
                raise ItemError(["labels", name], "a label name matches [a-zA-Z_][a-zA-Z0-9_]*")
            _remember(_GOOD_NAMES, name)
        if type(text) is not str or len(text) > MAX_LABEL_VALUE:
            raise ItemError(["labels", name], f"must be text of at most {MAX_LABEL_VALUE}")
    return pairs


def _finite(value: float) -> bool:
    return -FLOAT_MAX <= value <= FLOAT_MAX  # False for NaN, infinities and too large ints


def _points(batch: Batch, loc: Loc, value: Any) -> list[list[Any]]:
    """The good points as sent ([seconds, value] lists); each bad one is reported at its
    index. The range comparisons also refuse NaN, infinities and integers too large for a
    float, without a function call per point."""
    if type(value) is not list:
        raise ItemError("points", "must be a list of [unix seconds, value] pairs")
    bad: list[int] = []
    for j, point in enumerate(value):
        if type(point) is list and len(point) == 2:
            t, v = point
            kind_t, kind_v = type(t), type(v)
            if (
                (kind_t is float or kind_t is int)
                and (kind_v is float or kind_v is int)
                and 0 <= t < MAX_POINT_SECONDS
                and -FLOAT_MAX <= v <= FLOAT_MAX
            ):
                continue
            if kind_t is not float and kind_t is not int:
                msg = "time: not a number"
            elif (kind_v is not float and kind_v is not int) or not -FLOAT_MAX <= v <= FLOAT_MAX:
                msg = "value: not a finite number"
            else:
                msg = "time: unix seconds between 1970 and 5138"
        else:
            msg = "must be a [unix seconds, value] pair"
        batch.reject([*loc, "points", j], msg)
        bad.append(j)
    if not bad:
        return value
    skip = set(bad)
    return [point for j, point in enumerate(value) if j not in skip]


def _series(batch: Batch, index: int, value: Any) -> SeriesItem:
    item = _object(value)
    metric = item.get("metric")
    if type(metric) is not str or metric not in _GOOD_METRICS:
        if type(metric) is not str or len(metric) > MAX_METRIC or not METRIC.fullmatch(metric):
            raise ItemError("metric", "matches [a-zA-Z_:][a-zA-Z0-9_:]* (at most 200 characters)")
        _remember(_GOOD_METRICS, metric)
    labels = item.get("labels")
    labels = _labels(labels) if labels is not None else ()
    check_id = item.get("check_id")
    if check_id is not None:
        check_id = _id(item, "check_id")
    asset = item.get("asset")
    if asset is not None and (type(asset) is not str or len(asset) > 200):
        asset = _text(item, "asset", 200)  # raises with the reason
    asset = asset or None
    if (check_id is None) == (asset is None):
        raise ItemError([], "names either a check_id or an asset key (one of them)")
    points = _points(batch, ["series", index], item.get("points"))
    return SeriesItem(metric, labels, check_id, asset, points, index)


def _asset(index: int, value: Any) -> AssetItem:
    item = _object(value)
    key = _text(item, "key", 200, required=True)
    fields: dict[str, Any] = {}
    for name, limit in ASSET_TEXT.items():
        if item.get(name) is not None:  # null: not known to the sender, left alone
            fields[name] = _text(item, name, limit)
    if item.get("addresses") is not None:
        addresses = item["addresses"]
        if type(addresses) is not list or not all(
            type(a) is str and len(a) <= 100 for a in addresses
        ):
            raise ItemError("addresses", "must be a list of texts")
        fields["addresses"] = addresses
    return AssetItem(key, fields, index)


def _fact(index: int, value: Any) -> FactItem:
    item = _object(value)
    status = item.get("status", FactStatus.OK.value)
    if status not in FACT_STATUSES:
        raise ItemError("status", f"one of {', '.join(sorted(FACT_STATUSES))}")
    return FactItem(
        asset=_text(item, "asset", 200, required=True),
        name=_text(item, "name", 100, required=True),
        value=item.get("value"),
        status=status,
        detail=_text(item, "detail", 2000),
        at=_time(item, "at"),
        index=index,
    )


def _section(payload: dict[str, Any], batch: Batch, name: str) -> list[tuple[int, Any]]:
    value = payload.get(name)
    if value is None:
        return []
    if type(value) is not list:
        batch.reject([name], "must be a list")
        return []
    return list(enumerate(value))


def validate_batch(payload: Any) -> Batch:
    """The batch's good items and the errors of its bad ones; raises BatchRejected when the
    payload is not an object or its ``batch_id`` is missing or malformed."""
    if type(payload) is not dict:
        raise BatchRejected("the batch must be a JSON object")
    batch_id = payload.get("batch_id")
    if type(batch_id) is not str or not 1 <= len(batch_id) <= 64:
        raise BatchRejected("batch_id: required, text of 1 to 64 characters")
    batch = Batch(batch_id)
    for i, value in _section(payload, batch, "results"):
        try:
            batch.results.append((i, _result(value)))
        except ItemError as error:
            batch.reject(["results", i, *error.where], error.msg)
    for i, value in _section(payload, batch, "series"):
        try:
            batch.series.append(_series(batch, i, value))
        except ItemError as error:
            batch.reject(["series", i, *error.where], error.msg)
    for i, value in _section(payload, batch, "assets"):
        try:
            batch.assets.append(_asset(i, value))
        except ItemError as error:
            batch.reject(["assets", i, *error.where], error.msg)
    for i, value in _section(payload, batch, "facts"):
        try:
            batch.facts.append(_fact(i, value))
        except ItemError as error:
            batch.reject(["facts", i, *error.where], error.msg)
    return batch

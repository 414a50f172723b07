"""Downsampling and retention of readings.

`rollup(since)` recomputes every 5-minute and hourly bucket that starts at or after `since` from the
raw rows (an idempotent reconciler: late readings are picked up on the next run as long as they
arrive within the window it looks back over). `purge_raw` keeps raw readings for a configurable
number of days; the aggregates for charts stay longer.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from django.db import transaction

from .models import Reading, ReadingAggregate

PERIODS = (300, 3600)


def _floor(ts: float, period: int) -> float:
    return ts - (ts % period)


def rollup(since: datetime, until: datetime | None = None) -> int:
    start = datetime.fromtimestamp(_floor(since.timestamp(), 3600), UTC)
    qs = Reading.objects.filter(ts__gte=start)
    if until is not None:
        qs = qs.filter(ts__lt=until)
    buckets: dict[tuple[int, int, float], list[float]] = defaultdict(
        lambda: [0, float("inf"), float("-inf"), 0.0]
    )
    for sensor_id, ts, value in qs.values_list("sensor_id", "ts", "value").iterator(chunk_size=5000):
        t = ts.timestamp()
        for period in PERIODS:
            b = buckets[(sensor_id, period, _floor(t, period))]
            b[0] += 1
            b[1] = min(b[1], value)
            b[2] = max(b[2], value)
            b[3] += value
    rows = [
        ReadingAggregate(
            sensor_id=sid,
            period=period,
            bucket=datetime.fromtimestamp(bucket, UTC),
            n=n,
            vmin=lo,
            vmax=hi,
            vsum=s,
        )
        for (sid, period, bucket), (n, lo, hi, s) in buckets.items()
    ]
    with transaction.atomic():
        ReadingAggregate.objects.bulk_create(
            rows,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["sensor", "period", "bucket"],
            update_fields=["n", "vmin", "vmax", "vsum"],
        )
    return len(rows)


def purge_raw(now: datetime, *, raw_days: int, aggregate_days: int) -> int:
    n, _ = Reading.objects.filter(ts__lt=now - timedelta(days=raw_days)).delete()
    ReadingAggregate.objects.filter(bucket__lt=now - timedelta(days=aggregate_days)).delete()
    return n

"""Rollups and retention of readings.

`rollup(since)` recomputes every per-minute and per-hour bucket from `since` on (an idempotent
reconciler: late readings are picked up on the next run as long as they arrive within the window it
looks back over). Minutes come from the raw rows, hours from the minutes — so an hour stays right
after its raw rows have expired. On PostgreSQL both are one `INSERT … SELECT … GROUP BY … ON CONFLICT
DO UPDATE` each, run in the database; elsewhere the rows are folded in Python.

Retention (`purge`): raw readings for `MONITORING_RAW_DAYS` (on PostgreSQL whole day partitions are
dropped, see partitions.py), minute rollups for `MONITORING_MINUTE_DAYS`, hour rollups for
`MONITORING_HOUR_DAYS` (years), day rollups (local days, from the hours) as long as the hours: a
chart of a month reads ≤ 744 hourly rows, a chart of a year 365 daily rows.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction

from . import partitions
from .models import Reading, ReadingAggregate

MINUTE, HOUR, DAY = 60, 3600, 86400
PERIODS = (MINUTE, HOUR, DAY)


def _day_start(t: datetime) -> datetime:
    """The start of t's local day (settings.TIME_ZONE): days are the days people read on a chart."""
    from django.utils import timezone

    local = timezone.localtime(t)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _floor(ts: float, period: int) -> float:
    return ts - (ts % period)


def rollup(since: datetime, until: datetime | None = None) -> int:
    """Recompute the minute and hour buckets from the hour containing `since`, and the (local) day
    buckets from the day containing it (days from hours); returns buckets written."""
    start = datetime.fromtimestamp(_floor(since.timestamp(), HOUR), UTC)
    end = until or datetime.now(UTC) + timedelta(days=1)
    if connection.vendor == "postgresql":
        return _rollup_sql(start, end)
    return _rollup_python(start, end)


def _rollup_sql(start: datetime, end: datetime) -> int:
    agg = ReadingAggregate._meta.db_table
    raw = Reading._meta.db_table
    upsert = (
        "ON CONFLICT (sensor_id, period, bucket) DO UPDATE SET n = EXCLUDED.n, vmin = EXCLUDED.vmin, "
        "vmax = EXCLUDED.vmax, vsum = EXCLUDED.vsum"
    )
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {agg} (sensor_id, period, bucket, n, vmin, vmax, vsum) "  # noqa: S608
            f"SELECT sensor_id, {MINUTE}, date_trunc('minute', ts), count(*), min(value), max(value), "
            f"sum(value) FROM {raw} WHERE ts >= %s AND ts < %s GROUP BY 1, 3 {upsert}",
            [start, end],
        )
        minutes = cur.rowcount
        cur.execute(
            f"INSERT INTO {agg} (sensor_id, period, bucket, n, vmin, vmax, vsum) "  # noqa: S608
            f"SELECT sensor_id, {HOUR}, date_trunc('hour', bucket), sum(n), min(vmin), max(vmax), sum(vsum) "
            f"FROM {agg} WHERE period = {MINUTE} AND bucket >= %s AND bucket < %s GROUP BY 1, 3 {upsert}",
            [start, end],
        )
        hours = cur.rowcount
        # Days (local, settings.TIME_ZONE) from the hours: a chart of a year is 365 rows.
        cur.execute(
            f"INSERT INTO {agg} (sensor_id, period, bucket, n, vmin, vmax, vsum) "  # noqa: S608
            f"SELECT sensor_id, {DAY}, date_trunc('day', bucket, %s), sum(n), min(vmin), max(vmax), "
            f"sum(vsum) FROM {agg} WHERE period = {HOUR} AND bucket >= %s AND bucket < %s GROUP BY 1, 3 "
            f"{upsert}",
            [settings.TIME_ZONE, _day_start(start), end],
        )
        return minutes + hours + cur.rowcount


def days_from_hours(start: datetime, end: datetime) -> int:
    """(Re)compute the local-day buckets of [start's day, end) from the hour buckets alone (for hours
    older than the raw rows: the migration that introduced days, and the benchmark's year)."""
    start = _day_start(start)
    if connection.vendor == "postgresql":
        agg = ReadingAggregate._meta.db_table
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {agg} (sensor_id, period, bucket, n, vmin, vmax, vsum) "  # noqa: S608
                f"SELECT sensor_id, {DAY}, date_trunc('day', bucket, %s), sum(n), min(vmin), max(vmax), "
                f"sum(vsum) FROM {agg} WHERE period = {HOUR} AND bucket >= %s AND bucket < %s "
                f"GROUP BY 1, 3 ON CONFLICT (sensor_id, period, bucket) DO UPDATE SET n = EXCLUDED.n, "
                f"vmin = EXCLUDED.vmin, vmax = EXCLUDED.vmax, vsum = EXCLUDED.vsum",
                [settings.TIME_ZONE, start, end],
            )
            return cur.rowcount
    buckets: dict[tuple[int, float], list[float]] = defaultdict(lambda: [0, float("inf"), float("-inf"), 0.0])
    hours = ReadingAggregate.objects.filter(period=HOUR, bucket__gte=start, bucket__lt=end)
    for sid, bucket, n, lo, hi, total in hours.values_list(
        "sensor_id", "bucket", "n", "vmin", "vmax", "vsum"
    ):
        b = buckets[(sid, _day_start(bucket).timestamp())]
        b[0] += n
        b[1] = min(b[1], lo)
        b[2] = max(b[2], hi)
        b[3] += total
    rows = [
        ReadingAggregate(
            sensor_id=sid, period=DAY, bucket=datetime.fromtimestamp(day, UTC), n=n, vmin=lo, vmax=hi, vsum=t
        )
        for (sid, day), (n, lo, hi, t) in buckets.items()
    ]
    ReadingAggregate.objects.bulk_create(
        rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["sensor", "period", "bucket"],
        update_fields=["n", "vmin", "vmax", "vsum"],
    )
    return len(rows)


def _rollup_python(start: datetime, end: datetime) -> int:
    # From the start of start's day, so that its day bucket is whole (minutes and hours re-folded).
    start = _day_start(start)
    qs = Reading.objects.filter(ts__gte=start, ts__lt=end)
    buckets: dict[tuple[int, int, float], list[float]] = defaultdict(
        lambda: [0, float("inf"), float("-inf"), 0.0]
    )
    for sensor_id, ts, value in qs.values_list("sensor_id", "ts", "value").iterator(chunk_size=5000):
        t = ts.timestamp()
        for period in PERIODS:
            key = _day_start(ts).timestamp() if period == DAY else _floor(t, period)
            b = buckets[(sensor_id, period, key)]
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


def purge(now: datetime, *, raw_days: int, minute_days: int, hour_days: int) -> dict[str, int]:
    """Expire raw readings and rollups past their retention; returns what went (rows or partitions)."""
    cutoff = now - timedelta(days=raw_days)
    out: dict[str, int] = {}
    if partitions.enabled():
        out["raw_partitions_dropped"] = len(partitions.drop_before(cutoff))
    else:
        out["raw_rows"], _ = Reading.objects.filter(ts__lt=cutoff).delete()
    out["minute_rows"], _ = ReadingAggregate.objects.filter(
        period=MINUTE, bucket__lt=now - timedelta(days=minute_days)
    ).delete()
    out["hour_rows"], _ = ReadingAggregate.objects.filter(
        period__in=(HOUR, DAY), bucket__lt=now - timedelta(days=hour_days)
    ).delete()
    # Buckets of the former 5-minute period (before minute rollups) go with the minutes.
    ReadingAggregate.objects.exclude(period__in=PERIODS).filter(
        bucket__lt=now - timedelta(days=minute_days)
    ).delete()
    return out

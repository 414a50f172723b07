"""Readings at province size (`make bench-readings`, PostgreSQL: DATABASE_URL=postgres://…/pingan_bench).

A year of one sensor's chart read from the day rollups, among the rollups of many other sensors:
1. raw readings of the last --raw-days days, one a minute, for --sensors sensors, into the day
   partitions (COPY, as the pipeline stores them); the minute and hour rollups computed from them
   (rollup.rollup, in SQL) — rows/s and the bytes on disk per raw reading and per rollup row;
2. a year of hour rollups for every sensor (what is left after the raw rows expire);
3. sensor_series(sensor, hours) for a year (365 day rows), a month (720 hour rows), 3 days (minute
   rows) and 6 h (raw), each
   --runs times: p50 / p95 in ms — target p95 ≤ 50 ms for the year.
4. retention: dropping the expired day partitions (ms).

The database's monitoring tables are emptied: use a dedicated database.
"""

from __future__ import annotations

import sys

if sys.path and sys.path[0].endswith("bench"):
    sys.path.pop(0)  # bench/warnings.py would shadow the standard library's warnings

import argparse
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingan.config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("PINGAN_DEMO", "1")  # the demo settings (secret key, hosts) on any database

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402


def pct(times: list[float], p: float) -> float:
    s = sorted(times)
    return s[min(len(s) - 1, int(len(s) * p))] * 1000


def size(rel: str) -> int:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "WHERE c.relname = %s OR c.oid IN (SELECT inhrelid FROM pg_inherits i "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s)",
            [rel, rel],
        )
        return int(cur.fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sensors", type=int, default=200)
    parser.add_argument("--raw-days", type=int, default=7)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("bench-readings measures the partitioned table: run it on PostgreSQL (DATABASE_URL)")
        return

    from pingan.geo.models import Division
    from pingan.monitoring import partitions
    from pingan.monitoring.ingest import store_readings
    from pingan.monitoring.models import Device, Reading, ReadingAggregate, Sensor
    from pingan.monitoring.rollup import HOUR, days_from_hours, purge, rollup
    from pingan.monitoring.selectors import sensor_series

    call_command("migrate", verbosity=0)
    with connection.cursor() as cur:
        cur.execute(f"TRUNCATE {Reading._meta.db_table}, {ReadingAggregate._meta.db_table}")
    Sensor.objects.filter(device__code__startswith="BR").delete()
    Device.objects.filter(code__startswith="BR").delete()
    city, _ = Division.objects.get_or_create(
        code="441800", defaults={"name": "清远市", "level": "city", "lat": 23.7, "lon": 113.0}
    )
    devices = Device.objects.bulk_create(
        [Device(code=f"BR{d:05d}", name=f"r{d}", division=city) for d in range(args.sensors // 10 + 1)]
    )
    Sensor.objects.bulk_create(
        [
            Sensor(device=devices[i // 10], code=f"s{i % 10}", name=f"r{i}", type="gas_lel", division=city)
            for i in range(args.sensors)
        ]
    )
    ids = list(
        Sensor.objects.filter(device__code__startswith="BR").order_by("id").values_list("id", flat=True)
    )
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    start = now - timedelta(days=args.raw_days)
    print(
        f"Ping'an readings benchmark — {len(ids)} sensors, {args.raw_days} days raw (one a minute), "
        f"a year of hour rollups; PostgreSQL {connection.settings_dict['NAME']}"
    )

    # 1. raw readings into the day partitions, then the rollups
    made = partitions.ensure(7, since=start.date(), now=now)
    minutes = int((now - start).total_seconds() // 60)
    t = time.perf_counter()
    chunk = []
    n_raw = 0
    for m in range(minutes):
        ts = (start + timedelta(minutes=m)).timestamp()
        chunk.extend((sid, ts, 5.0 + (sid % 7) + (m % 60) / 60) for sid in ids)
        if len(chunk) >= 200_000:
            with transaction.atomic():
                store_readings(chunk)
            n_raw += len(chunk)
            chunk = []
    with transaction.atomic():
        store_readings(chunk)
    n_raw += len(chunk)
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    buckets = rollup(start, now + timedelta(minutes=1))
    rollup_s = time.perf_counter() - t
    with connection.cursor() as cur:
        cur.execute("ANALYZE monitoring_reading; ANALYZE monitoring_readingaggregate")
    raw_bytes = size("monitoring_reading")
    agg_rows = ReadingAggregate.objects.count()
    agg_bytes = size("monitoring_readingaggregate")
    print(
        f"1. {n_raw:,} raw readings stored in {load_s:.1f} s ({n_raw / load_s:,.0f}/s) into "
        f"{len(partitions.existing())} day partitions ({len(made)} created); on disk "
        f"{raw_bytes / n_raw:.0f} bytes per reading (table + indexes)"
    )
    print(
        f"   rollups: {buckets:,} minute + hour buckets in {rollup_s:.1f} s "
        f"({n_raw / rollup_s:,.0f} readings/s); "
        f"{agg_bytes / max(agg_rows, 1):.0f} bytes per rollup row"
    )

    # 2. a year of hour rollups for every sensor (older than the raw rows)
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO monitoring_readingaggregate (sensor_id, period, bucket, n, vmin, vmax, vsum) "
            "SELECT s, %s, b, 60, 4, 9, 360 FROM unnest(%s::bigint[]) s, "
            "generate_series(%s::timestamptz, %s::timestamptz, interval '1 hour') b "
            "ON CONFLICT DO NOTHING",
            [HOUR, ids, now - timedelta(days=366), start - timedelta(hours=1)],
        )
    # and their local days (as the migration that introduced day rollups makes them from old hours)
    days = days_from_hours(now - timedelta(days=366), now + timedelta(days=1))
    with connection.cursor() as cur:
        cur.execute("ANALYZE monitoring_readingaggregate")
    hours_total = ReadingAggregate.objects.filter(period=HOUR).count()
    print(
        f"2. a year of hour rollups: {hours_total:,} rows, and {days:,} day rollups from them, "
        f"in {time.perf_counter() - t:.1f} s"
    )

    # 3. the charts
    sensor = Sensor.objects.get(pk=ids[len(ids) // 2])
    for label, hours in (
        ("a year (day rollups)", 8760),
        ("a month (hour rollups)", 720),
        ("3 days (minute rollups)", 72),
        ("6 h (raw)", 6),
    ):
        times, cpu = [], []
        points = 0
        for _ in range(args.runs):
            t, c = time.perf_counter(), time.process_time()
            series = sensor_series(sensor, hours)
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
            points = len(series["points"])
        target = " (target p95 ≤ 50 ms)" if hours == 8760 else ""
        # CPU time of this process too: on a machine shared with other jobs the wall time is mostly
        # waiting for a core.
        print(
            f"3. chart of {label}: {points:,} points, p50 {pct(times, 0.5):.1f} ms, "
            f"p95 {pct(times, 0.95):.1f} ms{target}; this process's CPU p95 {pct(cpu, 0.95):.1f} ms; "
            f"load average {os.getloadavg()[0]:.1f}"
        )

    # 4. retention: the raw days past a cutoff go as whole partitions
    before = len(partitions.existing())
    t = time.perf_counter()
    with transaction.atomic():
        out = purge(now, raw_days=max(1, args.raw_days // 2), minute_days=90, hour_days=3660)
    print(
        f"4. retention: {out.get('raw_partitions_dropped', 0)} of {before} day partitions dropped in "
        f"{(time.perf_counter() - t) * 1000:.0f} ms; {Reading.objects.count():,} raw readings left"
    )


if __name__ == "__main__":
    main()

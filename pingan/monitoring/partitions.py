"""Time partitions of the readings table on PostgreSQL (native declarative partitioning).

`monitoring_reading` is `PARTITION BY RANGE (ts)` with one partition per UTC day
(`monitoring_reading_pYYYYMMDD`) and a DEFAULT partition that catches a reading no day partition
takes (a clock far off, a day not created yet), so an insert never fails for want of a partition.
`ensure(ahead)` creates the coming days (the huey task `monitoring.tasks.maintain_reading_partitions`
daily, `manage.py reading_partitions` by hand); a day's rows that had landed in the DEFAULT partition
move into the new day's partition as it is attached. `drop_before(cutoff)` is how raw readings
expire: a whole day is dropped at once (no DELETE, no vacuum). SQLite keeps the plain table: every
function here is a no-op there (`enabled()` is False).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.db import connection, transaction

TABLE = "monitoring_reading"
DEFAULT = f"{TABLE}_default"
PREFIX = f"{TABLE}_p"
SENSOR_INDEX = "monitoring_reading_sensor_id_1896e32c"


def enabled(conn=None) -> bool:  # noqa: ANN001 - a connection or a schema editor's connection
    conn = conn or connection
    if conn.vendor != "postgresql":
        return False
    with conn.cursor() as cur:
        cur.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid WHERE relname = %s",
            [TABLE],
        )
        return cur.fetchone() is not None


def name_for(day: date) -> str:
    return f"{PREFIX}{day:%Y%m%d}"


def day_of(name: str) -> date | None:
    if not name.startswith(PREFIX):
        return None
    try:
        return datetime.strptime(name[len(PREFIX) :], "%Y%m%d").replace(tzinfo=UTC).date()
    except ValueError:
        return None


def existing(conn=None) -> list[str]:  # noqa: ANN001
    """Names of the day partitions (not the DEFAULT one), oldest first."""
    conn = conn or connection
    with conn.cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s ORDER BY c.relname",
            [TABLE],
        )
        return [r[0] for r in cur.fetchall() if r[0] != DEFAULT]


def create_day(day: date, conn=None) -> bool:  # noqa: ANN001
    """Create and attach the partition of one UTC day; rows of that day in DEFAULT move into it."""
    conn = conn or connection
    name = name_for(day)
    if name in existing(conn):
        return False
    lo = datetime(day.year, day.month, day.day, tzinfo=UTC)
    hi = lo + timedelta(days=1)
    with transaction.atomic(using=conn.alias), conn.cursor() as cur:
        # Built beside the table and attached after: ATTACH checks the DEFAULT partition holds no row
        # of the new range, so those rows move first, in the same transaction.
        cur.execute(f'CREATE TABLE "{name}" (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)')
        cur.execute(
            f'WITH moved AS (DELETE FROM "{DEFAULT}" WHERE ts >= %s AND ts < %s RETURNING *) '  # noqa: S608
            f'INSERT INTO "{name}" SELECT * FROM moved',
            [lo, hi],
        )
        cur.execute(f'ALTER TABLE {TABLE} ATTACH PARTITION "{name}" FOR VALUES FROM (%s) TO (%s)', [lo, hi])
    return True


def ensure(ahead: int = 7, *, now: datetime | None = None, since: date | None = None, conn=None) -> list[str]:  # noqa: ANN001
    """Day partitions from `since` (default: today) to `ahead` days after today; returns those created."""
    conn = conn or connection
    if not enabled(conn):
        return []
    today = (now or datetime.now(UTC)).astimezone(UTC).date()
    day = since or today
    made = []
    while day <= today + timedelta(days=ahead):
        if create_day(day, conn):
            made.append(name_for(day))
        day += timedelta(days=1)
    return made


def drop_before(cutoff: datetime, conn=None) -> list[str]:  # noqa: ANN001
    """Drop every day partition that ends at or before `cutoff` (raw-reading retention), and delete
    older rows stranded in the DEFAULT partition; returns the partitions dropped."""
    conn = conn or connection
    if not enabled(conn):
        return []
    dropped = []
    for name in existing(conn):
        day = day_of(name)
        if day is None:
            continue
        end = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)
        if end <= cutoff:
            with conn.cursor() as cur:
                cur.execute(f'DROP TABLE "{name}"')
            dropped.append(name)
    with conn.cursor() as cur:
        cur.execute(f'DELETE FROM "{DEFAULT}" WHERE ts < %s', [cutoff])  # noqa: S608
    return dropped


def partition_sql() -> list[str]:
    """Turn the plain readings table into the partitioned one (the migration; PostgreSQL only).

    The rows are copied through: run it in a maintenance window on a large existing table, or create
    the partitioned table empty and backfill in chunks."""
    return [
        f"ALTER TABLE {TABLE} RENAME TO {TABLE}_unpartitioned",
        f"ALTER TABLE {TABLE}_unpartitioned RENAME CONSTRAINT {TABLE}_pkey TO {TABLE}_unpartitioned_pkey",
        "ALTER INDEX reading_ts RENAME TO reading_ts_unpartitioned",
        f"ALTER INDEX IF EXISTS {SENSOR_INDEX} RENAME TO {SENSOR_INDEX}_unpartitioned",
        f"CREATE TABLE {TABLE} (ts timestamp with time zone NOT NULL, value double precision NOT NULL, "
        f"sensor_id bigint NOT NULL, CONSTRAINT {TABLE}_pkey PRIMARY KEY (sensor_id, ts)) "
        "PARTITION BY RANGE (ts)",
        f"CREATE INDEX reading_ts ON {TABLE} (ts)",
        # The foreign key's index Django made (the key's prefix serves the same lookups; kept so the
        # schema stays what Django's migrations expect).
        f"CREATE INDEX {SENSOR_INDEX} ON {TABLE} (sensor_id)",
        f"CREATE TABLE {DEFAULT} PARTITION OF {TABLE} DEFAULT",
        f"INSERT INTO {TABLE} (sensor_id, ts, value) SELECT sensor_id, ts, value FROM {TABLE}_unpartitioned",  # noqa: S608
        f"DROP TABLE {TABLE}_unpartitioned",
    ]


def unpartition_sql() -> list[str]:
    return [
        f"ALTER TABLE {TABLE} RENAME TO {TABLE}_partitioned",
        f"ALTER TABLE {TABLE}_partitioned RENAME CONSTRAINT {TABLE}_pkey TO {TABLE}_partitioned_pkey",
        "ALTER INDEX reading_ts RENAME TO reading_ts_partitioned",
        f"ALTER INDEX IF EXISTS {SENSOR_INDEX} RENAME TO {SENSOR_INDEX}_partitioned",
        f"CREATE TABLE {TABLE} (ts timestamp with time zone NOT NULL, value double precision NOT NULL, "
        f"sensor_id bigint NOT NULL, CONSTRAINT {TABLE}_pkey PRIMARY KEY (sensor_id, ts))",
        f"CREATE INDEX reading_ts ON {TABLE} (ts)",
        f"CREATE INDEX {SENSOR_INDEX} ON {TABLE} (sensor_id)",
        f"INSERT INTO {TABLE} (sensor_id, ts, value) SELECT sensor_id, ts, value FROM {TABLE}_partitioned",  # noqa: S608
        f"DROP TABLE {TABLE}_partitioned CASCADE",
    ]

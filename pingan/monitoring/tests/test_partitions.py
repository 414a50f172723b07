"""Readings at province size: day partitions on PostgreSQL (created ahead, rows of a missing day kept
in DEFAULT and moved when the day is created, retention by dropping whole days), minute and hour
rollups (both databases), and a year's chart read from the day rollups."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from pingan.monitoring import partitions
from pingan.monitoring.ingest import store_readings
from pingan.monitoring.models import Reading, ReadingAggregate
from pingan.monitoring.rollup import DAY, HOUR, MINUTE, purge, rollup
from pingan.monitoring.selectors import sensor_series

from .helpers import make_plant

pytestmark = pytest.mark.django_db

needs_pg = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="readings are partitioned by time only on PostgreSQL; SQLite keeps the plain table",
)


@pytest.fixture
def sensor(world):
    return make_plant(world).sensors["gas"]


def _partition_of(sensor_id: int, ts: datetime) -> str:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT tableoid::regclass::text FROM monitoring_reading WHERE sensor_id = %s AND ts = %s",
            [sensor_id, ts],
        )
        return cur.fetchone()[0]


@needs_pg
def test_day_partitions_are_created_ahead_and_a_late_day_moves_out_of_default(sensor):
    assert partitions.enabled()
    now = datetime.now(UTC)
    partitions.ensure(3, now=now)
    names = partitions.existing()
    for d in range(4):
        assert partitions.name_for((now + timedelta(days=d)).date()) in names
    far = (now + timedelta(days=20)).replace(microsecond=0)
    store_readings([(sensor.pk, now.timestamp(), 1.0), (sensor.pk, far.timestamp(), 2.0)])
    assert _partition_of(sensor.pk, now.replace(microsecond=now.microsecond)) == partitions.name_for(
        now.date()
    )
    assert _partition_of(sensor.pk, far) == partitions.DEFAULT  # no day partition yet: nothing refused
    assert partitions.ensure(0, since=far.date(), now=far) == [partitions.name_for(far.date())]
    assert _partition_of(sensor.pk, far) == partitions.name_for(far.date())
    assert Reading.objects.filter(sensor=sensor).count() == 2


@needs_pg
def test_raw_readings_expire_by_dropping_whole_days(sensor):
    now = datetime.now(UTC).replace(microsecond=0)
    old = now - timedelta(days=40)
    partitions.ensure(0, since=old.date(), now=now)
    store_readings([(sensor.pk, old.timestamp(), 5.0), (sensor.pk, now.timestamp(), 6.0)])
    rollup(old, old + timedelta(hours=1))
    out = purge(now, raw_days=30, minute_days=30, hour_days=3660)
    assert out["raw_partitions_dropped"] >= 10
    assert partitions.name_for(old.date()) not in partitions.existing()
    assert list(Reading.objects.filter(sensor=sensor).values_list("value", flat=True)) == [6.0]
    # The hour rollup outlives the raw rows and the minute rollup.
    assert not ReadingAggregate.objects.filter(
        sensor=sensor, period=MINUTE, bucket__lt=now - timedelta(days=30)
    )
    hour = ReadingAggregate.objects.get(sensor=sensor, period=HOUR, bucket__lt=now - timedelta(days=30))
    assert (hour.n, hour.vsum) == (1, 5.0)


def test_minute_and_hour_rollups_are_exact_and_idempotent(sensor):
    t0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    if connection.vendor == "postgresql":
        partitions.ensure(0, since=t0.date(), now=t0)
    # Three readings in minute 0, one in minute 1, one in the next hour.
    rows = [(0, 1.0), (20, 4.0), (40, 2.5), (60, 7.0), (3600, 9.0)]
    store_readings([(sensor.pk, (t0 + timedelta(seconds=s)).timestamp(), v) for s, v in rows])
    for _ in range(2):
        rollup(t0, t0 + timedelta(hours=2))
        got = {
            (a.period, a.bucket): (a.n, a.vmin, a.vmax, a.vsum)
            for a in ReadingAggregate.objects.filter(sensor=sensor)
        }
        assert got == {
            (MINUTE, t0): (3, 1.0, 4.0, 7.5),
            (MINUTE, t0 + timedelta(minutes=1)): (1, 7.0, 7.0, 7.0),
            (MINUTE, t0 + timedelta(hours=1)): (1, 9.0, 9.0, 9.0),
            (HOUR, t0): (4, 1.0, 7.0, 14.5),
            (HOUR, t0 + timedelta(hours=1)): (1, 9.0, 9.0, 9.0),
            # The local day (Asia/Shanghai: 16:00 UTC the day before) from the hours.
            (DAY, datetime(2026, 11, 29, 16, 0, tzinfo=UTC)): (5, 1.0, 9.0, 23.5),
        }


def test_a_years_chart_reads_the_day_rollups(sensor, django_assert_max_num_queries):
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    ReadingAggregate.objects.bulk_create(
        [
            ReadingAggregate(
                sensor=sensor, period=HOUR, bucket=now - timedelta(hours=h), n=60, vmin=1, vmax=3, vsum=120
            )
            for h in range(1, 8761, 7)
        ]
    )
    # Before the day rollups exist: the hours (one more query).
    with django_assert_max_num_queries(2):
        series = sensor_series(sensor, hours=8760)
    assert series["kind"] == "agg3600"
    assert len(series["points"]) == len(range(1, 8761, 7))
    assert series["points"][0][1] == 2.0
    # The days, then: one query, a row a day, the same mean.
    ReadingAggregate.objects.bulk_create(
        [
            ReadingAggregate(
                sensor=sensor, period=DAY, bucket=now - timedelta(days=d), n=1440, vmin=1, vmax=3, vsum=2880
            )
            for d in range(1, 365)
        ]
    )
    with django_assert_max_num_queries(1):
        series = sensor_series(sensor, hours=8760)
    assert series["kind"] == "agg86400" and len(series["points"]) == 364
    assert series["points"][0][1] == 2.0 and series["max"][0][1] == 3


def test_chart_spans_past_a_month(sensor):
    from rest_framework.test import APIClient

    from pingan.org.models import User

    admin = User.objects.create_superuser("chart_admin", password="x-Pingan-2026!")
    c = APIClient()
    c.force_authenticate(admin)
    assert c.get(f"/api/v1/sensors/{sensor.pk}/readings/?hours=8760").status_code == 200
    r = c.get(f"/api/v1/sensors/{sensor.pk}/readings/?hours=100000")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "hours"


def test_day_rollups_from_hours_alone_follow_local_days(sensor):
    from pingan.monitoring.rollup import days_from_hours

    # 15:00 and 16:00 UTC fall on two Beijing days (23:00 and 00:00 local).
    t = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
    ReadingAggregate.objects.bulk_create(
        [
            ReadingAggregate(sensor=sensor, period=HOUR, bucket=t, n=2, vmin=1, vmax=3, vsum=4),
            ReadingAggregate(
                sensor=sensor, period=HOUR, bucket=t + timedelta(hours=1), n=1, vmin=5, vmax=5, vsum=5
            ),
        ]
    )
    for _ in range(2):  # idempotent
        days_from_hours(t - timedelta(days=1), t + timedelta(days=2))
        got = {
            a.bucket: (a.n, a.vmin, a.vmax, a.vsum)
            for a in ReadingAggregate.objects.filter(sensor=sensor, period=DAY)
        }
        assert got == {
            datetime(2026, 11, 28, 16, 0, tzinfo=UTC): (2, 1.0, 3.0, 4.0),
            datetime(2026, 11, 29, 16, 0, tzinfo=UTC): (1, 5.0, 5.0, 5.0),
        }

"""Day rollups (period 86400, local days) from the hour rollups already kept, so that a chart of a
year reads days from its first day on (the periodic rollup makes them from now on)."""

from collections import defaultdict
from datetime import UTC

from django.conf import settings
from django.db import migrations

DAY, HOUR = 86400, 3600


def days_from_hours(apps, schema_editor):
    Agg = apps.get_model("monitoring", "ReadingAggregate")
    if schema_editor.connection.vendor == "postgresql":
        table = Agg._meta.db_table
        schema_editor.execute(
            f"INSERT INTO {table} (sensor_id, period, bucket, n, vmin, vmax, vsum) "  # noqa: S608
            f"SELECT sensor_id, {DAY}, date_trunc('day', bucket, %s), sum(n), min(vmin), max(vmax), sum(vsum) "
            f"FROM {table} WHERE period = {HOUR} GROUP BY 1, 3 ON CONFLICT DO NOTHING",
            [settings.TIME_ZONE],
        )
        return
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(settings.TIME_ZONE)
    days = defaultdict(lambda: [0, float("inf"), float("-inf"), 0.0])
    for sid, bucket, n, lo, hi, total in Agg.objects.filter(period=HOUR).values_list(
        "sensor_id", "bucket", "n", "vmin", "vmax", "vsum"
    ):
        local = bucket.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
        d = days[(sid, local.astimezone(UTC))]
        d[0] += n
        d[1] = min(d[1], lo)
        d[2] = max(d[2], hi)
        d[3] += total
    Agg.objects.bulk_create(
        [
            Agg(sensor_id=sid, period=DAY, bucket=day, n=n, vmin=lo, vmax=hi, vsum=t)
            for (sid, day), (n, lo, hi, t) in days.items()
        ],
        batch_size=500,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0005_config_edits")]

    operations = [migrations.RunPython(days_from_hours, migrations.RunPython.noop)]

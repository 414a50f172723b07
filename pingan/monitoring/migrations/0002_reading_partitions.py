"""PostgreSQL: the readings table becomes range-partitioned by time (one partition per UTC day, a
DEFAULT partition, the coming week created). SQLite keeps the plain table; the model is unchanged."""

from django.db import migrations


def forwards(apps, schema_editor):
    from pingan.monitoring import partitions

    conn = schema_editor.connection
    if conn.vendor != "postgresql" or partitions.enabled(conn):
        return
    for sql in partitions.partition_sql():
        schema_editor.execute(sql)
    with conn.cursor() as cur:
        cur.execute(f"SELECT min(ts)::date FROM {partitions.TABLE}")
        first = cur.fetchone()[0]
    # Days that already have rows (moved out of DEFAULT as each is attached), then a week ahead.
    partitions.ensure(7, since=first, conn=conn)


def backwards(apps, schema_editor):
    from pingan.monitoring import partitions

    conn = schema_editor.connection
    if conn.vendor != "postgresql" or not partitions.enabled(conn):
        return
    for sql in partitions.unpartition_sql():
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    atomic = True

    dependencies = [("monitoring", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]

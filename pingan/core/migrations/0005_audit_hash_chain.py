"""The audit trail becomes tamper-evident: each event carries a hash chained to the previous one.

Existing events are chained here in id order. The append-only triggers of 0003 refuse the UPDATE
that fills them, so they are lifted for this migration only (PostgreSQL: disabled and re-enabled;
SQLite: the table may have been rebuilt by AddField, which drops its triggers, so it is re-created).
"""

from django.db import migrations, models

from pingan.core.models import CHAIN_FIELDS, GENESIS, chain_hash

SQLITE_TRIGGER = """
CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
BEGIN SELECT RAISE(ABORT, 'audit events are append-only (UPDATE refused)'); END;
"""


def chain_existing(apps, schema_editor):
    connection = schema_editor.connection
    vendor = connection.vendor
    AuditEvent = apps.get_model("core", "AuditEvent")
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update")
    prev = GENESIS
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    batch = []
    for row in AuditEvent.objects.order_by("id").values("id", *CHAIN_FIELDS).iterator(chunk_size=2000):
        digest = chain_hash(prev, row)
        batch.append((prev, digest, row["id"]))
        prev = digest
        if len(batch) >= 2000:
            _write(connection, table, batch)
            batch = []
    _write(connection, table, batch)
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


def _write(connection, table, batch):
    if batch:
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET prev_hash = %s, hash = %s WHERE id = %s", batch)  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [("core", "0004_cache_table")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
    ]

"""The database cache's table (settings.CACHES without REDIS_URL): the rate-limit counters must be
shared by every process, so they live in the database when there is no Redis. Same as running
`manage.py createcachetable`, which does nothing for a cache that is not a database cache."""

from django.core.management import call_command
from django.db import migrations


def up(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_append_only")]
    operations = [migrations.RunPython(up, migrations.RunPython.noop)]

from django.db import migrations


def forwards(apps, schema_editor):
    from pingan.hazards.defaults import ensure_defaults

    ensure_defaults(apps.get_model("hazards", "Category"), apps.get_model("hazards", "RoutingRule"))


class Migration(migrations.Migration):
    dependencies = [("hazards", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

"""Photos get a random public_id for public addresses (never the sequential primary key).

Three steps so that existing rows each get their own value: add the column nullable, fill every
row with a fresh uuid4, then make it unique and required."""

import uuid

from django.db import migrations, models


def fill_public_ids(apps, schema_editor):
    Photo = apps.get_model("hazards", "Photo")
    batch = []
    for photo in Photo.objects.filter(public_id__isnull=True).only("pk").iterator(chunk_size=2000):
        photo.public_id = uuid.uuid4()
        batch.append(photo)
        if len(batch) >= 2000:
            Photo.objects.bulk_update(batch, ["public_id"])
            batch = []
    if batch:
        Photo.objects.bulk_update(batch, ["public_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0002_default_categories"),
    ]

    operations = [
        migrations.AddField(
            model_name="photo",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="photo",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]

"""One definition of the special-work types: the codes risks stored in its commitments' JSON
(`hot`, `confined`, …) become the permits' codes (`hot_work`, `confined_space`, …). The migration
lives here, with the definition's owner, so that risks' own migration series is untouched."""

from django.db import migrations

OLD_TO_NEW = {
    "hot": "hot_work",
    "confined": "confined_space",
    "blind": "blinding",
    "height": "height",
    "lifting": "lifting",
    "electrical": "temporary_power",
    "earth": "excavation",
    "roadbreak": "road_closure",
}


def _rewrite(apps, mapping):
    Commitment = apps.get_model("risks", "Commitment")
    for row in Commitment.objects.exclude(special_work={}).only("pk", "special_work").iterator():
        work = row.special_work or {}
        new = {}
        for code, n in work.items():
            key = mapping.get(code, code)
            new[key] = new.get(key, 0) + n
        if new != work:
            Commitment.objects.filter(pk=row.pk).update(special_work=new)


def forwards(apps, schema_editor):
    _rewrite(apps, OLD_TO_NEW)


def backwards(apps, schema_editor):
    _rewrite(apps, {v: k for k, v in OLD_TO_NEW.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0003_documents_penalties"),
        ("risks", "0002_publishedcommitment"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

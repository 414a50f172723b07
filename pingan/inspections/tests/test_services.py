"""One definition of the special-work types; the permits' counts feed the daily commitment; the data
migration of the codes risks stored before."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from pingan.inspections import actions, services
from pingan.inspections.choices import WorkType

pytestmark = pytest.mark.django_db


def test_one_definition():
    from pingan.risks.choices import SpecialWork

    assert SpecialWork is WorkType
    assert len(WorkType.values) == 8


def test_permits_feed_the_commitment_form(world):
    ent = world.user("enterprise")
    now = timezone.now()
    permit = actions.do_apply_permit(
        ent,
        world.enterprises["qingcheng"],
        work_type="height",
        grade="first",
        location="A",
        work="w",
        applicant="a",
        guardian="b",
        valid_from=now,
        valid_until=now + dt.timedelta(hours=2),
        gas_analyses=[],
    )
    today = timezone.localdate()
    assert services.special_work_counts(world.enterprises["qingcheng"], today) == {}  # not approved yet
    actions.do_approve_permit(ent, permit, level="principal")
    assert services.special_work_counts(world.enterprises["qingcheng"], today) == {"height": 1}
    assert services.special_work_counts(world.enterprises["qingcheng"], today - dt.timedelta(days=2)) == {}
    c = Client()
    c.force_login(ent)
    assert 'name="work-height" value="1"' in c.get("/console/risks/commitments/").content.decode()


def test_migration_rewrites_stored_codes(world):
    from pingan.risks.models import Commitment

    row = Commitment.objects.create(
        enterprise=world.enterprises["qingcheng"],
        division=world.enterprises["qingcheng"].division,
        day=dt.date(2026, 3, 2),
        submitted_at=timezone.now(),
        special_work={"hot": 2, "electrical": 1},
        text="承诺",
        signed_by="张三",
    )
    migration = importlib.import_module("pingan.inspections.migrations.0004_special_work_codes")
    migration.forwards(apps, None)
    row.refresh_from_db()
    assert row.special_work == {"hot_work": 2, "temporary_power": 1}
    migration.backwards(apps, None)
    row.refresh_from_db()
    assert row.special_work == {"hot": 2, "electrical": 1}

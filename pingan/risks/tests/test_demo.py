import datetime as dt

import pytest

from pingan.core.models import Deadline
from pingan.risks import actions, demo
from pingan.risks.models import (
    CheckRecord,
    CheckTask,
    Commitment,
    LifelineAsset,
    MajorHazardSource,
    RiskObject,
)

pytestmark = pytest.mark.django_db


def test_seed_is_synthetic_complete_and_idempotent(world, monkeypatch):
    monkeypatch.setattr(demo, "N_POINTS", 30)
    monkeypatch.setattr(demo, "N_LIFELINES", 9)
    demo.seed(lambda m: None)
    points = RiskObject.objects.filter(kind="city_point")
    assert points.count() == 30 + 9 and not points.filter(is_synthetic=False).exists()
    # Lifelines in the urban districts, each with its check and a monitoring device linked.
    lifelines = LifelineAsset.objects.all()
    assert lifelines.count() == 9 and not lifelines.filter(is_synthetic=False).exists()
    assert {a.division.path[:6] for a in lifelines} <= set(demo.URBAN)
    assert lifelines.exclude(geometry=None).exists()
    assert all(actions.device_ids(a) for a in lifelines)
    assert not points.filter(level="unassessed").exists()
    assert CheckTask.objects.count() == RiskObject.objects.count()
    assert CheckRecord.objects.filter(is_synthetic=True).exists()
    assert Deadline.objects.filter(kind="risks.check").count() == CheckTask.objects.count()
    assert MajorHazardSource.objects.filter(is_synthetic=True).exists()
    assert Commitment.objects.filter(is_synthetic=True).exists()
    from pingan.risks.selectors import commitment_rate

    assert (
        commitment_rate(world.user("city_admin", "city"), dt.date.today() - dt.timedelta(days=2))["required"]
        >= 1
    )
    demo.seed(lambda m: None)
    assert RiskObject.objects.filter(kind="city_point").count() == 30 + 9
    assert LifelineAsset.objects.count() == 9

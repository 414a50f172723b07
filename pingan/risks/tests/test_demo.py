import datetime as dt

import pytest

from pingan.core.models import Deadline
from pingan.risks import demo
from pingan.risks.models import CheckRecord, CheckTask, Commitment, MajorHazardSource, RiskObject

pytestmark = pytest.mark.django_db


def test_seed_is_synthetic_complete_and_idempotent(world, monkeypatch):
    monkeypatch.setattr(demo, "N_POINTS", 30)
    demo.seed(lambda m: None)
    points = RiskObject.objects.filter(kind="city_point")
    assert points.count() == 30 and not points.filter(is_synthetic=False).exists()
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
    assert RiskObject.objects.filter(kind="city_point").count() == 30

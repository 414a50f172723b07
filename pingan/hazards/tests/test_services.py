import pytest

from pingan.core.links import linked
from pingan.core.models import AuditEvent, Deadline
from pingan.hazards.choices import State
from pingan.hazards.models import HazardCase
from pingan.hazards.services import create_case_from_source


@pytest.mark.django_db
def test_create_case_from_source_links_origin_and_is_idempotent(world):
    origin = world.enterprises["qingcheng"]  # any model instance stands in for an alarm
    actor = world.user("integration", "city")
    case = create_case_from_source(
        actor=actor,
        source="monitoring",
        title="可燃气体浓度超限",
        description="探测器 #12 报警",
        category_code="hazchem",
        lat=23.7,
        lon=113.05,
        origin_obj=origin,
    )
    assert case.state == State.SUBMITTED
    assert case.division == world.towns["qingcheng"]
    assert case.district == world.districts["qingcheng"]
    assert case.category.code == "hazchem"
    assert ("opened_case", case) in linked(origin)
    assert AuditEvent.objects.for_object(case).filter(action="hazards.case.submit").exists()
    assert Deadline.objects.filter(
        kind="hazards.register", object_id=str(case.pk), department=world.departments["city_dispatch"]
    ).exists()
    again = create_case_from_source(
        actor=actor,
        source="monitoring",
        title="可燃气体浓度超限",
        description="",
        category_code="hazchem",
        lat=23.7,
        lon=113.05,
        origin_obj=origin,
    )
    assert again.pk == case.pk
    assert HazardCase.objects.count() == 1


@pytest.mark.django_db
def test_create_case_from_source_by_division_and_unknown_category(world):
    case = create_case_from_source(
        actor=None,
        source="inspection",
        title="检查发现",
        description="",
        category_code="no-such",
        division=world.towns["yingde"],
    )
    assert case.category.code == "other"
    assert case.district == world.districts["yingde"]

"""The demo data tells one story per case: its division lies in its district, and its lead department
is a department of that area (its town, its district or the city) — never of another district."""

from __future__ import annotations

import pytest

from pingan.geo import lookup
from pingan.geo.models import Division
from pingan.hazards import demo
from pingan.hazards.defaults import ensure_defaults
from pingan.hazards.models import HazardCase
from pingan.org.choices import DepartmentKind, Sector
from pingan.org.models import Department

pytestmark = pytest.mark.django_db


def disagreements(qs) -> list[str]:
    """Every case whose district, division and lead department do not agree, with why."""
    bad = []
    for c in qs.select_related("division", "district", "lead_department__division"):
        if c.district is None or not c.division.path.startswith(c.district.path):
            bad.append(f"{c.number}: division {c.division.code} not in district {c.district}")
        elif c.lead_department and not c.division.path.startswith(c.lead_department.division.path):
            bad.append(f"{c.number}: lead {c.lead_department} not of {c.division.code}")
    return bad


def test_seeded_cases_agree_on_district_division_and_lead(world):
    """A town next to a district boundary: points scattered around its centre fall into the
    neighbouring district's town; each case then belongs there, with that area's department."""
    from pingan.core.testing import square

    ensure_defaults()
    west = Division.objects.create(
        code="441803",
        name="清新区",
        level="district",
        parent=world.city,
        geometry=square(112.9, 23.6, 113.0, 23.8),
        lat=23.7,
        lon=112.95,
    )
    town = Division.objects.create(
        code="441803100",
        name="太和镇",
        level="town",
        parent=west,
        geometry=square(112.9, 23.6, 113.0, 23.8),
        lat=23.7,
        lon=112.995,  # 5 km from the boundary: about 4 in 10 points land in 凤城街道 (清城区)
    )
    Department.objects.create(
        code="441803-em",
        name="清新区应急管理局",
        sector=Sector.EMERGENCY,
        kind=DepartmentKind.BRANCH,
        division=west,
    )
    Department.objects.create(
        code="441803100-gov",
        name="太和镇政府",
        sector=Sector.GOVERNMENT,
        kind=DepartmentKind.TOWNSHIP,
        division=town,
    )
    lookup.invalidate()
    towns = list(Division.objects.filter(level="town").exclude(lat=None).select_related("parent"))
    depts = list(Department.objects.filter(is_active=True).select_related("division"))
    made = demo.generate(300, towns, depts, log=lambda *_: None)
    assert made == 300
    cases = HazardCase.objects.filter(is_synthetic=True)
    assert disagreements(cases) == []
    # The boundary was crossed (else the test proves nothing): cases of both sides exist.
    assert cases.filter(district=west).exists()
    assert cases.filter(district__code="441802", address__contains="凤城街道").exists()
    assert cases.exclude(lead_department=None).count() > 50
    # Some cases are handled jointly with their own town's government (the demo shows 完成协办).
    from pingan.hazards.models import CaseTask

    co = CaseTask.objects.filter(role="co").select_related("case__division", "department__division")
    assert co.exists()
    assert all(t.case.division.path.startswith(t.department.division.path) for t in co)


def test_repair_puts_old_demo_cases_back_in_agreement(world):
    """A demo database seeded before the fix is repaired by the next seed run (synthetic cases only)."""
    from pingan.hazards.models import CaseTask

    from .factories import submit, to_state

    ensure_defaults()
    towns = list(Division.objects.filter(level="town").exclude(lat=None).select_related("parent"))
    depts = list(Department.objects.filter(is_active=True).select_related("division"))
    demo.generate(40, towns, depts, log=lambda *_: None)
    led = HazardCase.objects.filter(is_synthetic=True, district__code="441802").exclude(lead_department=None)
    broken = list(led[:5])
    assert broken
    yd_fire, yd = world.departments["yd_fire"], world.districts["yingde"]
    for c in broken:  # what the old seed wrote: another district and its department
        CaseTask.objects.filter(case=c, role="lead").update(department=yd_fire)
    HazardCase.objects.filter(pk__in=[c.pk for c in broken]).update(district=yd, lead_department=yd_fire)
    real = to_state(world, submit(world), "assigned")
    HazardCase.objects.filter(pk=real.pk).update(district=yd)  # a real case is never touched
    assert len(disagreements(HazardCase.objects.filter(is_synthetic=True))) == 5
    assert demo.repair() == 5
    assert disagreements(HazardCase.objects.filter(is_synthetic=True)) == []
    for c in HazardCase.objects.filter(pk__in=[c.pk for c in broken]):
        assert c.tasks.get(role="lead").department_id == c.lead_department_id
    assert HazardCase.objects.get(pk=real.pk).district == yd
    assert demo.repair() == 0

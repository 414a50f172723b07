"""Lists and the map stay constant in queries whatever the number of rows."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from .factories import submit, to_state

pytestmark = pytest.mark.django_db


def _make(world, n):
    for i in range(n):
        case = submit(world, lat=23.65 + i * 0.001, lon=113.02 + i * 0.001, title=f"隐患{i}")
        if i % 3 == 0:
            to_state(world, case, "assigned")


@pytest.mark.parametrize("n", [1, 25])
def test_api_list_and_map_constant(world, django_assert_max_num_queries, n):
    _make(world, n)
    for role, area in (("city_admin", "city"), ("dept_staff", "qingcheng")):
        c = APIClient()
        c.force_authenticate(world.user(role, area))
        with django_assert_max_num_queries(6):
            r = c.get("/api/v1/hazards/?state=open&overdue=0&category=fire")
        assert r.status_code == 200 and r.json()["count"] == n
        with django_assert_max_num_queries(5):
            r = c.get("/api/v1/hazards/map/?bbox=112.9,23.5,113.3,23.9")
        assert len(r.json()["features"]) == n


def test_map_clusters_beyond_cap(world, monkeypatch):
    from pingan.hazards import selectors

    _make(world, 12)
    monkeypatch.setattr(selectors, "MAP_CAP", 5)
    monkeypatch.setattr("pingan.hazards.selectors.map_features.__defaults__", (5, None, None, None))
    c = APIClient()
    c.force_authenticate(world.user("city_admin", "city"))
    body = c.get("/api/v1/hazards/map/?bbox=112.9,23.5,113.3,23.9").json()
    assert body["clustered"] is True and body["count"] == 12
    assert sum(f["properties"]["count"] for f in body["features"]) == 12


@pytest.mark.parametrize("n", [1, 25])
def test_list_page_constant(world, django_assert_max_num_queries, n):
    _make(world, n)
    c = Client()
    c.force_login(world.user("dept_staff", "city"))
    with django_assert_max_num_queries(24):
        r = c.get("/console/hazards/?state=open")
    assert r.status_code == 200 and r.content.decode().count('data-testid="hazard-row"') == n


def test_list_rows_name_the_category_places_and_lead(world):
    """The names on a list row (read by scalar subqueries, not joins) are the case's own; a case with
    no lead department yet has none."""
    from pingan.hazards.models import HazardCase

    assigned = submit(world, title="已派")
    to_state(world, assigned, "assigned")
    fresh = submit(world, title="新报")
    c = APIClient()
    c.force_authenticate(world.user("city_admin", "city"))
    rows = {row["id"]: row for row in c.get("/api/v1/hazards/").json()["results"]}
    for case in (assigned, fresh):
        case = HazardCase.objects.select_related("category", "division", "district", "lead_department").get(
            pk=case.pk
        )
        row = rows[case.pk]
        assert row["category"] == {
            "id": case.category_id,
            "code": case.category.code,
            "name": case.category.name,
        }
        assert row["division"] == {"id": case.division_id, "name": case.division.name}
        assert row["district"] == {"id": case.district_id, "name": case.district.name}
        if case.lead_department_id:
            assert row["lead_department"] == {
                "id": case.lead_department_id,
                "name": case.lead_department.name,
            }
        else:
            assert row["lead_department"] is None
    assert rows[assigned.pk]["lead_department"] is not None
    assert rows[fresh.pk]["lead_department"] is None

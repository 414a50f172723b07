"""What keeps the list, the map and the statistics fast at a million cases: the division path on the
row, keyset pages, capped counts, clusters counted in SQL, medians and period tables in one query.
Each is checked for the same answers as the slow way (on SQLite and PostgreSQL alike)."""

import datetime as dt
import statistics

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from pingan.core.choices import hex_of
from pingan.core.pagination import KeysetPagination
from pingan.hazards import selectors
from pingan.hazards.models import HazardCase

from .factories import submit, to_state

pytestmark = pytest.mark.django_db


def _api(world, role="city_admin", area="city"):
    c = APIClient()
    c.force_authenticate(world.user(role, area))
    return c


# --- division_path ---------------------------------------------------------------------------
def test_division_path_follows_the_case_and_the_division(world):
    case = submit(world)
    assert case.division_path == case.division.path
    fresh = HazardCase.objects.get(pk=case.pk)
    other = world.towns["yingde"]
    fresh.division = other
    fresh.save(update_fields=["division", "updated_at"])
    assert HazardCase.objects.get(pk=case.pk).division_path == other.path
    # A division's code corrected: its cases follow (the signal), and scoping with them.
    other.code = other.code[:-1] + ("9" if other.code[-1] != "9" else "8")
    other.save()
    assert HazardCase.objects.get(pk=case.pk).division_path == other.path
    assert HazardCase.objects.visible_to(world.user("area_staff", "yingde")).filter(pk=case.pk).exists()
    assert (
        not HazardCase.objects.visible_to(world.user("area_staff", "qingcheng")).filter(pk=case.pk).exists()
    )


# --- keyset pages and counts -----------------------------------------------------------------
def test_keyset_pages_walk_every_row_once_with_ties(world):
    cases = [submit(world, title=f"隐患{i}") for i in range(7)]
    same = timezone.now() - dt.timedelta(hours=1)
    # Four cases share one creation time: the id decides their order, across page boundaries.
    HazardCase.objects.filter(pk__in=[c.pk for c in cases[1:5]]).update(created_at=same)
    expected = list(HazardCase.objects.order_by("-created_at", "-id").values_list("id", flat=True))
    c = _api(world)
    url, seen = "/api/v1/hazards/?page_size=2", []
    while url:
        body = c.get(url).json()
        seen += [r["id"] for r in body["results"]]
        assert body["count"] == 7 and body["count_capped"] is False
        url = body["next"]
    assert seen == expected
    # page= still answers (offset), with a previous link
    body = c.get("/api/v1/hazards/?page_size=2&page=3").json()
    assert [r["id"] for r in body["results"]] == expected[4:6] and body["previous"]


def test_bad_cursor_is_400_naming_it(world):
    r = _api(world).get("/api/v1/hazards/?after=yesterday")
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "after"


def test_count_capped(world, monkeypatch):
    monkeypatch.setattr(KeysetPagination, "COUNT_CAP", 3)
    for i in range(5):
        submit(world, title=f"隐患{i}")
    body = _api(world).get("/api/v1/hazards/?state=submitted").json()
    assert body["count_capped"] is True and len(body["results"]) == 5
    if connection.vendor == "postgresql":  # past the cap: the planner's estimate, at least the cap
        assert body["count_estimated"] is True and body["count"] >= 4
    else:
        assert body["count"] == 3
    body = _api(world).get("/api/v1/hazards/?state=submitted&q=隐患1").json()
    assert body["count"] == 1 and body["count_capped"] is False


def test_capped_count_is_the_orm_count_up_to_the_limit(world):
    from pingan.core.pagination import capped_count

    for i in range(4):
        submit(world, title=f"隐患{i}")
    qs = HazardCase.objects.filter(title__startswith="隐患")
    assert [capped_count(qs, n) for n in (1, 3, 4, 10)] == [1, 3, 4, 4]
    assert capped_count(qs.filter(title__contains="%"), 10) == qs.filter(title__contains="%").count() == 0
    assert capped_count(qs.filter(pk__in=[]), 10) == 0  # matches nothing by construction: no SQL at all
    body = _api(world).get("/api/v1/hazards/?category=999999").json()  # an unknown category: no ids
    assert body["count"] == 0 and body["results"] == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_class estimate: PostgreSQL only")
def test_unfiltered_count_is_the_planner_estimate_on_postgresql(world, monkeypatch):
    monkeypatch.setattr(KeysetPagination, "COUNT_CAP", 3)
    for i in range(6):
        submit(world, title=f"隐患{i}")
    with connection.cursor() as cur:
        cur.execute("ANALYZE hazards_hazardcase")
    body = _api(world).get("/api/v1/hazards/").json()
    assert body["count_capped"] is True and body.get("count_estimated") is True and body["count"] == 6


# --- the map's clusters ----------------------------------------------------------------------
def test_clusters_sum_to_the_cases_in_the_box(world, monkeypatch):
    monkeypatch.setattr(selectors, "MAP_CAP", 4)
    monkeypatch.setattr("pingan.hazards.selectors.map_features.__defaults__", (4, None, None, None))
    for i in range(10):
        case = submit(world, lat=23.61 + i * 0.017, lon=113.01 + i * 0.013, title=f"隐患{i}")
        if i % 2:
            to_state(world, case, "assigned")
        if i < 3:  # three overdue (past their deadline, still open)
            HazardCase.objects.filter(pk=case.pk).update(due_at=timezone.now() - dt.timedelta(days=1))
    done = submit(world, lat=23.7, lon=113.1, title="已办结")
    HazardCase.objects.filter(pk=done.pk).update(state="closed", due_at=timezone.now() - dt.timedelta(days=9))
    submit(world, lat=24.2, lon=113.35)  # outside the box
    c = _api(world)
    for zoom in ("", "&zoom=9", "&zoom=14"):
        body = c.get("/api/v1/hazards/map/?bbox=113.0,23.6,113.2,23.8" + zoom).json()
        assert body["clustered"] is True and body["count"] == 11
        feats = body["features"]
        assert sum(f["properties"]["count"] for f in feats) == 11
        assert sum(f["properties"]["open"] for f in feats) == 10  # submitted and assigned: open
        assert sum(f["properties"]["overdue"] for f in feats) == 3  # the closed one is not overdue
        assert any(f["properties"]["colour"] == hex_of("red") for f in feats)
        for f in feats:  # each cluster sits on its cases (their mean), inside the box
            lon, lat = f["geometry"]["coordinates"]
            assert 113.0 <= lon <= 113.2 and 23.6 <= lat <= 23.8
    assert selectors.cluster_cell(None, 9) == 360 / 512 / 4
    assert selectors.cluster_cell((113.0, 23.6, 113.2, 23.8)) == 2**-6  # 0.2° / 16 → 1/64
    assert c.get("/api/v1/hazards/map/?zoom=99").status_code == 400


# --- statistics ------------------------------------------------------------------------------
def test_stats_medians_and_period_tables_match_the_plain_computation(world):
    now = timezone.now()
    for i in range(6):
        case = submit(world, title=f"隐患{i}")
        if i < 4:
            to_state(world, case, "closed")
            HazardCase.objects.filter(pk=case.pk).update(
                created_at=now - dt.timedelta(days=10 + i), closed_at=now - dt.timedelta(days=i)
            )
    qs = HazardCase.objects.all()
    rows = selectors.stats_rows(qs, "district", now)
    closed = HazardCase.objects.filter(state="closed")
    expected = statistics.median((c.closed_at - c.created_at).total_seconds() / 86400 for c in closed)
    assert [r["median_days"] for r in rows] == [round(expected, 1)]
    year = timezone.localtime(now).year
    assert selectors.period_tables(qs, year) == [
        selectors.period_table(qs, year, q) for q in (1, 2, 3, 4)
    ] + [selectors.period_table(qs, year, None)]

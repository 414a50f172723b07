"""The urban–rural balance: pure allocation vectors, and the page over the test world."""

from __future__ import annotations

import pytest
from django.test import Client

from pingan.dashboard import rules
from pingan.dashboard.balance import area_km2


def town(code, pop, mountain=False, devices=0, days=0, covered=1.0):
    return rules.Township(code, code, pop, 100.0, mountain, devices, 0, days, covered, None)


def test_gap_and_targets_use_the_non_mountain_median():
    towns = [
        town("a", 10000, devices=4, days=10),
        town("b", 10000, devices=2, days=10),
        town("m", 10000, True),
    ]
    target = rules.targets(towns)
    assert target["devices_per_10k"] == 3.0 and target["inspections_per_10k"] == 10.0
    g = rules.gap(towns[2], target)
    assert g["devices"] == 1.0 and g["inspections"] == 1.0 and g["coverage"] == 0.0
    assert g["total"] == pytest.approx(2 / 3)


def test_allocation_goes_where_the_gap_is_largest_and_spends_the_budget():
    towns = [
        town("a", 20000, devices=20, days=40),
        town("b", 20000, devices=20, days=40),
        town("m1", 30000, True, covered=0.0),
        town("m2", 5000, True, covered=0.0),
    ]
    before = rules.weighted_gap(towns, rules.targets(towns))
    steps, after = rules.allocate(towns, 3)
    assert sum(s.units for s in steps) == 3
    assert steps[0].code == "m1"  # the most people short of the target
    assert rules.weighted_gap(after, rules.targets(towns)) < before
    assert all(s.score > 0 for s in steps)


def test_a_station_is_chosen_when_it_closes_more_gap_per_unit():
    towns = [
        town("a", 20000, devices=20, days=40),
        town("m1", 50000, True, 20, 100, 0.0),
        town("m2", 50000, True, 20, 100, 0.0),
    ]
    cover = {"m1": {"m1": 1.0, "m2": 1.0}, "a": {"a": 1.0}}
    steps, after = rules.allocate(towns, 5, cover)
    assert [(s.kind, s.code, s.covers) for s in steps] == [("station", "m1", ("m1", "m2"))]
    assert {t.code: t.covered_share for t in after} == {"a": 1.0, "m1": 1.0, "m2": 1.0}


def test_travel_time_and_area():
    assert rules.km(23.0, 113.0, 24.0, 113.0) == pytest.approx(111.19, abs=0.01)
    # 10 km: 3 + 14 km at 45 km/h = 21.7 min; in the mountains at 30 km/h = 31 min
    assert rules.travel_minutes(10, False) == pytest.approx(21.67, abs=0.01)
    assert rules.travel_minutes(10, True) == pytest.approx(31.0, abs=0.01)
    square = {
        "type": "Polygon",
        "coordinates": [[[113.0, 23.0], [113.1, 23.0], [113.1, 23.1], [113.0, 23.1], [113.0, 23.0]]],
    }
    assert area_km2(square) == pytest.approx(113.8, rel=0.01)


@pytest.mark.django_db
def test_balance_page_shows_townships_and_a_recommendation(world):
    c = Client()
    c.force_login(world.user("city_admin", "city"))
    r = c.get("/console/command/balance/?budget=4")
    assert r.status_code == 200
    assert [t.name for t in r.context["towns"]] == ["凤城街道", "英城街道"]
    assert sum(s["step"].units for s in r.context["steps"]) <= 4
    geo = c.get("/console/command/balance/map.geojson").json()
    assert {f["properties"]["code"] for f in geo["features"]} == {"441802006", "441881100"}
    # A district person sees their own townships only.
    c.force_login(world.user("area_staff", "yingde"))
    r = c.get("/console/command/balance/")
    assert [t.name for t in r.context["towns"]] == ["英城街道"]


@pytest.mark.django_db
def test_rescue_reach_is_by_road_when_a_network_is_active(world, settings, tmp_path):
    """With a road network (the dispatch's and the siting engine's), a township is covered when a team
    reaches its centre by road within 30 minutes, and a new station covers what it reaches by road;
    without one, the page says it uses the straight-line estimate."""
    from pingan.dashboard import balance
    from pingan.rescue import engine
    from pingan.rescue.models import Team
    from pingan.rescue.tests.helpers import activate_small_network

    settings.MEDIA_ROOT = tmp_path
    engine._cache.clear()
    c = Client()
    c.force_login(world.user("city_admin", "city"))
    assert c.get("/console/command/balance/").context["reach"] == "straight"

    # A grid of 0.05° cells, 2 minutes each: 凤城街道's centre is a few cells from the team, 英城街道's
    # is far beyond 30 minutes.
    activate_small_network(seconds=120.0)
    towns = {t.name: t for t in world.towns.values()}
    qc = towns["凤城街道"]
    Team.objects.create(
        code="T1",
        name="清城区消防救援大队",
        kind="fire",
        division=world.districts["qingcheng"],
        lat=qc.lat,
        lon=qc.lon,
        headcount=20,
    )
    r = c.get("/console/command/balance/?budget=8")
    assert r.context["reach"] == "road" and "reach-road" in r.content.decode()
    covered = {t.name: t.covered_share for t in r.context["towns"]}
    assert covered == {"凤城街道": 1.0, "英城街道": 0.0}
    towns_list, extra = balance.townships(world.user("city_admin", "city"))
    cover = balance.station_cover(towns_list, extra)
    by_code = {t.code: t.name for t in towns_list}
    assert {by_code[c] for c in cover[qc.code]} == {"凤城街道"}  # 英城街道 is hours away by road

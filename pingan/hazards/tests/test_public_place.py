"""The public report's place: a point on the map, or the township from the searchable list
(所在区划, works without JavaScript); where the case lands decides who handles it."""

import pytest
from django.test import Client

from pingan.hazards.actions.routing import route_case
from pingan.hazards.models import Category, HazardCase

pytestmark = pytest.mark.django_db


def _data(**extra):
    return {
        "category": Category.objects.get(code="fire_exit").pk,
        "title": "楼道堵塞",
        "client_token": extra.pop("client_token", "tok-place"),
        **extra,
    }


def test_form_offers_townships_by_their_path(world):
    page = Client().get("/report/").content.decode()
    assert 'name="division"' in page and "data-picker" in page
    assert "清城区 · 凤城街道" in page and "英德市 · 英城街道" in page
    assert 'data-testid="place-words"' in page  # the chosen place, written back in words


def test_a_point_in_qingcheng_lands_in_qingcheng_and_goes_to_its_brigade(world):
    r = Client().post("/report/", _data(lat="23.7012", lon="113.0523"))
    assert r.status_code == 302, r.content.decode()[:1500]
    case = HazardCase.objects.get()
    assert (
        case.division.is_within(world.districts["qingcheng"])
        and case.district == world.districts["qingcheng"]
    )
    lead, _co, why = route_case(case)
    assert lead == world.departments["qc_fire"] and why == "rule"


def test_township_alone_without_javascript_routes_by_it(world):
    """No map point at all (no JavaScript): the township from the list is where the case is."""
    r = Client().post("/report/", _data(division=world.towns["yingde"].pk, lat="", lon=""))
    assert r.status_code == 302, r.content.decode()[:1500]
    case = HazardCase.objects.get()
    assert case.division == world.towns["yingde"] and case.lat is None
    assert route_case(case)[0] == world.departments["yd_fire"]


def test_point_and_township_must_agree(world):
    r = Client().post(
        "/report/",
        _data(division=world.towns["qingcheng"].pk, lat="24.2", lon="113.35"),  # a point in 英德
    )
    assert r.status_code == 200 and not HazardCase.objects.exists()
    assert "不在所选的凤城街道" in r.content.decode()
    # The same point with its own township is accepted.
    r = Client().post("/report/", _data(division=world.towns["yingde"].pk, lat="24.2", lon="113.35"))
    assert r.status_code == 302 and HazardCase.objects.get().division.is_within(world.towns["yingde"])


@pytest.mark.parametrize("bad", ["district", "city", "missing", "text"])
def test_a_division_outside_the_list_is_refused(world, bad):
    value = {
        "district": world.districts["qingcheng"].pk,  # a county is not a township in the list
        "city": world.city.pk,
        "missing": 987654,
        "text": "凤城街道",
    }[bad]
    r = Client().post("/report/", _data(division=value))
    assert r.status_code == 200 and not HazardCase.objects.exists()
    assert "errorlist" in r.content.decode()


def test_no_place_at_all_asks_for_one(world):
    r = Client().post("/report/", _data())
    assert r.status_code == 200 and "所在区划" in r.content.decode()
    assert not HazardCase.objects.exists()


def test_a_sliver_of_a_neighbours_village_does_not_overrule_the_drawn_township(world):
    """Along a boundary a finer unit of the neighbour may overlap the township by a sliver: the
    township whose drawn boundary holds the point (what the reporter saw and chose) wins."""
    from pingan.core.testing import square
    from pingan.geo import lookup
    from pingan.geo.models import Division

    Division.objects.create(
        code="441881100201",
        name="越界村",
        level="village",
        parent=world.towns["yingde"],
        geometry=square(113.09, 23.6, 113.11, 23.8),
        lat=23.7,
        lon=113.1,
    )
    lookup.invalidate()
    r = Client().post("/report/", _data(division=world.towns["qingcheng"].pk, lat="23.7", lon="113.095"))
    assert r.status_code == 302, r.content.decode()[:1500]
    assert HazardCase.objects.get().division == world.towns["qingcheng"]

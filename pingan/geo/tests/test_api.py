import math

import pytest

from pingan.core.testing import MATRIX_PEOPLE, square
from pingan.geo.crs import from_storage, gcj02_to_wgs84, to_storage, wgs84_to_gcj02
from pingan.geo.models import Division

PEOPLE = [*MATRIX_PEOPLE, (None, "anonymous")]


def metres(lat1, lon1, lat2, lon2):
    r = 6_371_000
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def client_for(login_api, role, area):
    return login_api(role, area) if role else login_api(None)


# Divisions are reference data: every signed-in person reads the whole tree (including the other
# district's divisions: a boundary is not a secret); anonymous callers get only the map layer.
@pytest.mark.parametrize("role,area", PEOPLE)
@pytest.mark.django_db
def test_matrix_divisions(login_api, role, area):
    api = client_for(login_api, role, area)
    signed_in = role is not None
    r = api.get("/api/v1/divisions/")
    assert r.status_code == (200 if signed_in else 403)
    if signed_in:
        assert {d["code"] for d in r.json()["results"]} >= {"441800", "441802", "441881", "441802006"}
    for code in ("441802", "441881"):  # own district and the other district
        assert api.get(f"/api/v1/divisions/{code}/").status_code == (200 if signed_in else 403)
    assert api.get("/api/v1/divisions/999999/").status_code == (404 if signed_in else 403)
    r = api.get("/api/v1/divisions/locate/", {"lat": 23.7, "lon": 113.05})
    assert r.status_code == (200 if signed_in else 403)
    r = api.get("/api/v1/divisions/geojson/", {"level": "district"})
    assert r.status_code == 200
    assert {f["properties"]["code"] for f in r.json()["features"]} == {"441802", "441881"}


@pytest.mark.django_db
def test_locate_inside_town_and_chain(login_api):
    r = login_api("grid_worker").get("/api/v1/divisions/locate/", {"lat": 23.7, "lon": 113.05})
    assert r.status_code == 200
    body = r.json()
    assert body["code"] == "441802006" and body["level"] == "town"
    assert [c["code"] for c in body["chain"]] == ["441800", "441802", "441802006"]
    r = login_api("grid_worker").get(
        "/api/v1/divisions/locate/", {"lat": 23.7, "lon": 113.05, "level": "district"}
    )
    assert r.json()["code"] == "441802"


@pytest.mark.django_db
def test_locate_outside_city_names_location(login_api):
    r = login_api("area_staff").get("/api/v1/divisions/locate/", {"lat": 39.9, "lon": 116.4})
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "location"
    assert r.json()["errors"][0]["code"] == "outside_city"
    r = login_api("area_staff").get("/api/v1/divisions/locate/", {"lat": 123, "lon": 113})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "lat"


@pytest.mark.django_db
def test_locate_accepts_gcj02(login_api):
    # A point 30 m inside 凤城街道's east edge (lon 113.1): in GCJ-02 it reads ~500 m further east,
    # so reading it as WGS-84 would put it in the wrong town (outside 凤城).
    wlat, wlon = 23.7, 113.0997
    glat, glon = wgs84_to_gcj02(wlat, wlon)
    assert glon > 113.1
    api = login_api("area_staff")
    assert (
        api.get("/api/v1/divisions/locate/", {"lat": glat, "lon": glon, "crs": "gcj02"}).json()["code"]
        == "441802006"
    )
    assert api.get("/api/v1/divisions/locate/", {"lat": glat, "lon": glon}).json()["code"] == "441802"


@pytest.mark.django_db
def test_points_returned_in_gcj02(login_api, world):
    api = login_api("area_staff")
    wgs = api.get("/api/v1/divisions/441802006/").json()
    gcj = api.get("/api/v1/divisions/441802006/", {"crs": "gcj02"}).json()
    assert (wgs["lat"], wgs["lon"]) == (23.7, 113.05)
    assert (gcj["lat"], gcj["lon"]) == pytest.approx(wgs84_to_gcj02(23.7, 113.05))
    assert metres(wgs["lat"], wgs["lon"], gcj["lat"], gcj["lon"]) > 100  # the offset is real
    r = api.get("/api/v1/divisions/441802006/", {"crs": "bd09"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "crs"


def test_gcj02_round_trip_under_a_metre():
    worst = 0.0
    for i in range(40):
        for j in range(40):
            lat, lon = 23.3 + i * 0.05, 111.8 + j * 0.06  # all of Qingyuan and around
            glat, glon = wgs84_to_gcj02(lat, lon)
            back = gcj02_to_wgs84(glat, glon)
            worst = max(worst, metres(lat, lon, *back))
            assert to_storage(*from_storage(lat, lon, "gcj02"), "gcj02") == pytest.approx(back)
    assert worst < 1.0
    assert from_storage(23.7, 113.0, None) == (23.7, 113.0)


@pytest.mark.django_db
def test_filters(login_api, world):
    api = login_api("area_staff")
    codes = lambda r: [d["code"] for d in r.json()["results"]]  # noqa: E731
    assert codes(api.get("/api/v1/divisions/", {"level": "town"})) == ["441802006", "441881100"]
    assert codes(api.get("/api/v1/divisions/", {"parent_code": "441802"})) == ["441802006"]
    assert codes(api.get("/api/v1/divisions/", {"within": "441881"})) == ["441881100"]
    assert codes(api.get("/api/v1/divisions/", {"q": "英"})) == ["441881", "441881100"]
    r = api.get("/api/v1/divisions/geojson/", {"parent": "441802"})
    assert [f["properties"]["code"] for f in r.json()["features"]] == ["441802006"]
    r = api.get("/api/v1/divisions/geojson/", {"code": "441881"})
    assert r.json()["features"][0]["geometry"]["type"] == "Polygon"
    r = api.get("/api/v1/divisions/geojson/", {"level": "county"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "level"


@pytest.mark.django_db
def test_list_queries_are_constant(login_api, world, django_assert_max_num_queries):
    api = login_api("area_staff")
    with django_assert_max_num_queries(6):
        assert api.get("/api/v1/divisions/").status_code == 200
    town = world.towns["qingcheng"]
    Division.objects.bulk_create(
        [
            Division(
                code=f"441802006{n:03d}",
                path=f"441802006{n:03d}",
                name=f"村{n}",
                level="village",
                parent=town,
                geometry=square(113.0, 23.6, 113.01, 23.61),
                lat=23.605,
                lon=113.005,
            )
            for n in range(1, 61)
        ]
    )
    with django_assert_max_num_queries(6):
        r = api.get("/api/v1/divisions/", {"page_size": 100})
    assert r.status_code == 200 and len(r.json()["results"]) == 65
    with django_assert_max_num_queries(4):
        assert len(api.get("/api/v1/divisions/geojson/", {"parent": "441802006"}).json()["features"]) == 60

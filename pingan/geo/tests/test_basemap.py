"""The offline base map: county and township boundaries with names, for maps without tiles."""

import json

import pytest
import shapely

from pingan.core.testing import square
from pingan.geo import basemap, lookup
from pingan.geo.models import Division

from .test_api import PEOPLE, client_for


@pytest.fixture(autouse=True)
def _fresh():
    basemap.invalidate()
    lookup.invalidate()
    yield
    basemap.invalidate()


# Boundaries are reference data: everybody, signed in or not (the public report form), reads them,
# the other district's included.
@pytest.mark.parametrize("role,area", PEOPLE)
@pytest.mark.django_db
def test_matrix_basemap(login_api, role, area):
    r = client_for(login_api, role, area).get("/api/v1/divisions/basemap/")
    assert r.status_code == 200 and r["Content-Type"] == "application/geo+json"
    codes = {f["properties"]["code"] for f in json.loads(r.content)["features"]}
    assert codes == {"441802", "441881", "441802006", "441881100"}


@pytest.mark.django_db
def test_basemap_names_places_and_label_points(world, api):
    doc = json.loads(api.get("/api/v1/divisions/basemap/").content)
    by_code = {f["properties"]["code"]: f for f in doc["features"]}
    town = by_code["441802006"]["properties"]
    assert town["place"] == "清城区 · 凤城街道" and town["district"] == "清城区" and town["level"] == "town"
    assert by_code["441802"]["properties"]["place"] == "清城区"
    assert town["id"] == world.towns["qingcheng"].pk
    for f in doc["features"]:  # a name is written inside its own area
        lat, lon = f["properties"]["label_at"]
        assert shapely.geometry.shape(f["geometry"]).contains(shapely.Point(lon, lat))
    assert doc["approximate"] is False  # the test world's boundaries are not flagged synthetic
    town = world.towns["qingcheng"]
    town.is_synthetic = True
    town.save()  # saving bumps updated_at, the fingerprint the cache is keyed on
    assert json.loads(api.get("/api/v1/divisions/basemap/").content)["approximate"] is True


@pytest.mark.django_db
def test_full_detail_is_what_the_lookup_uses(world, api):
    """What the map draws at street zoom decides: the full document is the stored geometry."""
    doc = json.loads(api.get("/api/v1/divisions/basemap/", {"detail": "full"}).content)
    stored = {d.code: shapely.geometry.shape(d.geometry) for d in Division.objects.exclude(geometry=None)}
    for f in doc["features"]:
        drawn = shapely.geometry.shape(f["geometry"])
        assert drawn.equals_exact(stored[f["properties"]["code"]], tolerance=1e-6)


@pytest.mark.django_db
def test_coarse_detail_keeps_shared_edges(world, api):
    # A township with a wiggly shared edge: simplified once, alike for both neighbours.
    wiggle = [[113.1, 23.6 + i * 0.002] for i in range(101)]
    west = {
        "type": "Polygon",
        "coordinates": [
            [
                [113.0, 23.6],
                *[[x + (0.0001 if i % 2 else 0), y] for i, (x, y) in enumerate(wiggle)],
                [113.0, 23.8],
                [113.0, 23.6],
            ]
        ],
    }
    Division.objects.filter(code="441802006").update(geometry=west)
    east = Division.objects.create(
        code="441802007",
        name="东城街道",
        level="town",
        parent=world.districts["qingcheng"],
        geometry={
            "type": "Polygon",
            "coordinates": [
                [
                    [113.2, 23.6],
                    [113.2, 23.8],
                    *[[x + (0.0001 if i % 2 else 0), y] for i, (x, y) in reversed(list(enumerate(wiggle)))],
                    [113.2, 23.6],
                ]
            ],
        },
        lat=23.7,
        lon=113.15,
    )
    doc = json.loads(api.get("/api/v1/divisions/basemap/", {"detail": "coarse"}).content)
    shapes = {f["properties"]["code"]: shapely.geometry.shape(f["geometry"]) for f in doc["features"]}
    full = shapely.geometry.shape(Division.objects.get(code="441802006").geometry)
    assert shapely.get_num_coordinates(shapes["441802006"]) < shapely.get_num_coordinates(full)
    # No sliver and no overlap between the two simplified neighbours.
    assert shapes["441802006"].intersection(shapes[east.code]).area < 1e-9
    union = shapely.union_all([shapes["441802006"], shapes[east.code]])
    assert abs(union.area - 0.2 * 0.2) < 1e-6


@pytest.mark.django_db
def test_basemap_is_cached_constant_in_queries_and_answers_304(
    world, api, django_assert_num_queries, monkeypatch
):
    api.get("/api/v1/divisions/basemap/")  # warm: sessions, content types
    basemap.invalidate()
    built = []
    real = basemap._build
    monkeypatch.setattr(basemap, "_build", lambda *a: built.append(a) or real(*a))
    # A miss: the fingerprint and the rows. Then a hit: the fingerprint only, whatever the size.
    with django_assert_num_queries(2):
        first = api.get("/api/v1/divisions/basemap/")
    Division.objects.bulk_create(
        [
            Division(
                code=f"441881{n:03d}",
                path=f"441881{n:03d}",
                name=f"镇{n}",
                level="town",
                parent=world.districts["yingde"],
                geometry=square(113.3 + n * 0.001, 24.1, 113.301 + n * 0.001, 24.101),
                lat=24.1005,
                lon=113.3005 + n * 0.001,
            )
            for n in range(200, 260)
        ]
    )
    with django_assert_num_queries(2):
        second = api.get("/api/v1/divisions/basemap/")
    assert len(json.loads(second.content)["features"]) == len(json.loads(first.content)["features"]) + 60
    with django_assert_num_queries(1):
        third = api.get("/api/v1/divisions/basemap/")
    assert third.content == second.content and len(built) == 2
    assert third["ETag"] == second["ETag"] != first["ETag"]
    assert "max-age" in third["Cache-Control"]
    with django_assert_num_queries(1):
        again = api.get("/api/v1/divisions/basemap/", HTTP_IF_NONE_MATCH=third["ETag"])
    assert again.status_code == 304 and again.content == b""


@pytest.mark.django_db
def test_basemap_changes_with_a_boundary_and_refuses_a_bad_detail(world, api):
    before = api.get("/api/v1/divisions/basemap/")
    town = world.towns["qingcheng"]
    town.name = "凤城新街道"
    town.save()
    after = api.get("/api/v1/divisions/basemap/")
    assert after["ETag"] != before["ETag"] and "凤城新街道" in after.content.decode()
    r = api.get("/api/v1/divisions/basemap/", {"detail": "street"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "detail"

import pytest


@pytest.mark.django_db
def test_division_browser(client, world):
    client.force_login(world.user("area_staff"))
    body = client.get("/console/geo/").content.decode()
    assert "清远市" in body and 'data-testid="map"' in body
    r = client.get("/console/geo/d/441802/")
    body = r.content.decode()
    assert r.status_code == 200 and "凤城街道" in body and "/api/v1/divisions/geojson/?parent=441802" in body
    r = client.get("/console/geo/d/441802006/")
    assert r.status_code == 200 and "清城区" in r.content.decode()  # breadcrumbs
    body = client.get("/console/geo/level/town/").content.decode()
    assert "凤城街道" in body and "英城街道" in body
    assert client.get("/console/geo/level/county/").status_code == 404
    assert client.get("/console/geo/d/999999/").status_code == 404


@pytest.mark.django_db
def test_synthetic_and_informal_units_are_marked(client, world):
    from pingan.geo.models import Division

    Division.objects.filter(code="441802006").update(is_synthetic=True, is_formal=False)
    client.force_login(world.user("area_staff"))
    body = client.get("/console/geo/d/441802006/").content.decode()
    assert 'data-testid="synthetic"' in body and "非正式建制" in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,area",
    [
        ("public", "city"),
        ("enterprise", "qingcheng"),
        ("grid_worker", "qingcheng"),
        ("duty_officer", "qingcheng"),
    ],
)
def test_division_browser_is_for_area_managers(client, world, role, area):
    # A grid worker's map of their grid is on the home page; the city's tree is for people managing areas.
    client.force_login(world.user(role, area))
    assert client.get("/console/geo/").status_code == 403
    assert client.get("/console/geo/d/441802/").status_code == 403


@pytest.mark.django_db
def test_nav_items(client, world):
    client.force_login(world.user("area_staff"))
    body = client.get("/console/").content.decode()
    assert 'href="/console/geo/"' in body and 'href="/console/org/enterprises/"' in body

import pytest


@pytest.mark.django_db
def test_unauthenticated_error_body(api, world):
    response = api.get("/api/v1/enterprises/")
    assert response.status_code in (401, 403)
    assert response.json()["errors"][0]["field"] is None


@pytest.mark.django_db
def test_out_of_scope_is_404_like_missing(login_api, world):
    client = login_api("area_staff", "yingde")
    other = world.enterprises["qingcheng"].pk
    out_of_scope = client.get(f"/api/v1/enterprises/{other}/")
    missing = client.get("/api/v1/enterprises/999999/")
    assert out_of_scope.status_code == missing.status_code == 404
    assert out_of_scope.json() == missing.json()


@pytest.mark.django_db
def test_validation_errors_name_the_field(login_api, world):
    response = login_api("area_staff").get("/api/v1/divisions/locate/", {"lat": "abc", "lon": 500})
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"lat", "lon"}


@pytest.mark.django_db
def test_point_outside_city_is_a_clear_error(login_api, world):
    response = login_api("area_staff").get("/api/v1/divisions/locate/", {"lat": 39.9, "lon": 116.4})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "location"
    assert response.json()["errors"][0]["code"] == "outside_city"

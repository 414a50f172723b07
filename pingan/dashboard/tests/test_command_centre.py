import pytest
from django.test import Client


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.django_db
def test_command_centre_counts_only_what_the_viewer_may_see(world):
    response = client_for(world.user("area_staff", "yingde")).get("/console/command/")
    assert response.status_code == 200
    series = response.context["by_district"]
    assert series == {"441881": 1}


@pytest.mark.django_db
def test_city_admin_sees_every_district(world):
    response = client_for(world.user("city_admin", "city")).get("/console/command/")
    assert response.context["by_district"] == {"441802": 1, "441881": 1}


@pytest.mark.django_db
@pytest.mark.parametrize("role,area", [("public", "city"), ("enterprise", "qingcheng")])
def test_not_for_public_or_enterprise_users(world, role, area):
    assert client_for(world.user(role, area)).get("/console/command/").status_code == 403


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(world):
    response = Client().get("/console/command/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

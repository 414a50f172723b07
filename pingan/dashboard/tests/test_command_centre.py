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


@pytest.mark.django_db
def test_modules_contribute_figures_and_layers(world):
    response = client_for(world.user("area_staff", "qingcheng")).get("/console/command/")
    labels = {k["label"] for k in response.context["kpis"]}
    assert {"在办隐患", "报警中(未确认)", "处置中的突发事件", "救援队伍(待命/总数)"} <= labels
    urls = [layer["url"] for layer in response.context["layers"]]
    assert any("incidents/geojson" in u for u in urls) and any("teams.geojson" in u for u in urls)


@pytest.mark.django_db
def test_a_failing_module_does_not_blank_the_page(world, monkeypatch):
    from django.apps import apps

    config = apps.get_app_config("rescue")
    monkeypatch.setattr(
        config, "dashboard_kpis", "pingan.dashboard.tests.test_command_centre.broken", raising=False
    )
    response = client_for(world.user("city_admin", "city")).get("/console/command/")
    assert response.status_code == 200
    assert "处置中的突发事件" in {k["label"] for k in response.context["kpis"]}


def broken(user):
    raise RuntimeError("module down")


@pytest.mark.django_db
def test_command_centre_queries_are_bounded(world, django_assert_max_num_queries):
    client = client_for(world.user("city_admin", "city"))
    client.get("/console/command/")
    # The KPI table costs two queries per figure (this period, the previous one) and the trend one per
    # week shown: many, but a constant that does not grow with rows (test_kpis.py checks that).
    with django_assert_max_num_queries(60):
        client.get("/console/command/")

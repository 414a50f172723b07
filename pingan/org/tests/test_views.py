import pytest
from django.urls import reverse

from pingan.org.models import Enterprise
from pingan.org.rules import uscc_check_char


def login(client, world, role, area="qingcheng"):
    client.force_login(world.user(role, area))
    return client


@pytest.mark.django_db
def test_enterprise_list_is_scoped_and_filtered(client, world):
    body = login(client, world, "area_staff").get("/console/org/enterprises/").content.decode()
    assert "清城测试化工有限公司" in body and "英德测试建材有限公司" not in body
    body = (
        login(client, world, "city_admin", "city")
        .get("/console/org/enterprises/?division=441881")
        .content.decode()
    )
    assert "英德测试建材有限公司" in body and "清城测试化工有限公司" not in body
    body = client.get("/console/org/enterprises/?key=1").content.decode()
    assert "清城测试化工有限公司" in body and "英德测试建材有限公司" not in body
    body = client.get("/console/org/enterprises/?industry=building_materials").content.decode()
    assert "英德测试建材有限公司" in body and "清城测试化工有限公司" not in body


@pytest.mark.django_db
def test_enterprise_detail_other_district_is_404(client, world):
    ent = world.enterprises["qingcheng"]
    url = reverse("org:enterprise-detail", args=[ent.pk])
    r = login(client, world, "area_staff").get(url)
    assert r.status_code == 200 and "91350100M000100Y43" in r.content.decode()
    assert 'data-testid="map"' in r.content.decode()
    assert login(client, world, "area_staff", "yingde").get(url).status_code == 404
    assert login(client, world, "dept_staff", "yingde").get(url).status_code == 404
    geo = client.get(reverse("org:enterprise-geojson") + f"?id={ent.pk}&sites=1").json()
    assert geo["features"] == []  # the map layer is scoped too


@pytest.mark.django_db
def test_public_and_enterprise_users_do_not_get_the_console(client, world):
    for role, area in (("public", "city"), ("enterprise", "qingcheng")):
        login(client, world, role, area)
        assert client.get("/console/org/enterprises/").status_code == 403
        assert client.get("/console/org/departments/").status_code == 403
    client.logout()
    assert client.get("/console/org/enterprises/").status_code == 302


@pytest.mark.django_db
def test_enterprise_geojson(client, world):
    body = login(client, world, "city_admin", "city").get(reverse("org:enterprise-geojson")).json()
    assert {f["properties"]["label"] for f in body["features"]} == {
        "清城测试化工有限公司",
        "英德测试建材有限公司",
    }
    body = client.get(reverse("org:enterprise-geojson") + "?key=1").json()
    assert [f["properties"]["colour"] for f in body["features"]] == ["red"]


@pytest.mark.django_db
def test_department_directory(client, world):
    body = (
        login(client, world, "grid_worker").get("/console/org/departments/?division=441881").content.decode()
    )
    assert "英德市应急管理局" in body and "清城区应急管理局" not in body
    body = client.get("/console/org/departments/?sector=fire").content.decode()
    assert "清远市消防救援支队" in body and "应急管理局" not in body


def _many(world, n):
    town = world.towns["qingcheng"]
    out = []
    for i in range(n):
        body = f"91441802MB{i:07d}"
        out.append(
            Enterprise(
                name=f"批量{i:03d}有限公司",
                uscc=body + uscc_check_char(body),
                industry="light",
                division=town,
                lat=23.7,
                lon=113.05,
            )
        )
    ents = Enterprise.objects.bulk_create(out)
    from pingan.geo.models import Division

    Division.objects.bulk_create(
        [
            Division(
                code=f"441802006{i:03d}",
                path=f"441802006{i:03d}",
                name=f"村{i}",
                level="village",
                parent=town,
            )
            for i in range(1, n + 1)
        ]
    )
    through = Enterprise.supervising_departments.through
    through.objects.bulk_create(
        [through(enterprise_id=e.pk, department_id=world.departments["qc_em"].pk) for e in ents]
    )


@pytest.mark.django_db
def test_list_pages_constant_queries(client, world, django_assert_max_num_queries):
    login(client, world, "dept_staff")
    from pingan.geo.models import Division

    Division.objects.create(
        code="441802006999", name="村999", level="village", parent=world.towns["qingcheng"]
    )
    pages = ["/console/org/enterprises/", "/console/org/departments/", "/console/geo/level/village/"]
    counts = {}
    for url in pages:
        with django_assert_max_num_queries(20) as ctx:
            assert client.get(url).status_code == 200
        counts[url] = len(ctx.captured_queries)
    _many(world, 60)
    for url in pages:
        with django_assert_max_num_queries(counts[url]) as ctx:
            assert client.get(url).status_code == 200
    body = client.get("/console/org/enterprises/").content.decode()
    assert "批量000有限公司" in body and "批量049有限公司" in body


@pytest.mark.django_db
def test_english(client, world):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    login(client, world, "area_staff")
    body = client.get("/console/org/enterprises/").content.decode()
    assert "Enterprises" in body and "Key supervision" in body and "Hazardous chemicals" in body
    body = client.get("/console/geo/d/441802/").content.decode()
    assert "Units below" in body and "Facts" in body
    login(client, world, "dept_staff")
    body = client.get("/console/org/enterprises/import/").content.decode()
    assert "Import enterprises" in body and "Unified social credit code" in body


@pytest.mark.django_db
def test_console_register_and_change(client, world):
    from pingan.core.models import AuditEvent

    login(client, world, "dept_staff")
    assert client.get("/console/org/enterprises/new/").status_code == 200
    body = "91441802MC0000001"
    data = {
        "name": "凤城新登记有限公司",
        "uscc": body + uscc_check_char(body),
        "industry": "gas",
        "scale": "small",
        "division": "441802",
        "lat": "23.7",
        "lon": "113.05",
        "supervising_departments": "441802-em",
    }
    bad = client.post("/console/org/enterprises/new/", {**data, "lat": "24.2", "lon": "113.35"})
    assert bad.status_code == 400 and "英城街道" in bad.content.decode()
    r = client.post("/console/org/enterprises/new/", data)
    assert r.status_code == 302
    ent = Enterprise.objects.get(name="凤城新登记有限公司")
    assert (
        ent.division.code == "441802006"
        and AuditEvent.objects.for_object(ent).filter(action="org.enterprise.create").exists()
    )
    edit = f"/console/org/enterprises/{ent.pk}/edit/"
    assert client.get(edit).status_code == 200
    r = client.post(edit, {**data, "name": "凤城改名有限公司", "lat": "", "lon": ""})
    assert r.status_code == 302
    ent.refresh_from_db()
    assert ent.name == "凤城改名有限公司" and ent.lat is None
    assert "凤城改名有限公司" in client.get(f"/console/org/enterprises/{ent.pk}/").content.decode()
    # Others: out of scope is 404, in scope without write access is 403.
    assert login(client, world, "dept_staff", "yingde").get(edit).status_code == 404
    assert login(client, world, "area_staff").get(edit).status_code == 403
    assert client.get("/console/org/enterprises/new/").status_code == 403

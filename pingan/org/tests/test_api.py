import pytest

from pingan.core.models import AuditEvent
from pingan.core.testing import MATRIX_PEOPLE
from pingan.geo.crs import wgs84_to_gcj02
from pingan.org.models import Enterprise, User
from pingan.org.rules import uscc_check_char

PEOPLE = [*MATRIX_PEOPLE, (None, "anonymous")]
ANON = 403  # session + token authentication: an anonymous caller is refused before any lookup

QC_STAFF = {
    "city_admin",
    "dept_staff",
    "area_staff",
    "grid_worker",
    "inspector",
    "duty_officer",
    "duty_leader",
    "rescue_lead",
    "integration",
}


def uscc(serial: int) -> str:
    body = f"91441802MA{serial:07d}"
    return body + uscc_check_char(body)


def sees_qingcheng_enterprise(role, area):
    """Who may read 清城测试化工 (division 凤城街道 441802006)."""
    if role in ("city_admin", "integration"):
        return True
    if role == "enterprise":
        return area == "qingcheng"
    return role in QC_STAFF and area == "qingcheng"


@pytest.mark.parametrize("role,area", PEOPLE)
@pytest.mark.django_db
def test_matrix_departments(login_api, world, role, area):
    api = login_api(role, area)
    dept = world.departments["qc_em"]
    r = api.get("/api/v1/departments/")
    if role is None:
        assert r.status_code == ANON
        assert api.get(f"/api/v1/departments/{dept.pk}/").status_code == ANON
        return
    assert r.status_code == 200
    # The directory of government bodies is open to every signed-in person but the public.
    expected = 0 if role == "public" else len(world.departments)
    assert r.json()["count"] == expected
    assert api.get(f"/api/v1/departments/{dept.pk}/").status_code == (404 if role == "public" else 200)


@pytest.mark.parametrize("role,area", PEOPLE)
@pytest.mark.django_db
def test_matrix_people(login_api, world, role, area):
    api = login_api(role, area)
    target = world.user("grid_worker", "qingcheng")  # division: 凤城街道
    r = api.get("/api/v1/people/")
    if role is None:
        assert r.status_code == ANON
        assert api.get(f"/api/v1/people/{target.pk}/").status_code == ANON
        return
    assert r.status_code == 200
    names = {p["username"] for p in r.json()["results"]}
    me = world.user(role, area)
    assert me.username in names
    if role == "public":
        assert names == {me.username}
    if role == "enterprise":
        assert names == {u.username for u in User.objects.filter(enterprise=me.enterprise)}
    if area == "yingde":
        assert not any(n.startswith("qingcheng") for n in names)
    visible = role in ("city_admin", "integration") or (area == "qingcheng" and role in QC_STAFF)
    assert api.get(f"/api/v1/people/{target.pk}/").status_code == (200 if visible else 404)


@pytest.mark.parametrize("role,area", PEOPLE)
@pytest.mark.django_db
def test_matrix_enterprise_read(login_api, world, role, area):
    api = login_api(role, area)
    ent = world.enterprises["qingcheng"]
    r = api.get("/api/v1/enterprises/")
    detail = api.get(f"/api/v1/enterprises/{ent.pk}/")
    if role is None:
        assert r.status_code == ANON and detail.status_code == ANON
        return
    assert r.status_code == 200
    names = {e["name"] for e in r.json()["results"]}
    seen = sees_qingcheng_enterprise(role, area)
    assert ("清城测试化工有限公司" in names) == seen
    assert detail.status_code == (200 if seen else 404)
    if role == "public":
        assert names == set()


def new_enterprise(n=1, **over):
    data = {
        "name": f"清城新登记{n}有限公司",
        "uscc": uscc(n),
        "industry": "hazchem",
        "division_code": "441802",
        "lat": 23.7,
        "lon": 113.05,
        "supervising_department_codes": ["441802-em"],
        "key_supervision": True,
    }
    data.update(over)
    return data


@pytest.mark.parametrize("role,area", PEOPLE)
@pytest.mark.django_db
def test_matrix_enterprise_create(login_api, world, role, area):
    r = login_api(role, area).post("/api/v1/enterprises/", new_enterprise(), format="json")
    if role is None:
        assert r.status_code == ANON
    elif role == "city_admin" or (role == "dept_staff" and area == "qingcheng"):
        assert r.status_code == 201, r.json()
        assert r.json()["division_code"] == "441802006"
        assert r.json()["supervising_department_codes"] == ["441802-em"]
    elif role == "dept_staff":  # 英德 staff: the division is outside their area
        assert r.status_code == 400 and r.json()["errors"][0]["field"] == "division"
    else:
        assert r.status_code == 403
    assert Enterprise.objects.filter(uscc=uscc(1)).exists() == (r.status_code == 201)


@pytest.mark.parametrize("role,area", PEOPLE)
@pytest.mark.django_db
def test_matrix_enterprise_update(login_api, world, role, area):
    ent = world.enterprises["qingcheng"]
    r = login_api(role, area).patch(f"/api/v1/enterprises/{ent.pk}/", {"employees": 99}, format="json")
    if role is None:
        assert r.status_code == ANON
    elif role == "city_admin" or (role == "dept_staff" and area == "qingcheng"):
        assert r.status_code == 200 and r.json()["employees"] == 99
    elif not sees_qingcheng_enterprise(role, area):
        assert r.status_code == 404  # out of scope: the same answer as missing
    else:
        assert r.status_code == 403
    ent.refresh_from_db()
    assert (ent.employees == 99) == (r.status_code == 200)


@pytest.mark.django_db
def test_create_and_update_are_audited(login_api, world):
    api = login_api("dept_staff")
    r = api.post("/api/v1/enterprises/", new_enterprise(2), format="json")
    assert r.status_code == 201
    ent = Enterprise.objects.get(pk=r.json()["id"])
    event = AuditEvent.objects.for_object(ent).get(action="org.enterprise.create")
    assert event.actor == world.user("dept_staff") and event.after["uscc"] == uscc(2)
    assert event.division_path == "441802006"
    r = api.patch(
        f"/api/v1/enterprises/{ent.pk}/", {"name": "改名有限公司", "key_supervision": False}, format="json"
    )
    assert r.status_code == 200
    event = AuditEvent.objects.for_object(ent).get(action="org.enterprise.update")
    assert event.before == {"name": "清城新登记2有限公司", "key_supervision": True}
    assert event.after == {"name": "改名有限公司", "key_supervision": False}


@pytest.mark.parametrize(
    "over,field,code",
    [
        ({"uscc": "91350100M000100Y44"}, "uscc", "uscc_check"),
        ({"uscc": "91350100M000100Y43"}, "uscc", "uscc_duplicate"),
        ({"uscc": "9135"}, "uscc", "uscc_length"),
        ({"industry": "farming"}, "industry", "invalid_choice"),
        ({"division_code": "441899"}, "division", "unknown_division"),
        ({"lat": 24.2, "lon": 113.35}, "location", "outside_division"),
        ({"lat": 39.9, "lon": 116.4}, "location", "outside_city"),
        ({"supervising_department_codes": ["nope"]}, "supervising_departments", "unknown_department"),
    ],
)
@pytest.mark.django_db
def test_create_errors_name_the_field(login_api, world, over, field, code):
    r = login_api("city_admin", "city").post("/api/v1/enterprises/", new_enterprise(3, **over), format="json")
    assert r.status_code == 400
    error = r.json()["errors"][0]
    assert (error["field"], error["code"]) == (field, code), error


@pytest.mark.django_db
def test_gcj02_in_and_out(login_api, world):
    api = login_api("city_admin", "city")
    glat, glon = wgs84_to_gcj02(24.2, 113.35)
    data = new_enterprise(4, division_code="441881", lat=glat, lon=glon, supervising_department_codes=[])
    r = api.post("/api/v1/enterprises/?crs=gcj02", data, format="json")
    assert r.status_code == 201, r.json()
    ent = Enterprise.objects.get(pk=r.json()["id"])
    assert ent.lat == pytest.approx(24.2, abs=1e-6) and ent.lon == pytest.approx(113.35, abs=1e-6)
    assert (r.json()["lat"], r.json()["lon"]) == pytest.approx((glat, glon), abs=1e-6)
    wgs = api.get(f"/api/v1/enterprises/{ent.pk}/").json()
    assert (wgs["lat"], wgs["lon"]) == pytest.approx((24.2, 113.35), abs=1e-6)


@pytest.mark.django_db
def test_filters(login_api, world):
    api = login_api("city_admin", "city")
    names = lambda r: {e["name"] for e in r.json()["results"]}  # noqa: E731
    assert names(api.get("/api/v1/enterprises/", {"industry": "hazchem"})) == {"清城测试化工有限公司"}
    assert names(api.get("/api/v1/enterprises/", {"division_code": "441881"})) == {"英德测试建材有限公司"}
    assert names(api.get("/api/v1/enterprises/", {"key_supervision": "true"})) == {"清城测试化工有限公司"}
    assert names(api.get("/api/v1/enterprises/", {"q": "英德"})) == {"英德测试建材有限公司"}
    depts = api.get("/api/v1/departments/", {"division_code": "441881", "sector": "emergency"}).json()[
        "results"
    ]
    assert [d["code"] for d in depts] == ["441881-em"]
    people = api.get("/api/v1/people/", {"role": "grid_worker", "division_code": "441881"}).json()["results"]
    assert [p["username"] for p in people] == ["yingde_grid"]


def _many_enterprises(world, n):
    town = world.towns["qingcheng"]
    ents = Enterprise.objects.bulk_create(
        [
            Enterprise(
                name=f"批量{i}有限公司",
                uscc=uscc(1000 + i),
                industry="light",
                division=town,
                lat=23.7,
                lon=113.05,
            )
            for i in range(n)
        ]
    )
    through = Enterprise.supervising_departments.through
    through.objects.bulk_create(
        [through(enterprise_id=e.pk, department_id=world.departments["qc_em"].pk) for e in ents]
    )


@pytest.mark.django_db
def test_list_queries_are_constant(login_api, world, django_assert_max_num_queries):
    api = login_api("dept_staff")
    urls = ["/api/v1/enterprises/", "/api/v1/departments/", "/api/v1/people/"]
    for url in urls:
        with django_assert_max_num_queries(8):
            assert api.get(url).status_code == 200
    _many_enterprises(world, 60)
    for url in urls:
        with django_assert_max_num_queries(8):
            assert api.get(url, {"page_size": 100}).status_code == 200

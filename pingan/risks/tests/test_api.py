"""The permission matrix: every risk endpoint for every role of MATRIX_PEOPLE (a person of the other
district gets 404 on this district's rows, a refused person 403, anonymous 401/403)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from pingan.core.testing import MATRIX_PEOPLE
from pingan.risks import actions

from .factories import chain, city_point, mhs

pytestmark = pytest.mark.django_db

ROLES = MATRIX_PEOPLE + [(None, None)]
IDS = [f"{r}-{a}" for r, a in ROLES]

STAFF = {
    ("city_admin", "city"),
    ("dept_staff", "qingcheng"),
    ("area_staff", "qingcheng"),
    ("grid_worker", "qingcheng"),
    ("inspector", "qingcheng"),
    ("duty_officer", "qingcheng"),
    ("duty_leader", "qingcheng"),
    ("rescue_lead", "qingcheng"),
    ("integration", "city"),
    ("area_staff", "yingde"),
    ("dept_staff", "yingde"),
}
ENT = ("enterprise", "qingcheng")
READERS = STAFF | {ENT}
OTHER_DISTRICT = {("area_staff", "yingde"), ("dept_staff", "yingde")}
# Who sees a 清城区 city point / task: 清城区 staff and the city-wide people.
SEES_QC_POINT = STAFF - OTHER_DISTRICT
# Who sees the 清城 enterprise's rows (major hazard source, commitment).
SEES_QC_ENT = SEES_QC_POINT | {ENT}
KEEP_QC_POINT = {("city_admin", "city"), ("dept_staff", "qingcheng"), ("area_staff", "qingcheng")}
CHECK_QC_POINT = KEEP_QC_POINT | {("grid_worker", "qingcheng"), ("inspector", "qingcheng")}
OWN_ENT = {("city_admin", "city"), ENT}


def client_for(world, role, area):
    c = APIClient()
    if role is not None:
        c.force_authenticate(world.user(role, area))
    return c


def read_status(key, readers):
    if key == (None, None):
        return {401, 403}
    return {200} if key in readers else {403}


def object_status(key, sees, allowed, ok=200):
    if key == (None, None):
        return {401, 403}
    if key not in sees:
        return {404}
    return {ok} if key in allowed else {403}


def create_status(key, allowed, ok=201):
    if key == (None, None):
        return {401, 403}
    return {ok} if key in allowed else {403}


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_matrix(world, role, area):
    key = (role, area)
    point = city_point(world, lat=23.7, lon=113.05)
    task = chain(world, point)
    measure = task.measure
    src = mhs(world)
    commitment = actions.do_submit_commitment(
        world.user("enterprise", "qingcheng"), world.enterprises["qingcheng"], text="承诺", signed_by="张三"
    )
    c = client_for(world, role, area)
    got = {}

    def check(name, response, expected):
        got[name] = response.status_code
        assert response.status_code in expected, (
            name,
            response.status_code,
            expected,
            getattr(response, "data", None),
        )

    check("list", c.get("/api/v1/risk-objects/"), read_status(key, READERS))
    check(
        "detail", c.get(f"/api/v1/risk-objects/{point.pk}/"), object_status(key, SEES_QC_POINT, SEES_QC_POINT)
    )
    check(
        "create",
        c.post(
            "/api/v1/risk-objects/",
            {"kind": "city_point", "name": "新风险点", "division": world.towns["qingcheng"].pk},
        ),
        create_status(key, KEEP_QC_POINT),
    )
    check(
        "assess",
        c.post(
            f"/api/v1/risk-objects/{point.pk}/assess/",
            {"method": "lec", "likelihood": 6, "exposure": 6, "consequence": 3},
        ),
        object_status(key, SEES_QC_POINT, KEEP_QC_POINT, 201),
    )
    check(
        "events",
        c.post(f"/api/v1/risk-objects/{point.pk}/events/", {"name": "坍塌"}),
        object_status(key, SEES_QC_POINT, KEEP_QC_POINT, 201),
    )
    check(
        "measures",
        c.post(
            f"/api/v1/risk-objects/{point.pk}/measures/",
            {"event": measure.event_id, "kind": "engineering", "description": "护栏"},
        ),
        object_status(key, SEES_QC_POINT, KEEP_QC_POINT, 201),
    )
    check(
        "tasks",
        c.post(
            f"/api/v1/risk-objects/{point.pk}/tasks/",
            {"measure": measure.pk, "name": "月检", "cycle": "monthly"},
        ),
        object_status(key, SEES_QC_POINT, KEEP_QC_POINT, 201),
    )
    check("map", c.get("/api/v1/risk-objects/map/"), read_status(key, READERS))
    check("counts", c.get("/api/v1/risk-objects/counts/?by=town"), read_status(key, STAFF))
    check("areas", c.get("/api/v1/risk-objects/areas/?by=town"), read_status(key, STAFF))
    check("task-list", c.get("/api/v1/risk-tasks/"), read_status(key, READERS))
    check("completion", c.get("/api/v1/risk-tasks/completion/?by=town"), read_status(key, READERS))
    check(
        "task-detail",
        c.get(f"/api/v1/risk-tasks/{task.pk}/"),
        object_status(key, SEES_QC_POINT, SEES_QC_POINT),
    )
    check(
        "record",
        c.post(f"/api/v1/risk-tasks/{task.pk}/records/", {"result": "ok"}),
        object_status(key, SEES_QC_POINT, CHECK_QC_POINT, 201),
    )
    check("mhs-list", c.get("/api/v1/major-hazard-sources/"), read_status(key, READERS))
    check(
        "mhs-detail",
        c.get(f"/api/v1/major-hazard-sources/{src.pk}/"),
        object_status(key, SEES_QC_ENT, SEES_QC_ENT),
    )
    body = {
        "name": "氨罐",
        "unit_kind": "storage",
        "population": "10",
        "enterprise": world.enterprises["qingcheng"].pk,
        "chemicals": [{"chemical": "氨", "quantity": "20"}],
    }
    check(
        "mhs-create",
        c.post("/api/v1/major-hazard-sources/", body, format="json"),
        create_status(key, OWN_ENT),
    )
    check(
        "mhs-file",
        c.post(f"/api/v1/major-hazard-sources/{src.pk}/file/", {}),
        object_status(key, SEES_QC_ENT, OWN_ENT),
    )
    check(
        "calculator",
        c.post(
            "/api/v1/major-hazard-calculator/",
            {"population": "0", "chemicals": [{"chemical": "氯", "quantity": "30"}]},
            format="json",
        ),
        read_status(key, READERS),
    )
    check("commitment-list", c.get("/api/v1/safety-commitments/"), read_status(key, READERS))
    check(
        "commitment-detail",
        c.get(f"/api/v1/safety-commitments/{commitment.pk}/"),
        object_status(key, SEES_QC_ENT, SEES_QC_ENT),
    )
    check("commitment-rate", c.get("/api/v1/safety-commitments/rate/"), read_status(key, STAFF))
    # The enterprise already committed today: a second submission is a 409, everybody else is refused.
    check(
        "commitment-create",
        c.post("/api/v1/safety-commitments/", {"text": "承诺", "signed_by": "李四"}, format="json"),
        {409} if key == ENT else ({401, 403} if role is None else {403}),
    )


def test_lists_stay_in_scope(world, login_api):
    point = city_point(world)
    city_point(world, "yingde", name="英德边坡")
    src = mhs(world)
    yd = login_api("area_staff", "yingde")
    assert [r["name"] for r in yd.get("/api/v1/risk-objects/").json()["results"]] == ["英德边坡"]
    assert yd.get("/api/v1/major-hazard-sources/").json()["results"] == []
    ent = login_api("enterprise")
    assert point.pk not in [r["id"] for r in ent.get("/api/v1/risk-objects/").json()["results"]]
    assert [r["id"] for r in ent.get("/api/v1/major-hazard-sources/").json()["results"]] == [src.pk]
    counts = login_api("city_admin", "city").get("/api/v1/risk-objects/counts/?by=district").json()["results"]
    assert {r["code"] for r in counts} == {"441802", "441881"}
    actions.do_assess(world.user("area_staff"), point, method="ls", inputs={"likelihood": 5, "severity": 5})
    areas = login_api("area_staff").get("/api/v1/risk-objects/areas/?by=town").json()
    assert [(f["properties"]["code"], f["properties"]["colour"]) for f in areas["features"]] == [
        ("441802006", "red")
    ]
    assert areas["features"][0]["geometry"]["type"] == "Polygon"


@pytest.mark.parametrize(
    "chemicals,population,s,r,grade",
    [
        ([{"chemical": "氨", "quantity": "8"}], 120, "0.8", None, None),
        ([{"chemical": "氨", "quantity": "8"}, {"chemical": "氯", "quantity": "1.5"}], 120, "1.1", "5.6", 4),
        ([{"chemical": "液化石油气", "quantity": "60"}], 40, "1.2", "2.16", 4),
        ([{"chemical": "氯", "quantity": "6.25"}], 100, "1.25", "10", 3),
        ([{"chemical": "氯", "quantity": "6.25"}], 99, "1.25", "7.5", 4),
        ([{"chemical": "氯", "quantity": "30"}], 0, "6", "12", 3),
        ([{"chemical": "氯", "quantity": "70"}], 100, "14", "112", 1),
    ],
)
def test_domain_vectors_through_the_calculator_api(world, login_api, chemicals, population, s, r, grade):
    body = (
        login_api("inspector")
        .post(
            "/api/v1/major-hazard-calculator/",
            {"population": str(population), "chemicals": chemicals},
            format="json",
        )
        .json()
    )
    assert (body["s"], body["r"], body["grade"]) == (s, r, grade)
    assert body["version"] == "GB 18218-2018" and len(body["steps"]) == len(chemicals)


@pytest.mark.parametrize(
    "lk,e,c,score,level",
    [
        (6, 6, 3, "108.00", "general"),
        (3, 10, 15, "450.00", "major"),
        (6, 6, 7, "252.00", "large"),
        (10, 1, 7, "70.00", "low"),
    ],
)
def test_lec_vectors_through_the_api(world, login_api, lk, e, c, score, level):
    point = city_point(world)
    api = login_api("area_staff")
    r = api.post(
        f"/api/v1/risk-objects/{point.pk}/assess/",
        {"method": "lec", "likelihood": lk, "exposure": e, "consequence": c},
    )
    assert r.status_code == 201 and (r.json()["score"], r.json()["level"]) == (score, level)
    assert api.get(f"/api/v1/risk-objects/{point.pk}/").json()["level"] == level


@pytest.mark.parametrize(
    "lk,s,level", [(4, 4, "large"), (5, 4, "major"), (3, 3, "large"), (2, 4, "general"), (3, 1, "low")]
)
def test_ls_vectors_through_the_api(world, login_api, lk, s, level):
    point = city_point(world)
    r = login_api("area_staff").post(
        f"/api/v1/risk-objects/{point.pk}/assess/", {"method": "ls", "likelihood": lk, "severity": s}
    )
    assert r.status_code == 201 and r.json()["level"] == level


def _field(r):
    assert r.status_code == 400, r.content
    return r.json()["errors"][0]["field"]


def test_bad_inputs_name_the_field(world, login_api):
    point = city_point(world)
    task = chain(world, point)
    staff = login_api("area_staff")
    assert (
        _field(
            staff.post(
                f"/api/v1/risk-objects/{point.pk}/assess/",
                {"method": "lec", "likelihood": 5, "exposure": 6, "consequence": 3},
            )
        )
        == "likelihood"
    )
    assert (
        _field(
            staff.post(
                f"/api/v1/risk-objects/{point.pk}/assess/",
                {"method": "lec", "likelihood": 6, "exposure": 6, "consequence": 8},
            )
        )
        == "consequence"
    )
    assert (
        _field(
            staff.post(
                f"/api/v1/risk-objects/{point.pk}/tasks/",
                {"measure": task.measure_id, "name": "x", "cycle": "daily", "every": "0"},
            )
        )
        == "every"
    )
    assert (
        _field(
            staff.post(
                f"/api/v1/risk-objects/{point.pk}/tasks/",
                {"measure": task.measure_id, "name": "x", "cycle": "never"},
            )
        )
        == "cycle"
    )
    assert _field(staff.post("/api/v1/risk-objects/", {"kind": "city_point", "name": ""})) == "name"
    assert (
        _field(staff.post(f"/api/v1/risk-tasks/{task.pk}/records/", {"result": "finding", "note": ""}))
        == "note"
    )
    calc = login_api("enterprise")
    url = "/api/v1/major-hazard-calculator/"
    assert (
        _field(
            calc.post(
                url,
                {"population": "5", "chemicals": [{"chemical": "某物质", "quantity": "1"}]},
                format="json",
            )
        )
        == "chemicals[0].chemical"
    )
    assert (
        _field(
            calc.post(
                url, {"population": "5", "chemicals": [{"chemical": "氯", "quantity": "-1"}]}, format="json"
            )
        )
        == "chemicals[0].quantity"
    )
    assert (
        _field(
            calc.post(
                url, {"population": "-3", "chemicals": [{"chemical": "氯", "quantity": "1"}]}, format="json"
            )
        )
        == "population"
    )
    assert (
        _field(
            calc.post(
                "/api/v1/major-hazard-sources/",
                {
                    "name": "x",
                    "unit_kind": "storage",
                    "population": "1",
                    "chemicals": [{"chemical": "氨", "quantity": "1"}, {"chemical": "无名", "quantity": "1"}],
                },
                format="json",
            )
        )
        == "chemicals[1].chemical"
    )
    assert (
        _field(
            calc.post(
                "/api/v1/safety-commitments/",
                {"text": "承诺", "signed_by": "", "special_work": {"hot_work": "2"}},
                format="json",
            )
        )
        == "signed_by"
    )
    assert (
        _field(
            calc.post(
                "/api/v1/safety-commitments/",
                {"text": "承诺", "signed_by": "张", "special_work": {"magic": "2"}},
                format="json",
            )
        )
        == "special_work.magic"
    )
    assert _field(login_api("city_admin", "city").get("/api/v1/risk-objects/counts/?by=grid")) == "by"


def test_list_queries_are_constant(world, login_api, django_assert_max_num_queries):
    api = login_api("dept_staff")
    ent = login_api("enterprise")
    point = city_point(world)
    chain(world, point)
    mhs(world)
    actions.do_submit_commitment(
        world.user("enterprise"), world.enterprises["qingcheng"], text="承诺", signed_by="张"
    )
    urls = [
        "/api/v1/risk-objects/",
        "/api/v1/risk-tasks/",
        "/api/v1/major-hazard-sources/",
        "/api/v1/safety-commitments/",
        "/api/v1/risk-objects/map/",
        "/api/v1/risk-objects/counts/",
    ]
    counts_one = {}
    for url in urls:
        with django_assert_max_num_queries(8) as ctx:
            assert api.get(url).status_code == 200
        counts_one[url] = len(ctx.captured_queries)
    for i in range(6):
        p = city_point(world, name=f"点{i}")
        chain(world, p)
        actions.do_declare_mhs(
            world.user("enterprise"),
            world.enterprises["qingcheng"],
            name=f"罐{i}",
            unit_kind="storage",
            population=5,
            chemicals=[{"chemical": "氨", "quantity": i + 1}, {"chemical": "氯", "quantity": 1}],
        )
    for url in urls:
        with django_assert_max_num_queries(counts_one[url]):
            assert api.get(url).status_code == 200
    with django_assert_max_num_queries(8):
        assert ent.get("/api/v1/major-hazard-sources/").status_code == 200


def test_completion_rates_by_area_enterprise_and_object(world, login_api):
    import datetime as dt

    from django.utils import timezone

    point = city_point(world)
    task = chain(world, point)
    actions.do_record_check(world.user("grid_worker"), task, result="ok")
    actions.do_record_check(
        world.user("grid_worker"), task, result="ok", at=timezone.now() + dt.timedelta(days=3)
    )  # after its due time: late
    api = login_api("dept_staff")
    body = api.get("/api/v1/risk-tasks/completion/?by=town").json()
    assert body["results"] == [{"key": "441802006", "name": "凤城街道", "due": 2, "done": 1, "rate": "50.0"}]
    assert api.get("/api/v1/risk-tasks/completion/?by=object").json()["results"][0]["name"] == point.name
    assert login_api("enterprise").get("/api/v1/risk-tasks/completion/?by=enterprise").json()["results"] == []
    assert _field(api.get("/api/v1/risk-tasks/completion/?by=planet")) == "by"
    assert _field(api.get("/api/v1/risk-tasks/completion/?days=0")) == "days"

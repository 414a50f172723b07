"""The permission matrix: every hazard endpoint for every role of MATRIX_PEOPLE (including a person
of the other district, who gets 404 on this district's case, and anonymous); plus API behaviour."""

import pytest
from rest_framework.test import APIClient

from pingan.core.testing import MATRIX_PEOPLE
from pingan.hazards import actions
from pingan.hazards.choices import State
from pingan.hazards.models import HazardCase, RoutingRule

from .factories import PLAN, jpeg_with_gps, submit, to_state

pytestmark = pytest.mark.django_db

ROLES = MATRIX_PEOPLE + [(None, None)]
IDS = [f"{r}-{a}" for r, a in ROLES]

# Expected status per (role, area) for reading a 清城区 case made by the 清城 grid worker.
SEES_QC_CASE = {
    ("city_admin", "city"),
    ("dept_staff", "qingcheng"),
    ("area_staff", "qingcheng"),
    ("grid_worker", "qingcheng"),
    ("inspector", "qingcheng"),
    ("duty_officer", "qingcheng"),
    ("duty_leader", "qingcheng"),
    ("rescue_lead", "qingcheng"),
    ("integration", "city"),
}


def client_for(world, role, area):
    c = APIClient()
    if role is not None:
        c.force_authenticate(world.user(role, area))
    return c


@pytest.fixture
def qc_case(world):
    return submit(world)


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_list_and_detail_scope(world, qc_case, role, area):
    c = client_for(world, role, area)
    r = c.get("/api/v1/hazards/")
    if role is None:
        assert r.status_code in (401, 403)
        return
    assert r.status_code == 200
    ids = [row["id"] for row in r.json()["results"]]
    sees = (role, area) in SEES_QC_CASE
    assert (qc_case.pk in ids) == sees
    r = c.get(f"/api/v1/hazards/{qc_case.pk}/")
    assert r.status_code == (200 if sees else 404)
    if sees:
        body = r.json()
        assert body["number"].startswith("YH-")
        assert body["reporter"] is not None  # staff see who reported


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_create(world, role, area):
    c = client_for(world, role, area)
    payload = {
        "title": "配电箱破损",
        "category": "fire_facility",
        "lat": 23.71,
        "lon": 113.06,
        "client_token": f"t-{role}-{area}",
    }
    r = c.post("/api/v1/hazards/", payload, format="json")
    if role is None:
        assert r.status_code in (401, 403)
        return
    assert r.status_code == 201, r.content
    case = HazardCase.objects.get(pk=r.json()["id"])
    expected_source = {"enterprise": "enterprise", "public": "public", "grid_worker": "grid"}.get(role, "api")
    assert case.source == expected_source
    if role == "enterprise":
        assert case.enterprise == world.enterprises["qingcheng"]
    again = c.post("/api/v1/hazards/", payload, format="json")
    assert again.status_code == 200 and again.json()["id"] == case.pk  # idempotent retry


def test_create_errors_name_the_field(world):
    c = client_for(world, "grid_worker", "qingcheng")
    r = c.post(
        "/api/v1/hazards/", {"title": "x", "category": "nope", "lat": 23.7, "lon": 113.05}, format="json"
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "category"
    r = c.post(
        "/api/v1/hazards/", {"title": "x", "category": "gas", "lat": 30.0, "lon": 100.0}, format="json"
    )
    assert r.status_code == 400 and r.json()["errors"][0] == {
        "field": "location",
        "code": "outside_city",
        "message": r.json()["errors"][0]["message"],
    }
    r = c.post("/api/v1/hazards/", {"title": "", "category": "gas"}, format="json")
    assert {e["field"] for e in r.json()["errors"]} >= {"title"}


# Who may register a submitted 清城 case: the dispatch centre and the city administrator.
@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_transition_register(world, qc_case, role, area):
    c = client_for(world, role, area)
    r = c.post(f"/api/v1/hazards/{qc_case.pk}/transition/", {"action": "register"}, format="json")
    if role is None:
        assert r.status_code in (401, 403)
    elif role == "city_admin":
        assert r.status_code == 200 and r.json()["state"] == "registered"
    elif (role, area) in SEES_QC_CASE:
        assert r.status_code == 403
    else:
        assert r.status_code == 404


def test_transition_by_dispatcher_and_conflict(world, qc_case):
    c = client_for(world, "dept_staff", "city")  # the dispatcher
    r = c.post(
        f"/api/v1/hazards/{qc_case.pk}/transition/",
        {"action": "register", "expected_state": "submitted"},
        format="json",
    )
    assert r.status_code == 200
    # A second client acting on what it saw before: 409 with a clear message naming the state.
    r = c.post(
        f"/api/v1/hazards/{qc_case.pk}/transition/",
        {"action": "decline", "reason": "x", "expected_state": "submitted"},
        format="json",
    )
    assert r.status_code == 409
    err = r.json()["errors"][0]
    assert err["field"] == "state" and err["code"] == "conflict" and "已立案" in err["message"]
    r = c.post(f"/api/v1/hazards/{qc_case.pk}/transition/", {"action": "accept"}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "bad_state"


def test_major_close_without_plan_is_rejected_through_api(world, qc_case):
    c = client_for(world, "dept_staff", "city")
    c.post(
        f"/api/v1/hazards/{qc_case.pk}/transition/", {"action": "register", "grade": "major"}, format="json"
    )
    r = c.post(
        f"/api/v1/hazards/{qc_case.pk}/transition/", {"action": "close_on_spot", "reason": "x"}, format="json"
    )
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "major_not_on_spot"
    r = c.post(f"/api/v1/hazards/{qc_case.pk}/transition/", {"action": "assign"}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "major_needs_report"


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_comments(world, qc_case, role, area):
    actions.do_comment(world.user("dept_staff", "city"), qc_case, body="内部:疑似重复", is_public=False)
    c = client_for(world, role, area)
    r = c.get(f"/api/v1/hazards/{qc_case.pk}/comments/")
    sees = (role, area) in SEES_QC_CASE
    if role is None:
        assert r.status_code in (401, 403)
        return
    assert r.status_code == (200 if sees else 404)
    if sees:
        assert any(x["body"] == "内部:疑似重复" for x in r.json())
    r = c.post(
        f"/api/v1/hazards/{qc_case.pk}/comments/", {"body": "已联系物业", "is_public": True}, format="json"
    )
    assert r.status_code == (201 if sees else 404)


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_photos(world, qc_case, role, area):
    c = client_for(world, role, area)
    r = c.post(
        f"/api/v1/hazards/{qc_case.pk}/photos/",
        {"photo": jpeg_with_gps(), "kind": "report"},
        format="multipart",
    )
    if role is None:
        assert r.status_code in (401, 403)
    else:
        assert r.status_code == (201 if (role, area) in SEES_QC_CASE else 404)


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_task_update(world, role, area):
    dispatcher = world.user("dept_staff", "city")
    case = to_state(world, submit(world), "registered")
    case = actions.do_assign(
        dispatcher, case, lead=world.departments["qc_fire"], co=[world.departments["qc_em"]]
    )
    c = client_for(world, role, area)
    r = c.post(f"/api/v1/hazards/{case.pk}/task/", {"state": "done", "note": "已配合检查"}, format="json")
    if role is None:
        assert r.status_code in (401, 403)
    elif (role, area) in {
        ("dept_staff", "qingcheng"),
        ("inspector", "qingcheng"),
        ("duty_officer", "qingcheng"),
        ("duty_leader", "qingcheng"),
        ("rescue_lead", "qingcheng"),
        ("city_admin", "city"),
    }:
        # people of qc_em (the co-handler) and of qc_fire (the lead, rescue_lead) update their own task;
        # the city administrator of city_em holds no task there: 403
        assert r.status_code == (200 if role != "city_admin" else 403)
    elif (role, area) in SEES_QC_CASE:
        assert r.status_code == 403  # sees the case but holds no task on it
    else:
        assert r.status_code == 404


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_plan(world, role, area):
    dispatcher = world.user("dept_staff", "city")
    case = actions.do_register(dispatcher, submit(world, category="hazchem"), grade="major")
    c = client_for(world, role, area)
    body = {**PLAN, "deadline": "2027-01-31"}
    r = c.put(f"/api/v1/hazards/{case.pk}/plan/", body, format="json")
    if role is None:
        assert r.status_code in (401, 403)
    elif role == "city_admin":
        assert r.status_code == 200 and r.json()["state"] == "pending"
    elif (role, area) in SEES_QC_CASE:
        assert r.status_code == 403
    else:
        assert r.status_code == 404


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_map_and_duplicates(world, qc_case, role, area):
    c = client_for(world, role, area)
    r = c.get("/api/v1/hazards/map/?bbox=112.9,23.5,113.3,23.9")
    if role is None:
        assert r.status_code in (401, 403)
        return
    assert r.status_code == 200
    ids = [f["properties"]["id"] for f in r.json()["features"]]
    assert (qc_case.pk in ids) == ((role, area) in SEES_QC_CASE)
    r = c.get(f"/api/v1/hazards/duplicates/?category=fire_exit&lat={qc_case.lat}&lon={qc_case.lon}")
    assert r.status_code == 200
    assert (qc_case.pk in [d["id"] for d in r.json()]) == ((role, area) in SEES_QC_CASE)


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_categories_are_public(world, role, area):
    c = client_for(world, role, area)
    r = c.get("/api/v1/hazard-categories/")
    assert r.status_code == 200 and any(x["code"] == "fire" for x in r.json())
    first = r.json()[0]["id"]
    assert c.get(f"/api/v1/hazard-categories/{first}/").status_code == 200


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_routing_table_admin_only_writes(world, role, area):
    c = client_for(world, role, area)
    rule = RoutingRule.objects.get(category__code="gas")
    r = c.get("/api/v1/hazard-routes/")
    staff = role not in (None, "enterprise", "public")
    assert r.status_code == (200 if staff else (403 if role else 403)) or r.status_code == 401
    r1 = c.get(f"/api/v1/hazard-routes/{rule.pk}/")
    r2 = c.patch(f"/api/v1/hazard-routes/{rule.pk}/", {"co_sectors": ["fire"]}, format="json")
    r3 = c.put(
        f"/api/v1/hazard-routes/{rule.pk}/",
        {
            "category": rule.category_id,
            "level": "district",
            "grade": "",
            "lead_sector": "housing",
            "co_sectors": [],
        },
        format="json",
    )
    r4 = c.post(
        "/api/v1/hazard-routes/",
        {
            "category": rule.category_id,
            "level": "town",
            "grade": "",
            "lead_sector": "government",
            "co_sectors": ["fire"],
        },
        format="json",
    )
    created = r4.json().get("id") if r4.status_code == 201 else rule.pk
    r5 = c.delete(f"/api/v1/hazard-routes/{created}/")
    if role == "city_admin":
        assert (r1.status_code, r2.status_code, r3.status_code, r4.status_code, r5.status_code) == (
            200,
            200,
            200,
            201,
            204,
        )
    elif staff:
        assert r1.status_code == 200
        assert {r2.status_code, r3.status_code, r4.status_code, r5.status_code} == {403}
    else:
        # Refused on the list and on writes; the rows themselves are not visible to them (404).
        assert r4.status_code in (401, 403)
        assert {r1.status_code, r2.status_code, r3.status_code, r5.status_code} <= {401, 403, 404}


def test_routing_table_validates_sectors(world):
    c = client_for(world, "city_admin", "city")
    rule = RoutingRule.objects.get(category__code="gas")
    r = c.patch(f"/api/v1/hazard-routes/{rule.pk}/", {"co_sectors": ["nope"]}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "co_sectors"


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_public_tracking(world, role, area):
    citizen = world.user("public", "city")
    case = to_state(
        world,
        submit(world, reporter=citizen, source="public", reporter_name="张三", reporter_phone="13812345678"),
        "closed",
    )
    c = client_for(world, role, area)
    r = c.get(f"/api/v1/hazard-tracking/{case.tracking_code}/")
    assert r.status_code == 200
    text = r.content.decode()
    assert "张三" not in text and "13812345678" not in text and "citizen" not in text
    assert r.json()["status"] == "closed" and r.json()["can_feedback"] is True
    r = c.post(f"/api/v1/hazard-tracking/{case.tracking_code}/feedback/", {"answer": "fixed"}, format="json")
    assert r.status_code == 200
    assert c.get("/api/v1/hazard-tracking/WRONGCODE123/").status_code == 404


def test_public_tracking_not_fixed_reopens(world, api):
    case = to_state(world, submit(world, source="public"), "closed")
    r = api.post(
        f"/api/v1/hazard-tracking/{case.tracking_code}/feedback/", {"answer": "not_fixed"}, format="json"
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "note"
    r = api.post(
        f"/api/v1/hazard-tracking/{case.tracking_code}/feedback/",
        {"answer": "not_fixed", "note": "还在"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["state"] == State.RECTIFYING


@pytest.mark.parametrize(
    "query,field",
    [
        ("category=fire%00exit&lat=23.7&lon=113.05", "category"),  # NUL: PostgreSQL refuses it in text
        ("category=99999999999999999999999&lat=23.7&lon=113.05", "category"),
        ("category=fire_exit&lat=nan&lon=113.05", "lat"),
        ("category=fire_exit&lat=23.7&lon=-9e114", "lon"),
        ("category=fire_exit&lat=23.7", "lat"),
    ],
)
def test_duplicates_name_the_bad_parameter(world, query, field):
    r = client_for(world, "area_staff", "qingcheng").get(f"/api/v1/hazards/duplicates/?{query}")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == field

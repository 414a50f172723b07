"""Permission matrix of every emergency endpoint, for every role (and the other district), plus
bad inputs and query counts."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from pingan.core.testing import MATRIX_PEOPLE
from pingan.emergency import actions
from pingan.emergency.models import DutyPost, Incident, Report, SanfangReport, Shift

pytestmark = pytest.mark.django_db

ROLES = [*MATRIX_PEOPLE, None]  # None: anonymous
ANON = 403  # session + token auth, no credentials: 403 from IsAuthenticated

QC_STAFF = {
    ("dept_staff", "qingcheng"),
    ("area_staff", "qingcheng"),
    ("grid_worker", "qingcheng"),
    ("inspector", "qingcheng"),
    ("duty_officer", "qingcheng"),
    ("duty_leader", "qingcheng"),
    ("rescue_lead", "qingcheng"),
}
RECORDERS = {
    ("city_admin", "city"),
    ("dept_staff", "qingcheng"),
    ("area_staff", "qingcheng"),
    ("duty_officer", "qingcheng"),
    ("duty_leader", "qingcheng"),
}
OTHER = {("area_staff", "yingde"), ("dept_staff", "yingde")}


def client(world, key):
    c = APIClient()
    if key is not None:
        c.force_authenticate(world.user(*key))
    return c


@pytest.fixture
def setup(world, duty):
    qc = actions.do_record_incident(
        world.user("duty_officer", "qingcheng"),
        {
            "title": "凤城街道仓库火灾",
            "category": "accident",
            "subtype": "fire",
            "accident_kind": "fire",
            "occurred_at": timezone.now() - dt.timedelta(minutes=30),
            "division": world.towns["qingcheng"],
            "unit_name": "某仓储公司",
            "unit_overview": "仓储企业",
            "place": "凤城街道",
            "scene": "仓库起火",
            "course": "起火原因待查",
            "measures": "消防已出动",
            "deaths": 1,
            "direct_loss": "500000",
        },
    )
    resp = actions.do_start_sanfang(
        world.user("city_admin", "city"),
        kind="flood",
        level="4",
        headquarters=world.departments["qc_em"],
        members=[world.departments["qc_town"], world.departments["qc_fire"]],
    )
    item = SanfangReport.objects.filter(response=resp, department=world.departments["qc_town"]).first()
    return {
        "incident": qc,
        "hop": qc.reports.get(sender_level="county"),
        "post": duty["qingcheng"],
        "shift": Shift.objects.get(post=duty["qingcheng"]),
        "sanfang": resp,
        "sanfang_item": item,
    }


def expect_visible(key, *, qc_visible=QC_STAFF | {("city_admin", "city"), ("integration", "city")}, ok=200):
    if key is None:
        return ANON
    return ok if key in qc_visible else 404


@pytest.mark.parametrize("key", ROLES)
def test_incident_list_and_detail(world, setup, key):
    c = client(world, key)
    r = c.get("/api/v1/emergency/incidents/")
    assert r.status_code == (ANON if key is None else 200)
    ids = [row["id"] for row in r.json()["results"]] if r.status_code == 200 else []
    assert (setup["incident"].pk in ids) == (expect_visible(key) == 200)
    r = c.get(f"/api/v1/emergency/incidents/{setup['incident'].pk}/")
    assert r.status_code == expect_visible(key)


@pytest.mark.parametrize("key", ROLES)
def test_incident_create(world, setup, key):
    body = {
        "title": "测试事故",
        "occurred_at": (timezone.now() - dt.timedelta(minutes=5)).isoformat(),
        "division": world.towns["qingcheng"].pk,
        "deaths": 0,
        "unit_overview": "x",
    }
    r = client(world, key).post("/api/v1/emergency/incidents/", body, format="json")
    if key is None:
        expected = ANON
    elif key in RECORDERS:
        expected = 201
    elif key in OTHER:
        expected = 400  # the division is outside their area
    else:
        expected = 403
    assert r.status_code == expected, r.content
    if expected == 400:
        assert r.json()["errors"][0]["field"] == "division"


@pytest.mark.parametrize("key", ROLES)
def test_incident_supplement(world, setup, key):
    r = client(world, key).post(
        f"/api/v1/emergency/incidents/{setup['incident'].pk}/supplement/",
        {"deaths": 3, "text": "伤者死亡"},
        format="json",
    )
    visible = expect_visible(key)
    expected = visible if visible != 200 else (200 if key in RECORDERS else 403)
    assert r.status_code == expected, r.content
    if expected == 200:
        assert r.json()["grade"] == "larger"
        assert any(rep["receiver_level"] == "province" for rep in r.json()["reports"])


@pytest.mark.parametrize("key", ROLES)
def test_incident_response(world, setup, key):
    r = client(world, key).post(
        f"/api/v1/emergency/incidents/{setup['incident'].pk}/response/",
        {"step": "activate", "level": "4"},
        format="json",
    )
    leaders = {("city_admin", "city"), ("dept_staff", "qingcheng"), ("duty_leader", "qingcheng")}
    visible = expect_visible(key)
    expected = visible if visible != 200 else (200 if key in leaders else 403)
    assert r.status_code == expected, r.content


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"step": "raise", "level": "3"}, "note"),
        ({"step": "end", "note": " "}, "note"),
        ({"step": "jump", "level": "3", "note": "x"}, "step"),
        ({"step": "activate", "level": "9"}, "level"),
    ],
)
def test_incident_response_bad_inputs_name_the_field(world, setup, body, field):
    c = client(world, ("duty_leader", "qingcheng"))
    url = f"/api/v1/emergency/incidents/{setup['incident'].pk}/response/"
    assert c.post(url, {"step": "activate", "level": "4"}, format="json").status_code == 200
    r = c.post(url, body, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == field, r.content


@pytest.mark.parametrize("key", ROLES)
def test_reports_list_detail(world, setup, key):
    c = client(world, key)
    r = c.get("/api/v1/emergency/reports/")
    assert r.status_code == (ANON if key is None else 200)
    r = c.get(f"/api/v1/emergency/reports/{setup['hop'].pk}/")
    assert r.status_code == expect_visible(key)


@pytest.mark.parametrize("key", ROLES)
def test_report_send(world, setup, key):
    r = client(world, key).post(
        f"/api/v1/emergency/reports/{setup['hop'].pk}/send/", {"channel": "电话"}, format="json"
    )
    visible = expect_visible(key)
    expected = visible if visible != 200 else (200 if key in RECORDERS else 403)
    assert r.status_code == expected, r.content


def test_send_twice_is_a_conflict(world, setup):
    """The action decides the state (409, in the user's language); the API does not repeat it."""
    c = client(world, ("duty_officer", "qingcheng"))
    assert c.post(f"/api/v1/emergency/reports/{setup['hop'].pk}/send/", {}, format="json").status_code == 200
    r = c.post(f"/api/v1/emergency/reports/{setup['hop'].pk}/send/", {}, format="json")
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "state"
    assert r.json()["errors"][0]["message"] == "该报告已报送或已取消"
    r = c.post(
        f"/api/v1/emergency/reports/{setup['hop'].pk}/send/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert r.status_code == 409 and "该" not in r.json()["errors"][0]["message"]


def test_send_to_unknown_receiver_names_the_field(world, setup):
    r = client(world, ("duty_officer", "qingcheng")).post(
        f"/api/v1/emergency/reports/{setup['hop'].pk}/send/", {"receiver": 999999}, format="json"
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "receiver"


def test_send_by_another_level_is_refused(world, setup):
    # the county hop is 清城区's to send: the city's duty officer sees it but may not send it
    r = client(world, ("duty_officer", "city")).post(
        f"/api/v1/emergency/reports/{setup['hop'].pk}/send/", {}, format="json"
    )
    assert r.status_code == 403


POST_VISIBLE = QC_STAFF | {("city_admin", "city"), ("integration", "city")}


@pytest.mark.parametrize("key", ROLES)
def test_duty_posts_and_shifts(world, setup, key):
    c = client(world, key)
    for url in ("/api/v1/emergency/duty-posts/", "/api/v1/emergency/shifts/"):
        assert c.get(url).status_code == (ANON if key is None else 200)
    assert c.get(f"/api/v1/emergency/duty-posts/{setup['post'].pk}/").status_code == expect_visible(
        key, qc_visible=POST_VISIBLE
    )
    assert c.get(f"/api/v1/emergency/shifts/{setup['shift'].pk}/").status_code == expect_visible(
        key, qc_visible=POST_VISIBLE
    )


def test_town_sees_city_post_not_other_district(world, setup):
    grid = world.user("grid_worker", "qingcheng")
    names = set(DutyPost.objects.visible_to(grid).values_list("division__code", flat=True))
    assert names == {"441800", "441802"}


STAFF = QC_STAFF | OTHER | {("city_admin", "city"), ("integration", "city")}


@pytest.mark.parametrize("key", ROLES)
def test_on_duty(world, setup, key):
    """清城区's duty people: staff of 清城区 and the city; another district's staff get 404 (out of scope,
    as an unknown department); people outside the console are refused."""
    r = client(world, key).get("/api/v1/emergency/on-duty/", {"department": world.departments["qc_em"].pk})
    if key is None:
        expected = ANON
    elif key in OTHER:
        expected = 404
    elif key in STAFF:
        expected = 200
    else:
        expected = 403
    assert r.status_code == expected
    if expected == 200:
        assert {p["username"] for p in r.json()} == {"qingcheng_duty", "qingcheng_leader"}


def test_on_duty_by_division_and_bad_input(world, setup):
    c = client(world, ("duty_officer", "qingcheng"))
    r = c.get("/api/v1/emergency/on-duty/", {"division": world.towns["qingcheng"].pk})
    assert {p["username"] for p in r.json()} == {"qingcheng_duty", "qingcheng_leader"}
    assert c.get("/api/v1/emergency/on-duty/", {"division": world.towns["yingde"].pk}).status_code == 404
    assert c.get("/api/v1/emergency/on-duty/", {"division": 999999}).status_code == 404
    assert c.get("/api/v1/emergency/on-duty/", {"department": 999999}).status_code == 404
    assert c.get("/api/v1/emergency/on-duty/").json()["errors"][0]["field"] == "department"
    r = c.get("/api/v1/emergency/on-duty/", {"department": "x"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "department"
    r = c.get("/api/v1/emergency/on-duty/", {"division": "x"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "division"
    assert (
        c.get("/api/v1/emergency/on-duty/", {"department": 1, "at": "yesterday"}).json()["errors"][0]["field"]
        == "at"
    )
    assert c.get("/api/v1/emergency/on-duty/", {"department": 1, "at": "2026-13-45T99:00"}).status_code == 400


@pytest.mark.parametrize("key", ROLES)
def test_grade_endpoint(world, setup, key):
    r = client(world, key).post(
        "/api/v1/emergency/grade/", {"deaths": 3, "serious_injuries": 0, "direct_loss": "0"}, format="json"
    )
    expected = ANON if key is None else (200 if key in STAFF else 403)
    assert r.status_code == expected
    if expected == 200:
        assert r.json()["grade"] == "larger" and r.json()["chain_end"] == "province"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"deaths": -1, "serious_injuries": 0, "direct_loss": 0}, "deaths"),
        ({"deaths": 0, "serious_injuries": "many", "direct_loss": 0}, "serious_injuries"),
        ({"deaths": 0, "serious_injuries": 0, "direct_loss": "一千万"}, "direct_loss"),
        ({"deaths": 0, "serious_injuries": 0, "direct_loss": -1}, "direct_loss"),
    ],
)
def test_grade_endpoint_bad_inputs(world, setup, body, field):
    r = client(world, ("duty_officer", "qingcheng")).post("/api/v1/emergency/grade/", body, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == field


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"deaths": -2}, "deaths"),
        ({"direct_loss": "abc"}, "direct_loss"),
        ({"occurred_at": "2099-01-01T10:00:00+08:00"}, "occurred_at"),
        ({"title": ""}, "title"),
    ],
)
def test_incident_create_bad_inputs(world, setup, patch, field):
    body = {
        "title": "测试",
        "occurred_at": (timezone.now() - dt.timedelta(minutes=5)).isoformat(),
        "division": world.towns["qingcheng"].pk,
    }
    body.update(patch)
    r = client(world, ("duty_officer", "qingcheng")).post("/api/v1/emergency/incidents/", body, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == field, r.content


def test_send_with_missing_content_names_it(world, setup):
    inc = setup["incident"]
    Incident.objects.filter(pk=inc.pk).update(course="")
    r = client(world, ("duty_officer", "qingcheng")).post(
        f"/api/v1/emergency/reports/{setup['hop'].pk}/send/", {}, format="json"
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "course"


SANFANG_VISIBLE = QC_STAFF | {("city_admin", "city"), ("integration", "city")}


@pytest.mark.parametrize("key", ROLES)
def test_sanfang_endpoints(world, setup, key):
    c = client(world, key)
    for url in ("/api/v1/emergency/sanfang-responses/", "/api/v1/emergency/sanfang-reports/"):
        assert c.get(url).status_code == (ANON if key is None else 200)
    assert c.get(f"/api/v1/emergency/sanfang-responses/{setup['sanfang'].pk}/").status_code == expect_visible(
        key, qc_visible=SANFANG_VISIBLE
    )
    assert c.get(
        f"/api/v1/emergency/sanfang-reports/{setup['sanfang_item'].pk}/"
    ).status_code == expect_visible(key, qc_visible=SANFANG_VISIBLE)


@pytest.mark.parametrize("key", ROLES)
def test_sanfang_submit(world, setup, key):
    r = client(world, key).post(
        f"/api/v1/emergency/sanfang-reports/{setup['sanfang_item'].pk}/submit/",
        {"text": "巡查河道3处,无险情"},
        format="json",
    )
    members = {("area_staff", "qingcheng"), ("grid_worker", "qingcheng"), ("city_admin", "city")}
    visible = expect_visible(key, qc_visible=SANFANG_VISIBLE)
    expected = visible if visible != 200 else (200 if key in members else 403)
    assert r.status_code == expected, r.content


def test_city_sees_district_incident_only_when_reported(world, duty):
    city = world.user("duty_officer", "city")
    # a social-security event has no statutory chain: the city is not reported to
    unreported = actions.do_record_incident(
        world.user("duty_officer", "yingde"),
        {
            "title": "群体性事件",
            "category": "social_security",
            "subtype": "social",
            "occurred_at": timezone.now() - dt.timedelta(minutes=5),
            "division": world.districts["yingde"],
        },
    )
    reported = actions.do_record_incident(
        world.user("duty_officer", "yingde"),
        {
            "title": "英德事故",
            "occurred_at": timezone.now() - dt.timedelta(minutes=5),
            "division": world.districts["yingde"],
            "deaths": 2,
        },
    )
    visible = set(Incident.objects.visible_to(city).values_list("pk", flat=True))
    assert reported.pk in visible and unreported.pk not in visible
    assert (
        not Incident.objects.visible_to(world.user("area_staff", "qingcheng")).filter(pk=reported.pk).exists()
    )
    assert Report.objects.visible_to(city).filter(incident=reported).exists()


@pytest.mark.parametrize("n", [1, 15])
def test_list_query_counts_constant(world, duty, n, django_assert_max_num_queries):
    for i in range(n):
        actions.do_record_incident(
            world.user("duty_officer", "qingcheng"),
            {
                "title": f"事故{i}",
                "occurred_at": timezone.now() - dt.timedelta(minutes=5),
                "division": world.towns["qingcheng"],
                "deaths": i % 4,
            },
        )
    c = client(world, ("duty_officer", "qingcheng"))
    for url in (
        "/api/v1/emergency/incidents/",
        "/api/v1/emergency/reports/",
        "/api/v1/emergency/shifts/",
        "/api/v1/emergency/duty-posts/",
    ):
        with django_assert_max_num_queries(12):
            assert c.get(url).status_code == 200

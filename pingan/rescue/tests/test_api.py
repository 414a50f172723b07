"""Permission matrix, actions and their audit, dispatch, coverage and siting runs end to end."""

from __future__ import annotations

import datetime

import pytest

from pingan.core.models import AuditEvent
from pingan.core.testing import MATRIX_PEOPLE
from pingan.rescue import actions, engine, tasks
from pingan.rescue.choices import RunStatus, TeamStatus
from pingan.rescue.models import (
    CoverageRun,
    Exercise,
    Expert,
    Member,
    Mobilisation,
    Shelter,
    SitingRun,
    Team,
    Warehouse,
)

from .helpers import activate_small_network

STAFF = {
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
# People whose area contains 清城区 (the district of the test objects); the grid worker's area is one town.
IN_AREA = {
    ("city_admin", "city"),
    ("dept_staff", "qingcheng"),
    ("area_staff", "qingcheng"),
    ("inspector", "qingcheng"),
    ("duty_officer", "qingcheng"),
    ("duty_leader", "qingcheng"),
    ("rescue_lead", "qingcheng"),
    ("integration", "city"),
}
DISPATCHERS = {"city_admin", "dept_staff", "duty_officer", "duty_leader"}
ANALYSTS = {"city_admin", "dept_staff", "area_staff", "duty_leader"}
TEAM_ROLES = DISPATCHERS | {"rescue_lead"}


@pytest.fixture
def rescue(world):
    qc = world.districts["qingcheng"]
    net = activate_small_network()
    team = Team.objects.create(
        code="T1",
        name="清城消防救援队",
        kind="fire",
        division=qc,
        lat=23.70,
        lon=113.10,
        headcount=50,
        capabilities=["fire", "search"],
    )
    Team.objects.create(
        code="T2",
        name="英德防汛队",
        kind="flood",
        division=world.districts["yingde"],
        lat=24.20,
        lon=113.40,
        headcount=30,
        capabilities=["water"],
    )
    member = Member.objects.create(team=team, name="张三", phone="13800000000")
    expert = Expert.objects.create(name="李四", specialties=["hazchem"], division=qc, lat=23.7, lon=113.1)
    shelter = Shelter.objects.create(name="凤城避难场所", division=qc, lat=23.7, lon=113.05, capacity=800)
    wh = Warehouse.objects.create(name="清城物资库", division=qc, lat=23.7, lon=113.1)
    ex = Exercise.objects.create(
        kind="drill", title="防汛演练", date=datetime.date(2026, 5, 1), division=qc, participants=80
    )
    mob = Mobilisation.objects.create(team=team, division=qc, title="测试事件", lat=23.71, lon=113.11)
    cov = CoverageRun.objects.create(division=qc, network=net, thresholds=[15, 30])
    sit = SitingRun.objects.create(division=qc, network=net, method="mclp", p=1)
    return {
        "network": net,
        "team": team,
        "member": member,
        "expert": expert,
        "shelter": shelter,
        "warehouse": wh,
        "exercise": ex,
        "mobilisation": mob,
        "coverage": cov,
        "siting": sit,
    }


def _expect_read(kind: str, role: str, area: str) -> tuple[int, int]:
    """(detail status, list status) for a person; a list of 200 holds the object iff detail is 200."""
    if kind == "shelters":
        return 200, 200  # public information
    if role is None:
        return 403, 403
    analysis = kind in ("coverage-runs", "siting-runs")
    allowed = (role in ANALYSTS or role == "city_admin") if analysis else role in STAFF
    list_code = 200 if allowed else 403
    if kind in ("teams", "experts", "warehouses", "networks"):
        visible = role in STAFF  # shared city-wide directory among government staff
    else:
        visible = (role, area) in IN_AREA
    if not visible:
        return 404, list_code  # out of scope is a 404 before any permission is asked
    return (200 if allowed else 403), list_code


READS = [
    ("teams", "team"),
    ("members", "member"),
    ("experts", "expert"),
    ("shelters", "shelter"),
    ("warehouses", "warehouse"),
    ("networks", "network"),
    ("exercises", "exercise"),
    ("mobilisations", "mobilisation"),
    ("coverage-runs", "coverage"),
    ("siting-runs", "siting"),
]


@pytest.mark.parametrize("role,area", MATRIX_PEOPLE + [(None, "city")])
def test_read_matrix(rescue, login_api, role, area):
    client = login_api(role, area)
    for path, key in READS:
        detail, list_code = _expect_read(path, role, area)
        r = client.get(f"/api/v1/rescue/{path}/{rescue[key].pk}/")
        assert r.status_code in ((401, 403) if detail == 403 else (detail,)), (
            path,
            role,
            area,
            r.status_code,
        )
        listing = client.get(f"/api/v1/rescue/{path}/")
        if list_code == 403:
            assert listing.status_code in (401, 403), (path, role, area)
        else:
            assert listing.status_code == 200
            ids = [row["id"] for row in listing.json()["results"]]
            assert (rescue[key].pk in ids) == (detail == 200), (path, role, area)
    stats = client.get("/api/v1/rescue/exercises/stats/")
    assert stats.status_code == 200 if role in STAFF else stats.status_code in (401, 403)


@pytest.mark.parametrize("role,area", MATRIX_PEOPLE + [(None, "city")])
def test_dispatch_matrix(rescue, login_api, role, area):
    r = login_api(role, area).get(
        "/api/v1/rescue/dispatch/", {"lat": 23.7, "lon": 113.1, "capabilities": "fire"}
    )
    if role in DISPATCHERS:
        assert r.status_code == 200
        first = r.json()["teams"][0]
        assert first["name"] == "清城消防救援队" and first["eta_minutes"] is not None
    else:
        assert r.status_code in (401, 403)


@pytest.mark.parametrize("role,area", MATRIX_PEOPLE + [(None, "city")])
def test_request_and_transition_matrix(rescue, login_api, role, area):
    client = login_api(role, area)
    r = client.post(
        "/api/v1/rescue/mobilisations/",
        {
            "team": rescue["team"].pk,
            "title": f"事件 {role}",
            "lat": 23.72,
            "lon": 113.12,
            "capabilities": ["fire"],
        },
    )
    if role is None:
        assert r.status_code in (401, 403)
    elif role in DISPATCHERS:
        assert r.status_code == 201, r.json()
        assert AuditEvent.objects.filter(
            action="rescue.mobilisation.request", object_id=str(r.json()["id"])
        ).exists()
    else:
        assert r.status_code == 403
    t = client.post(
        f"/api/v1/rescue/mobilisations/{rescue['mobilisation'].pk}/transition/", {"state": "assigned"}
    )
    in_area = (role, area) in IN_AREA
    if role is None:
        assert t.status_code in (401, 403)
    elif not in_area:
        assert t.status_code == 404
    elif role in TEAM_ROLES:
        assert t.status_code == 200 and t.json()["state"] == "assigned"
    else:
        assert t.status_code == 403


@pytest.mark.parametrize("role,area", MATRIX_PEOPLE + [(None, "city")])
def test_start_runs_matrix(rescue, login_api, role, area, django_capture_on_commit_callbacks):
    client = login_api(role, area)
    with django_capture_on_commit_callbacks(execute=False):
        c = client.post("/api/v1/rescue/coverage-runs/", {"thresholds": [15, 30]})
        s = client.post("/api/v1/rescue/siting-runs/", {"method": "mclp", "p": 1})
    for resp in (c, s):
        if role is None:
            assert resp.status_code in (401, 403)
        elif role in ANALYSTS:
            assert resp.status_code == 201, resp.json()
        else:
            assert resp.status_code == 403


def test_mobilisation_lifecycle_audit_and_team_status(rescue, world):
    officer, lead = world.user("duty_officer"), world.user("rescue_lead")
    mob = actions.do_request(
        officer, rescue["team"], title="化工厂火灾", lat=23.72, lon=113.12, capabilities=["fire"]
    )
    assert actions.do_request(officer, rescue["team"], title="化工厂火灾", lat=23.72, lon=113.12).pk == mob.pk
    for state in ("assigned", "standby", "mobilised", "in_action", "demobilising", "stood_down"):
        mob = actions.do_transition(lead, mob, state)
        rescue["team"].refresh_from_db()
        if state == "mobilised":
            assert rescue["team"].status == TeamStatus.BUSY
    assert rescue["team"].status == TeamStatus.READY
    actions_done = list(
        AuditEvent.objects.for_object(mob).order_by("at", "id").values_list("action", flat=True)
    )
    assert (
        actions_done[0] == "rescue.mobilisation.request"
        and actions_done[-1] == "rescue.mobilisation.stood_down"
    )
    with pytest.raises(actions.ActionError) as exc:
        actions.do_transition(lead, mob, "mobilised")
    assert exc.value.field == "state"


def test_dispatch_outside_network_and_bad_input(rescue, login_api):
    client = login_api("duty_officer")
    r = client.get("/api/v1/rescue/dispatch/", {"lat": 30.0, "lon": 120.0})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "location"
    assert r.json()["errors"][0]["code"] == "outside_network"
    r = client.get("/api/v1/rescue/dispatch/", {"lat": 23.7, "lon": 113.1, "capabilities": "flying"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "capabilities"


def test_siting_p_larger_than_candidates(rescue, login_api):
    r = login_api("city_admin", "city").post("/api/v1/rescue/siting-runs/", {"method": "mclp", "p": 5})
    assert r.status_code == 400
    err = r.json()["errors"][0]
    assert err["field"] == "p" and err["code"] == "too_many"


def test_coverage_run_by_hand(rescue, world, settings):
    """Grid edges take 120 s and are 0.05° apart. The team at (23.70, 113.10) sits on a node; a
    village 3 edges away (6 min) and one 10 edges away (20 min) give known shares."""
    from pingan.geo.models import Division

    town = world.towns["qingcheng"]
    Division.objects.create(
        code="441802006001", name="近村", level="village", parent=town, lat=23.70, lon=113.25, population=300
    )
    Division.objects.create(
        code="441802006002",
        name="远村",
        level="village",
        parent=town,
        lat=23.70 + 0.05 * 7,
        lon=113.25,
        population=100,
    )
    Team.objects.filter(code="T2").update(status=TeamStatus.UNAVAILABLE)
    run = CoverageRun.objects.create(division=world.city, network=rescue["network"], thresholds=[5, 15, 30])
    tasks.execute_run(CoverageRun, run.pk, engine.run_coverage)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.demand_source == "villages" and run.progress == 100
    share = run.results["districts"][0]["share"]
    assert run.results["districts"][0]["code"] == "441802"
    assert share == {"5.0": 0.0, "15.0": 0.75, "30.0": 1.0}
    # Running the task again leaves the finished run alone.
    tasks.execute_run(CoverageRun, run.pk, engine.run_coverage)


def test_siting_run_end_to_end(rescue, world):
    run = SitingRun.objects.create(
        division=world.city, network=rescue["network"], method="mclp", p=2, threshold=30
    )
    tasks.execute_run(SitingRun, run.pk, engine.run_siting)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    assert len(run.results["sites"]) == 2 and len(run.results["steps"]) == 2
    pm = SitingRun.objects.create(division=world.city, network=rescue["network"], method="pmedian", p=1)
    tasks.execute_run(SitingRun, pm.pk, engine.run_siting)
    pm.refresh_from_db()
    assert pm.status == RunStatus.DONE, pm.error


def test_list_queries_are_constant(rescue, world, login_api, django_assert_max_num_queries):
    client = login_api("city_admin", "city")
    for i in range(30):
        Team.objects.create(
            code=f"X{i}",
            name=f"队{i}",
            kind="fire",
            division=world.districts["qingcheng"],
            lat=23.7,
            lon=113.1,
        )
        Mobilisation.objects.create(
            team=rescue["team"], division=world.districts["qingcheng"], title=f"e{i}", lat=23.7, lon=113.1
        )
    for path in ("teams", "mobilisations", "warehouses", "exercises", "shelters"):
        with django_assert_max_num_queries(8):
            assert client.get(f"/api/v1/rescue/{path}/").status_code == 200


def test_console_pages(rescue, world, client):
    """A duty officer opens every page of the console that rescue.permissions allows the duty desk
    (the analyses, imports and road networks are for planners: see test_permissions)."""
    client.force_login(world.user("duty_officer"))
    for url in (
        "/console/rescue/",
        f"/console/rescue/teams/{rescue['team'].pk}/",
        "/console/rescue/mobilisations/",
        f"/console/rescue/mobilisations/{rescue['mobilisation'].pk}/",
        "/console/rescue/exercises/",
        "/console/rescue/teams.geojson",
        "/console/rescue/resources/",
        "/console/rescue/dispatch/?lat=23.7&lon=113.1&cap=fire&title=x",
    ):
        assert client.get(url).status_code == 200, url
    r = client.get("/console/rescue/dispatch/?lat=30&lon=120")
    assert "不在路网范围内" in r.content.decode()
    client.force_login(world.user("city_admin", "city"))
    for url in (
        "/console/rescue/coverage/",
        "/console/rescue/siting/",
        "/console/rescue/import/",
        "/console/rescue/networks/",
    ):
        assert client.get(url).status_code == 200, url


def test_import_reports_every_bad_row(rescue, world):
    from pingan.rescue import importer

    csv = (
        "编号,名称,类型,区划代码,纬度,经度,人数,能力\n"
        "N1,新队,消防救援队,441802,23.7,113.1,40,灭火\n"
        "N2,坏队,飞行队,999999,abc,113.1,-1,飞行\n"
        "T1,重复,fire,441802,23.7,113.1,10,\n"
    ).encode()
    report = importer.import_file("teams", csv, "t.csv", actor=world.user("city_admin", "city"))
    assert not report.ok and not Team.objects.filter(code="N1").exists()
    cols = {(p["row"], p["column"]) for p in report.problems}
    assert {
        (3, "kind"),
        (3, "district"),
        (3, "lat"),
        (3, "headcount"),
        (3, "capabilities"),
        (4, "code"),
    } <= cols
    good = "编号,名称,类型,区划代码,纬度,经度\nN1,新队,消防救援队,441802,23.7,113.1\n".encode()
    assert importer.import_file("teams", good, "t.csv", actor=world.user("city_admin", "city")).created == 1
    assert Team.objects.get(code="N1").capabilities == ["fire", "search", "water", "hazchem"]


def test_public_shelters_page_needs_no_sign_in(rescue, client):
    r = client.get("/console/rescue/shelters/")
    assert r.status_code == 200 and "凤城避难场所" in r.content.decode()


def test_siting_for_the_mountains_only_uses_mountain_demand(rescue, world):
    from pingan.geo.models import Division

    mountain = Division.objects.create(
        code="441826", name="连南瑶族自治县", level="district", parent=world.city, lat=24.2, lon=113.5
    )
    town = Division.objects.create(
        code="441826100", name="三江镇", level="town", parent=mountain, lat=24.25, lon=113.55
    )
    Division.objects.create(
        code="441826100001", name="山村", level="village", parent=town, lat=24.25, lon=113.55, population=500
    )
    Division.objects.create(
        code="441802006009",
        name="城里村",
        level="village",
        parent=world.towns["qingcheng"],
        lat=23.70,
        lon=113.05,
        population=100000,
    )
    run = SitingRun.objects.create(
        division=world.city, network=rescue["network"], method="mclp", p=1, threshold=5, mountain_only=True
    )  # the 英德 team is 8 minutes away
    tasks.execute_run(SitingRun, run.pk, engine.run_siting)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    assert run.results["total_population"] == 500
    assert run.results["sites"][0]["code"] == "441826100"


def test_pages_in_english(rescue, world, client, settings):
    client.force_login(world.user("duty_leader"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/console/rescue/coverage/").content.decode()
    assert "Rescue coverage analysis" in body and "Start analysis" in body

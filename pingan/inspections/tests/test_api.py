"""The permission matrix: every inspection endpoint for every role of MATRIX_PEOPLE (the other
district's people get 404, refused people 403, anonymous 401/403), plus covert reveal, transitions and
bad inputs."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from pingan.core.models import AuditEvent, Deadline, Link
from pingan.core.testing import MATRIX_PEOPLE
from pingan.inspections import actions
from pingan.inspections.models import Draw, Inspection, Plan, Recusal, WorkPermit

from .factories import drawn_plan, registers, the_inspection

pytestmark = pytest.mark.django_db

ROLES = MATRIX_PEOPLE + [(None, None)]
IDS = [f"{r}-{a}" for r, a in ROLES]

# People whose area holds the 清城区 inspection (default scope: the division subtree).
SEES_QC = {
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
CONSOLE = SEES_QC - {("grid_worker", "qingcheng")} | {("area_staff", "yingde"), ("dept_staff", "yingde")}


def client_for(world, role, area):
    c = APIClient()
    if role is not None:
        c.force_authenticate(world.user(role, area))
    return c


def anonymous(r):
    return r.status_code in (401, 403)


@pytest.fixture
def reg(world):
    return registers(world)


@pytest.fixture
def plan(world, reg):
    return drawn_plan(world)


@pytest.fixture
def inspection(plan):
    return the_inspection(plan)


def events(obj, action):
    return AuditEvent.objects.filter(action=action, object_id=str(obj.pk))


# --- Reads -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_inspection_list_and_detail(world, inspection, role, area):
    c = client_for(world, role, area)
    r = c.get("/api/v1/inspections/")
    if role is None:
        assert anonymous(r)
        return
    sees = (role, area) in SEES_QC or (role, area) == ("enterprise", "qingcheng")
    if role == "public":
        assert r.status_code == 403
    else:
        assert r.status_code == 200
        assert (inspection.pk in [row["id"] for row in r.json()["results"]]) == sees
    r = c.get(f"/api/v1/inspections/{inspection.pk}/")
    assert r.status_code == (200 if sees else 404)


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_plan_list_and_detail(world, plan, role, area):
    c = client_for(world, role, area)
    r = c.get("/api/v1/inspection-plans/")
    if role is None:
        assert anonymous(r)
        return
    console = (role, area) in CONSOLE
    assert r.status_code == (200 if console else 403)
    sees = (role, area) in SEES_QC - {("grid_worker", "qingcheng")}
    if console:
        assert (plan.pk in [row["id"] for row in r.json()["results"]]) == sees
    r = c.get(f"/api/v1/inspection-plans/{plan.pk}/")
    assert r.status_code == (200 if sees else 404)  # the grid worker's grid does not hold a district plan


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_registers(world, reg, role, area):
    c = client_for(world, role, area)
    item = reg["item"]
    assert c.get("/api/v1/inspection-items/?industry=hazchem").status_code == 200  # public list
    assert c.get(f"/api/v1/inspection-items/{item.pk}/").status_code == 200
    target_pk = world.enterprises["qingcheng"].inspection_target.pk
    inspector_pk = reg["inspectors"]["qingcheng"][0].pk
    r1 = c.get("/api/v1/inspection-targets/")
    r2 = c.get("/api/v1/inspectors/")
    if role is None:
        assert anonymous(r1) and anonymous(r2)
        return
    allowed = (role, area) in CONSOLE
    assert r1.status_code == r2.status_code == (200 if allowed else 403)
    sees = (role, area) in SEES_QC - {("grid_worker", "qingcheng")}
    if allowed:
        assert c.get(f"/api/v1/inspection-targets/{target_pk}/").status_code == (200 if sees else 404)
        assert c.get(f"/api/v1/inspectors/{inspector_pk}/").status_code == (200 if sees else 404)


# --- Plans and draws ----------------------------------------------------------------------------------
@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_create_plan(world, reg, role, area):
    c = client_for(world, role, area)
    r = c.post(
        "/api/v1/inspection-plans/",
        {"name": "抽查", "year": 2026, "division": "441802", "ratio": "0.2"},
        format="json",
    )
    if role is None:
        assert anonymous(r)
    elif (role, area) in {("city_admin", "city"), ("dept_staff", "qingcheng")}:
        assert r.status_code == 201, r.content
        assert events(Plan.objects.get(pk=r.json()["id"]), "inspections.plan.create").count() == 1
    elif (role, area) == ("dept_staff", "yingde"):
        assert r.status_code == 403  # an office of another district cannot plan in 清城区
        assert r.json()["errors"][0]["field"] == "division"
    else:
        assert r.status_code == 403


def test_create_plan_bad_inputs(world, reg):
    c = client_for(world, "dept_staff", "qingcheng")
    r = c.post(
        "/api/v1/inspection-plans/",
        {"name": "交叉", "year": 2026, "division": "441802", "ratio": "0.2", "cross_district": True},
        format="json",
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "cross_basis"
    r = c.post(
        "/api/v1/inspection-plans/",
        {"name": "x", "year": 2026, "division": "441802", "ratio": "2"},
        format="json",
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "ratio"
    r = c.post(
        "/api/v1/inspection-plans/",
        {"name": "x", "year": 2026, "division": "999999", "ratio": "0"},
        format="json",
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "division"


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_draw(world, reg, role, area):
    staff = world.user("dept_staff", "qingcheng")
    plan = actions.do_create_plan(
        staff, name="p", year=2026, division=world.districts["qingcheng"], mode="random", ratio="1"
    )
    r = client_for(world, role, area).post(
        f"/api/v1/inspection-plans/{plan.pk}/draw/", {"seed": "abc"}, format="json"
    )
    if role is None:
        assert anonymous(r)
    elif (role, area) in {("city_admin", "city"), ("dept_staff", "qingcheng")}:
        assert r.status_code == 201, r.content
        body = r.json()
        assert body["seed"] == "abc" and body["algorithm"] == "draw-v1"
        inspection = Inspection.objects.get(plan=plan)
        assert inspection.inspectors.count() == 2
        assert events(plan, "inspections.plan.draw").get().after["seed"] == "abc"
    elif (role, area) in SEES_QC - {("grid_worker", "qingcheng")}:
        assert r.status_code == 403
    else:
        assert r.status_code == 404  # the grid worker's grid does not hold the district's plan


def test_draw_fails_with_conflicted_inspector_and_twice_is_conflict(world, reg):
    staff = world.user("dept_staff", "qingcheng")
    plan = actions.do_create_plan(
        staff, name="p", year=2026, division=world.districts["qingcheng"], mode="random", ratio="1"
    )
    Recusal.objects.create(
        inspector=reg["inspectors"]["qingcheng"][1],
        enterprise=world.enterprises["qingcheng"],
        kind="former_employer",
    )
    c = client_for(world, "dept_staff", "qingcheng")
    r = c.post(f"/api/v1/inspection-plans/{plan.pk}/draw/", {"seed": "s"}, format="json")
    assert r.status_code == 400
    err = r.json()["errors"][0]
    assert err["field"] == "inspectors" and err["code"] == "too_few_inspectors"
    assert not Draw.objects.filter(plan=plan).exists()
    Recusal.objects.all().delete()
    assert c.post(f"/api/v1/inspection-plans/{plan.pk}/draw/", {}, format="json").status_code == 201
    assert c.post(f"/api/v1/inspection-plans/{plan.pk}/draw/", {}, format="json").status_code == 409


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_verify_draw_is_public(world, plan, role, area):
    r = client_for(world, role, area).get(f"/api/v1/inspection-draws/{plan.draw.pk}/verify/")
    assert r.status_code == 200
    assert r.json()["matches"] is True
    assert r.json()["draw"]["seed"] == "seed-1"


def test_tampered_draw_does_not_verify(world, plan):
    Draw.objects.filter(pk=plan.draw.pk).update(result=[{"target": 1, "inspectors": [1, 99]}])
    assert APIClient().get(f"/api/v1/inspection-draws/{plan.draw.pk}/verify/").json()["matches"] is False


# --- Covert inspections --------------------------------------------------------------------------------
def test_covert_inspection_hidden_until_started_and_reveal_audited(world, reg):
    plan = drawn_plan(world, mode="covert")
    inspection = the_inspection(plan)
    url = f"/api/v1/inspections/{inspection.pk}/"
    # Outsiders: the target, the township, the grid, the fire brigade, partner systems (the duty
    # officer of the test world works in the planning bureau itself, so is inside).
    hidden_from = [
        ("enterprise", "qingcheng"),
        ("area_staff", "qingcheng"),
        ("grid_worker", "qingcheng"),
        ("rescue_lead", "qingcheng"),
        ("integration", "city"),
    ]
    for person in hidden_from:
        assert client_for(world, *person).get(url).status_code == 404, person
        assert client_for(world, *person).get(f"/api/v1/inspection-plans/{plan.pk}/").status_code in (
            403,
            404,
        )
    # The plan's department and the drawn inspectors know.
    assert client_for(world, "dept_staff", "qingcheng").get(url).status_code == 200
    assert client_for(world, "inspector", "qingcheng").get(url).status_code == 200
    # The draw is not published yet: verifying it would tip the target off.
    assert APIClient().get(f"/api/v1/inspection-draws/{plan.draw.pk}/verify/").status_code == 404
    r = client_for(world, "inspector", "qingcheng").post(
        f"{url}start/", {"representative": "张三"}, format="json"
    )
    assert r.status_code == 200
    reveal = events(inspection, "inspections.inspection.reveal").get()
    assert reveal.actor == world.user("inspector", "qingcheng")
    for person in hidden_from:
        assert client_for(world, *person).get(url).status_code == 200, person
    assert APIClient().get(f"/api/v1/inspection-draws/{plan.draw.pk}/verify/").status_code == 200


# --- The inspection -------------------------------------------------------------------------------------
@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_start(world, inspection, role, area):
    r = client_for(world, role, area).post(f"/api/v1/inspections/{inspection.pk}/start/", {}, format="json")
    if role is None:
        assert anonymous(r)
    elif (role, area) == ("inspector", "qingcheng"):
        assert r.status_code == 200
        assert r.json()["state"] == "started"
        assert events(inspection, "inspections.inspection.start").count() == 1
        assert not events(inspection, "inspections.inspection.reveal").exists()  # a random one hides nothing
    elif (role, area) in SEES_QC or (role, area) == ("enterprise", "qingcheng"):
        assert r.status_code == 403
    else:
        assert r.status_code == 404


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_findings_finish_reinspect_matrix(world, reg, inspection, role, area):
    actions.do_start(world.user("inspector", "qingcheng"), inspection)
    c = client_for(world, role, area)
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    r = c.post(
        f"/api/v1/inspections/{inspection.pk}/findings/",
        {"item": reg["item"].pk, "description": "动火作业票未填写监护人", "rectify_by": due},
        format="json",
    )
    r2 = c.post(f"/api/v1/inspections/{inspection.pk}/finish/", {}, format="json")
    r3 = c.post(
        f"/api/v1/inspections/{inspection.pk}/reinspect/", {"finding": 0, "passed": True}, format="json"
    )
    if role is None:
        assert anonymous(r) and anonymous(r2) and anonymous(r3)
    elif (role, area) == ("inspector", "qingcheng"):
        assert r.status_code == 201 and r2.status_code == 200
        assert r3.status_code == 404  # no such finding on this inspection
    elif (role, area) in SEES_QC or (role, area) == ("enterprise", "qingcheng"):
        assert r.status_code == r2.status_code == r3.status_code == 403
    else:
        assert r.status_code == r2.status_code == r3.status_code == 404


def test_full_flow_finding_to_hazard_case_deadline_and_reinspection(world, reg, inspection):
    inspector = world.user("inspector", "qingcheng")
    c = client_for(world, "inspector", "qingcheng")
    url = f"/api/v1/inspections/{inspection.pk}/"
    c.post(f"{url}start/", {}, format="json")
    due = timezone.localdate() + dt.timedelta(days=7)
    r = c.post(
        f"{url}findings/",
        {"item": reg["major_item"].pk, "description": "动火前未进行气体分析", "rectify_by": due.isoformat()},
        format="json",
    )
    assert r.status_code == 201, r.content
    finding = inspection.findings.get()
    assert finding.major and finding.hazard_case_id
    from pingan.hazards.models import HazardCase

    case = HazardCase.objects.get(pk=finding.hazard_case_id)
    assert (
        case.grade == "major"
        and case.source == "inspection"
        and case.enterprise == world.enterprises["qingcheng"]
    )
    assert Link.objects.filter(a_id=str(finding.pk), b_id=str(case.pk), kind="opened_case").exists()
    rectify = Deadline.objects.get(kind=actions.RECTIFY_KIND, object_id=str(finding.pk))
    assert rectify.met_at is None
    assert events(inspection, "inspections.finding.create").get().after["hazard_case"] == case.pk

    r = c.post(f"{url}finish/", {}, format="json")
    assert r.json()["state"] == "finished" and r.json()["publish_by"]
    assert Deadline.objects.filter(kind=actions.PUBLISH_KIND, object_id=str(inspection.pk)).exists()
    assert events(inspection, "inspections.inspection.finish").count() == 1

    r = c.post(f"{url}reinspect/", {"finding": finding.pk, "passed": False}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "note"
    r = c.post(f"{url}reinspect/", {"finding": finding.pk, "passed": True, "note": "已整改"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "rectified"
    rectify.refresh_from_db()
    assert rectify.met_at is not None
    inspection.refresh_from_db()
    assert inspection.state == "closed"
    assert events(inspection, "inspections.finding.reinspect").count() == 1
    assert events(inspection, "inspections.inspection.close").count() == 1
    assert (
        c.post(f"{url}reinspect/", {"finding": finding.pk, "passed": True}, format="json").status_code == 409
    )
    assert inspector  # the drawn inspector did all of it


def test_finding_bad_inputs(world, reg, inspection):
    c = client_for(world, "inspector", "qingcheng")
    url = f"/api/v1/inspections/{inspection.pk}/findings/"
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    r = c.post(url, {"description": "x", "rectify_by": due}, format="json")
    assert r.status_code == 409  # not started yet
    c.post(f"/api/v1/inspections/{inspection.pk}/start/", {}, format="json")
    r = c.post(url, {"description": "", "rectify_by": due}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "description"
    r = c.post(url, {"description": "x", "rectify_by": "2020-01-01"}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "rectify_by"
    r = c.post(url, {"description": "x", "rectify_by": "soon"}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "rectify_by"


def test_finish_without_findings_closes_and_sets_publication(world, inspection):
    inspector = world.user("inspector", "qingcheng")
    actions.do_start(inspector, inspection)
    actions.do_finish(inspector, inspection)
    inspection.refresh_from_db()
    assert inspection.state == "closed"
    assert inspection.publish_by > timezone.localdate()
    assert (
        inspection.target.__class__.objects.get(pk=inspection.target_id).last_inspected
        == timezone.localdate()
    )


# --- Special-work permits ---------------------------------------------------------------------------------
def permit_payload(start, *, sampled=None, grade="first", hours=4):
    sampled = sampled or start - dt.timedelta(minutes=20)
    return {
        "work_type": "hot_work",
        "grade": grade,
        "location": "罐区 T-101",
        "work": "管线焊接",
        "applicant": "李四",
        "guardian": "王五",
        "measures": ["清理可燃物", "配备灭火器"],
        "gas_analyses": [{"sampled_at": sampled.isoformat(), "lel": "5", "concentration": "0.1"}],
        "valid_from": start.isoformat(),
        "valid_until": (start + dt.timedelta(hours=hours)).isoformat(),
    }


START = dt.datetime(2026, 3, 2, 9, 31, tzinfo=dt.UTC)


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_apply_permit(world, role, area):
    r = client_for(world, role, area).post("/api/v1/work-permits/", permit_payload(START), format="json")
    if role is None:
        assert anonymous(r)
    elif role == "enterprise":
        assert r.status_code == 201, r.content
        permit = WorkPermit.objects.get(pk=r.json()["id"])
        assert permit.enterprise == world.enterprises[area]
        assert events(permit, "inspections.permit.apply").count() == 1
    else:
        assert r.status_code == 403


def test_stale_gas_analysis_refused_with_reason(world):
    c = client_for(world, "enterprise", "qingcheng")
    r = c.post(
        "/api/v1/work-permits/",
        permit_payload(START, sampled=START - dt.timedelta(minutes=31)),
        format="json",
    )
    assert r.status_code == 400
    err = r.json()["errors"][0]
    assert err["field"] == "gas_analyses" and err["code"] == "stale"
    assert "30" in err["message"]
    assert not WorkPermit.objects.exists()


@pytest.mark.parametrize(
    "change,fld",
    [
        ({"hours": 9}, "valid_until"),
        ({"grade": ""}, "grade"),
        ({"grade": "fourth"}, "grade"),
    ],
)
def test_permit_bad_inputs(world, change, fld):
    c = client_for(world, "enterprise", "qingcheng")
    r = c.post("/api/v1/work-permits/", permit_payload(START, **change), format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == fld


def test_permit_guardian_and_missing_gas(world):
    c = client_for(world, "enterprise", "qingcheng")
    body = permit_payload(START) | {"guardian": "李四"}
    r = c.post("/api/v1/work-permits/", body, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "guardian"
    body = permit_payload(START) | {"gas_analyses": []}
    r = c.post("/api/v1/work-permits/", body, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "gas_analyses"


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_permit_read_and_approve(world, role, area):
    ent = world.user("enterprise", "qingcheng")
    payload = permit_payload(START)
    permit = actions.do_apply_permit(
        ent,
        world.enterprises["qingcheng"],
        **{
            **payload,
            "valid_from": START,
            "valid_until": START + dt.timedelta(hours=4),
            "gas_analyses": [
                {"sampled_at": START - dt.timedelta(minutes=20), "lel": "5", "concentration": "0.1"}
            ],
        },
    )
    c = client_for(world, role, area)
    r = c.get("/api/v1/work-permits/")
    d = c.get(f"/api/v1/work-permits/{permit.pk}/")
    a = c.post(f"/api/v1/work-permits/{permit.pk}/approve/", {"level": "safety"}, format="json")
    if role is None:
        assert anonymous(r) and anonymous(d) and anonymous(a)
        return
    sees = (role, area) in SEES_QC - {("grid_worker", "qingcheng")} or (role, area) == (
        "enterprise",
        "qingcheng",
    )
    readers = CONSOLE | {("enterprise", "qingcheng"), ("enterprise", "yingde")}
    assert r.status_code == (200 if (role, area) in readers else 403)
    if (role, area) in readers:
        assert (permit.pk in [row["id"] for row in r.json()["results"]]) == sees
    if (role, area) == ("enterprise", "qingcheng"):
        assert d.status_code == 200 and a.status_code == 200
        assert a.json()["state"] == "approved"
        assert events(permit, "inspections.permit.approve").count() == 1
    elif sees:
        assert d.status_code == 200 and a.status_code == 403
    elif (role, area) == ("grid_worker", "qingcheng"):
        assert d.status_code == 403
    else:
        assert d.status_code == 404 and a.status_code == 404


def test_approver_level_by_grade(world):
    ent = world.user("enterprise", "qingcheng")
    permit = actions.do_apply_permit(
        ent,
        world.enterprises["qingcheng"],
        work_type="hot_work",
        grade="special",
        location="罐区",
        work="动火",
        applicant="a",
        guardian="b",
        valid_from=START,
        valid_until=START + dt.timedelta(hours=2),
        gas_analyses=[{"sampled_at": START - dt.timedelta(minutes=5), "lel": "5", "concentration": "0.1"}],
    )
    c = client_for(world, "enterprise", "qingcheng")
    r = c.post(f"/api/v1/work-permits/{permit.pk}/approve/", {"level": "safety"}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "approver_level"
    r = c.post(f"/api/v1/work-permits/{permit.pk}/approve/", {"level": "principal"}, format="json")
    assert r.status_code == 200
    assert (
        c.post(
            f"/api/v1/work-permits/{permit.pk}/approve/", {"level": "principal"}, format="json"
        ).status_code
        == 409
    )


# --- Publication -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_publish(world, inspection, role, area):
    inspector = world.user("inspector", "qingcheng")
    actions.do_start(inspector, inspection, representative="张三")
    actions.do_finish(inspector, Inspection.objects.get(pk=inspection.pk))
    r = client_for(world, role, area).post(f"/api/v1/inspections/{inspection.pk}/publish/", {}, format="json")
    if role is None:
        assert anonymous(r)
    elif (role, area) in {("city_admin", "city"), ("dept_staff", "qingcheng")}:
        assert r.status_code == 200 and r.json()["published_at"]
        assert events(inspection, "inspections.inspection.publish").count() == 1
        publish = Deadline.objects.get(kind=actions.PUBLISH_KIND, object_id=str(inspection.pk))
        assert publish.met_at is not None
    elif (role, area) in SEES_QC or (role, area) == ("enterprise", "qingcheng"):
        assert r.status_code == 403
    else:
        assert r.status_code == 404


def test_publish_before_end_and_twice_conflict(world, inspection):
    staff = world.user("dept_staff", "qingcheng")
    c = client_for(world, "dept_staff", "qingcheng")
    assert c.post(f"/api/v1/inspections/{inspection.pk}/publish/", {}, format="json").status_code == 409
    inspector = world.user("inspector", "qingcheng")
    actions.do_start(inspector, inspection)
    actions.do_finish(inspector, Inspection.objects.get(pk=inspection.pk))
    actions.do_publish(staff, Inspection.objects.get(pk=inspection.pk))
    r = c.post(f"/api/v1/inspections/{inspection.pk}/publish/", {}, format="json")
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "published_at"


def test_cross_district_plan_draws_other_districts_inspectors_only(world, reg):
    c = client_for(world, "city_admin", "city")
    r = c.post(
        "/api/v1/inspection-plans/",
        {
            "name": "交叉执法",
            "year": 2026,
            "division": "441802",
            "ratio": "1",
            "cross_district": True,
            "cross_basis": "市应急局交叉执法委托 2026-01",
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    r = c.post(f"/api/v1/inspection-plans/{r.json()['id']}/draw/", {"seed": "x"}, format="json")
    assert r.status_code == 201
    drawn = set(r.json()["result"][0]["inspectors"])
    assert drawn == {i.pk for i in reg["inspectors"]["yingde"]}
    assert r.json()["inputs"]["basis"] == "市应急局交叉执法委托 2026-01"
    # the inspection itself stays with the home district (清城区): its people see it
    inspection = Inspection.objects.get(plan_id=r.json()["plan"])
    assert (
        client_for(world, "area_staff", "qingcheng").get(f"/api/v1/inspections/{inspection.pk}/").status_code
        == 200
    )


def test_cross_district_inspectors_work_the_inspection(world, reg):
    admin = world.user("city_admin", "city")
    plan = actions.do_create_plan(
        admin,
        name="交叉",
        year=2026,
        division=world.districts["qingcheng"],
        mode="covert",
        ratio="1",
        cross_district=True,
        cross_basis="委托书",
    )
    actions.do_draw(admin, plan, seed="x")
    inspection = Inspection.objects.get(plan=plan)
    c = client_for(world, "inspector", "yingde")
    assert c.get(f"/api/v1/inspection-plans/{plan.pk}/").status_code == 200  # drawn: sees the plan too
    assert c.get(f"/api/v1/inspections/{inspection.pk}/").status_code == 200
    # the home district's own inspector was not drawn, and it is a covert plan of the city bureau
    assert (
        client_for(world, "inspector", "qingcheng").get(f"/api/v1/inspections/{inspection.pk}/").status_code
        == 404
    )
    assert c.post(f"/api/v1/inspections/{inspection.pk}/start/", {}, format="json").status_code == 200
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    r = c.post(
        f"/api/v1/inspections/{inspection.pk}/findings/",
        {"description": "安全出口堵塞", "rectify_by": due},
        format="json",
    )
    assert r.status_code == 201
    c.post(f"/api/v1/inspections/{inspection.pk}/finish/", {}, format="json")
    r = c.post(
        f"/api/v1/inspections/{inspection.pk}/reinspect/",
        {"finding": r.json()["id"], "passed": True},
        format="json",
    )
    assert r.status_code == 200
    # the other district's office still does not see the 清城区 inspection
    assert (
        client_for(world, "dept_staff", "yingde").get(f"/api/v1/inspections/{inspection.pk}/").status_code
        == 404
    )


def test_permits_active_at_for_spot_checks(world):
    ent = world.user("enterprise", "qingcheng")
    actions.do_apply_permit(
        ent,
        world.enterprises["qingcheng"],
        work_type="height",
        grade="first",
        location="A",
        work="w",
        applicant="a",
        guardian="b",
        valid_from=START,
        valid_until=START + dt.timedelta(hours=2),
        gas_analyses=[],
    )
    c = client_for(world, "inspector", "qingcheng")
    during = (START + dt.timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    after = (START + dt.timedelta(hours=3)).isoformat().replace("+00:00", "Z")
    assert len(c.get("/api/v1/work-permits/", {"active_at": during}).json()["results"]) == 1
    assert len(c.get("/api/v1/work-permits/", {"active_at": after}).json()["results"]) == 0
    r = c.get("/api/v1/work-permits/", {"active_at": "yesterday"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "active_at"


# --- Recusal ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_declare_recusal(world, reg, role, area):
    inspector = reg["inspectors"]["qingcheng"][0]  # the qingcheng_inspector account
    body = {"enterprise": world.enterprises["qingcheng"].pk, "kind": "relative", "note": "配偶在该单位任职"}
    r = client_for(world, role, area).post(
        f"/api/v1/inspectors/{inspector.pk}/recusals/", body, format="json"
    )
    if role is None:
        assert anonymous(r)
    elif (role, area) in {("inspector", "qingcheng"), ("dept_staff", "qingcheng"), ("city_admin", "city")}:
        assert r.status_code == 201, r.content
        assert Recusal.objects.filter(inspector=inspector, kind="relative").exists()
        assert events(inspector, "inspections.recusal.declare").count() == 1
    elif (role, area) in SEES_QC - {("grid_worker", "qingcheng")}:
        assert r.status_code == 403
    else:
        assert r.status_code == 404  # the register row lies outside their area (or they are no staff)


def test_recusal_keeps_the_inspector_out_of_the_next_draw(world, reg):
    c = client_for(world, "inspector", "qingcheng")
    inspector = reg["inspectors"]["qingcheng"][0]
    url = f"/api/v1/inspectors/{inspector.pk}/recusals/"
    r = c.post(url, {"enterprise": 999999, "kind": "declared"}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "enterprise"
    r = c.post(url, {"enterprise": world.enterprises["qingcheng"].pk, "kind": "sibling"}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "kind"
    body = {"enterprise": world.enterprises["qingcheng"].pk, "kind": "declared"}
    assert c.post(url, body, format="json").status_code == 201
    assert c.post(url, body, format="json").status_code == 409
    staff = world.user("dept_staff", "qingcheng")
    plan = actions.do_create_plan(
        staff, name="p", year=2026, division=world.districts["qingcheng"], mode="random", ratio="1"
    )
    r = client_for(world, "dept_staff", "qingcheng").post(
        f"/api/v1/inspection-plans/{plan.pk}/draw/", {}, format="json"
    )
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "too_few_inspectors"

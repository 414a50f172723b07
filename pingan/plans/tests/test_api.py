"""The permission matrix: every plans endpoint for every role of MATRIX_PEOPLE (a person of the other
district gets 404 on this district's objects, a refused one 403, anonymous 401/403), and bad inputs."""

import pytest
from rest_framework.test import APIClient

from pingan.core.models import AuditEvent
from pingan.core.testing import MATRIX_PEOPLE
from pingan.plans import actions

from .factories import activation, effective_plan, incident

pytestmark = pytest.mark.django_db

ROLES = MATRIX_PEOPLE + [(None, None)]
IDS = [f"{r}-{a}" for r, a in ROLES]
DESK = {
    ("city_admin", "city"),
    ("dept_staff", "qingcheng"),
    ("area_staff", "qingcheng"),
    ("inspector", "qingcheng"),
    ("duty_officer", "qingcheng"),
    ("duty_leader", "qingcheng"),
    ("rescue_lead", "qingcheng"),
    ("area_staff", "yingde"),
    ("dept_staff", "yingde"),
}
# Who sees a 清城区 plan: its area's staff (and the grid worker and the city's people, refused by role)
SEES_PLAN = {
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
# Who sees a 清城区 activation (the incident is in the grid worker's town): the same people
SEES_ACTIVATION = SEES_PLAN
LEADERS = {("city_admin", "city"), ("duty_leader", "qingcheng")}


def client_for(world, role, area):
    c = APIClient()
    if role is not None:
        c.force_authenticate(world.user(role, area))
    return c


def expect(role, area, sees, allowed, ok=200):
    if role is None:
        return (401, 403)
    if (role, area) not in sees:
        return (404,)
    return (ok,) if (role, area) in allowed else (403,)


def rows(r):
    body = r.json()
    return body["results"] if isinstance(body, dict) else body


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_list_plans(world, role, area):
    plan = effective_plan(world)
    r = client_for(world, role, area).get("/api/v1/plans/")
    if role is None:
        assert r.status_code in (401, 403)
    elif (role, area) in DESK or role == "enterprise":
        assert r.status_code == 200
        assert (plan.pk in [x["id"] for x in rows(r)]) == ((role, area) in SEES_PLAN)
    else:
        assert r.status_code == 403


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_retrieve_plan(world, role, area):
    plan = effective_plan(world)
    r = client_for(world, role, area).get(f"/api/v1/plans/{plan.pk}/")
    assert r.status_code in expect(role, area, SEES_PLAN, DESK)
    if r.status_code == 200:
        assert len(r.json()["tasks"]) == 3


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_matches(world, role, area):
    plan = effective_plan(world)
    inc = incident(world)
    r = client_for(world, role, area).get(f"/api/v1/plans/matches/?incident={inc.pk}")
    if role is None:
        assert r.status_code in (401, 403)
    elif (role, area) not in DESK:
        assert r.status_code == 403
    elif (role, area) in SEES_ACTIVATION:
        assert r.status_code == 200
        assert [x["id"] for x in r.json()] == [plan.pk]
    else:
        assert r.status_code == 404  # the incident is out of their area


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_activate(world, role, area):
    plan = effective_plan(world)
    inc = incident(world)
    r = client_for(world, role, area).post(
        "/api/v1/plan-activations/", {"plan": plan.pk, "incident": inc.pk, "level": "4"}, format="json"
    )
    if role is None:
        assert r.status_code in (401, 403)
    elif (role, area) in LEADERS:
        assert r.status_code == 201, r.json()
        assert len(r.json()["tasks"]) == 2
        assert AuditEvent.objects.filter(action="plans.activation.activate").count() == 1
    else:
        assert r.status_code == 403


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_list_activations(world, role, area):
    a = activation(world)
    r = client_for(world, role, area).get("/api/v1/plan-activations/")
    if role is None:
        assert r.status_code in (401, 403)
    elif (role, area) in DESK:
        assert r.status_code == 200
        assert (a.pk in [x["id"] for x in rows(r)]) == ((role, area) in SEES_ACTIVATION)
    else:
        assert r.status_code == 403


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_retrieve_activation(world, role, area):
    a = activation(world)
    r = client_for(world, role, area).get(f"/api/v1/plan-activations/{a.pk}/")
    assert r.status_code in expect(role, area, SEES_ACTIVATION, DESK)


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_stand_down(world, role, area):
    a = activation(world)
    r = client_for(world, role, area).post(
        f"/api/v1/plan-activations/{a.pk}/stand-down/", {"note": "险情解除"}, format="json"
    )
    assert r.status_code in expect(role, area, SEES_ACTIVATION, LEADERS)
    if r.status_code == 200:
        assert r.json()["state"] == "stood_down"
        assert {t["state"] for t in r.json()["tasks"]} == {"closed"}


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_review(world, role, area):
    a = activation(world)
    actions.do_stand_down(world.user("duty_leader"), a, "结束")
    r = client_for(world, role, area).post(
        f"/api/v1/plan-activations/{a.pk}/review/", {"lessons": "报告要快"}, format="json"
    )
    assert r.status_code in expect(role, area, SEES_ACTIVATION, LEADERS)


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_list_tasks(world, role, area):
    a = activation(world)
    r = client_for(world, role, area).get("/api/v1/plan-tasks/")
    if role is None:
        assert r.status_code in (401, 403)
    elif (role, area) in DESK:
        assert r.status_code == 200
        seen = {x["id"] for x in rows(r)}
        assert bool(seen & set(a.tasks.values_list("id", flat=True))) == ((role, area) in SEES_ACTIVATION)
    else:
        assert r.status_code == 403


# the 清城区 应急管理局's task: its staff (dept_staff, inspector, duty officer and leader all sit there)
TASK_HOLDERS = {
    ("city_admin", "city"),
    ("dept_staff", "qingcheng"),
    ("inspector", "qingcheng"),
    ("duty_officer", "qingcheng"),
    ("duty_leader", "qingcheng"),
}


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_task_progress(world, role, area):
    a = activation(world)
    task = a.tasks.get(department=world.departments["qc_em"])
    r = client_for(world, role, area).post(
        f"/api/v1/plan-tasks/{task.pk}/progress/", {"state": "done", "feedback": "已报告"}, format="json"
    )
    assert r.status_code in expect(role, area, SEES_ACTIVATION, TASK_HOLDERS)
    if r.status_code == 200:
        assert r.json()["state"] == "done"


def test_department_outside_the_area_sees_its_own_task(world):
    """A city bureau holding a task (Ⅲ level: 市应急管理局) sees and marks it."""
    from pingan.org.models import User

    a = activation(world, level="3")
    task = a.tasks.get(department=world.departments["city_em"])
    person = User.objects.create_user(
        username="city_em_staff",
        password="x",
        role="dept_staff",
        division=world.districts["yingde"],
        department=world.departments["city_em"],
    )
    c = APIClient()
    c.force_authenticate(person)
    assert c.get(f"/api/v1/plan-activations/{a.pk}/").status_code == 200
    r = c.post(f"/api/v1/plan-tasks/{task.pk}/progress/", {"state": "in_progress"}, format="json")
    assert r.status_code == 200


# --- Bad inputs: 400 naming the field ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "query,field",
    [("", "incident"), ("incident=abc", "incident"), ("incident=-1", "incident"), ("warning=1e9", "warning")],
)
def test_matches_bad_input(world, query, field):
    c = client_for(world, "duty_leader", "qingcheng")
    r = c.get(f"/api/v1/plans/matches/?{query}")
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == field


@pytest.mark.parametrize(
    "body,field",
    [
        ({"incident": 1, "level": "4"}, "plan"),
        ({"plan": "x", "incident": 1, "level": "4"}, "plan"),
        ({"plan": 1, "incident": 1, "level": "9"}, "level"),
        ({"plan": 1, "level": "4"}, "incident"),
    ],
)
def test_activate_bad_input(world, body, field):
    plan = effective_plan(world)
    inc = incident(world)
    body = dict(body)
    if body.get("plan") == 1:
        body["plan"] = plan.pk
    if body.get("incident") == 1:
        body["incident"] = inc.pk
    r = client_for(world, "duty_leader", "qingcheng").post("/api/v1/plan-activations/", body, format="json")
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == field


def test_progress_bad_state_and_missing_feedback(world):
    a = activation(world)
    task = a.tasks.get(department=world.departments["qc_em"])
    c = client_for(world, "dept_staff", "qingcheng")
    r = c.post(f"/api/v1/plan-tasks/{task.pk}/progress/", {"state": "closed"}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "state"
    r = c.post(f"/api/v1/plan-tasks/{task.pk}/progress/", {"state": "done"}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "feedback"


def test_activate_unknown_plan_is_404(world):
    inc = incident(world)
    r = client_for(world, "duty_leader", "qingcheng").post(
        "/api/v1/plan-activations/", {"plan": 999999, "incident": inc.pk, "level": "4"}, format="json"
    )
    assert r.status_code == 404

"""The licensing API for every role of MATRIX_PEOPLE, the one-time list of missing materials, the
statutory clock (stopped only for the law's reasons) and §15 vectors through the API, the licence on
the enterprise's workspace and on its inspections, suspension and revocation, the portal's tracking."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from pingan.core import workcal
from pingan.core.models import AuditEvent, Deadline
from pingan.core.testing import MATRIX_PEOPLE
from pingan.licensing import actions
from pingan.licensing.models import Application, Licence

pytestmark = pytest.mark.django_db

ROLES = MATRIX_PEOPLE + [(None, None)]
IDS = [f"{r}-{a}" for r, a in ROLES]
SEES_QC = {
    ("city_admin", "city"),
    ("dept_staff", "qingcheng"),
    ("area_staff", "qingcheng"),
    ("inspector", "qingcheng"),
    ("duty_officer", "qingcheng"),
    ("duty_leader", "qingcheng"),
    ("rescue_lead", "qingcheng"),
    ("integration", "city"),
    ("enterprise", "qingcheng"),
}
REVIEWERS = {("city_admin", "city"), ("dept_staff", "qingcheng")}
ALL = ["application_form", "business_licence", "principal_certificate", "safety_rules", "storage_evaluation"]


def client_for(world, role, area):
    c = APIClient()
    if role is not None:
        c.force_authenticate(world.user(role, area))
    return c


def apply(world, materials=ALL[:2], kind="fireworks_trade"):
    return actions.do_apply(
        world.user("enterprise"),
        world.enterprises["qingcheng"],
        kind=kind,
        scope="烟花爆竹批发",
        materials=materials,
    )


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_matrix(world, role, area):
    app = apply(world)
    c = client_for(world, role, area)
    r = c.get("/api/v1/licence-applications/")
    if role is None:
        assert r.status_code in (401, 403)
        return
    viewer = (role, area) in SEES_QC or (role, area) in {("area_staff", "yingde"), ("dept_staff", "yingde")}
    assert r.status_code == (200 if viewer else 403)
    r = c.get(f"/api/v1/licence-applications/{app.pk}/")
    assert r.status_code == 200 if (role, area) in SEES_QC else r.status_code in (403, 404)
    assert c.get("/api/v1/licences/").status_code == (200 if viewer else 403)
    r = c.post(
        "/api/v1/licence-applications/",
        {"kind": "hazchem_trade", "scope": "x", "materials": []},
        format="json",
    )
    assert r.status_code == (201 if role == "enterprise" else 403)
    r = c.post(f"/api/v1/licence-applications/{app.pk}/request-materials/")
    if (role, area) in REVIEWERS:
        assert r.status_code == 200
    elif (role, area) in SEES_QC:
        assert r.status_code == 403
    else:
        assert r.status_code in (403, 404)  # out of scope answers 404
    r = c.post(f"/api/v1/licence-applications/{app.pk}/supplement/", {"materials": ALL[2:]}, format="json")
    if (role, area) in REVIEWERS:
        assert r.status_code == 403  # offices do not supplement an enterprise's materials
    elif role == "enterprise":
        assert r.status_code in (200, 409)


def test_one_time_missing_list_and_decision_within_the_limit(world, login_api):
    ent = APIClient()
    ent.force_authenticate(world.user("enterprise"))
    office = APIClient()
    office.force_authenticate(world.user("dept_staff"))
    r = ent.post(
        "/api/v1/licence-applications/",
        {"kind": "fireworks_trade", "scope": "烟花爆竹批发", "materials": ALL[:2]},
        format="json",
    )
    assert r.status_code == 201
    app_id, number = r.json()["id"], r.json()["number"]
    assert number.startswith("XK")
    r = office.post(f"/api/v1/licence-applications/{app_id}/accept/")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "materials"
    r = office.post(f"/api/v1/licence-applications/{app_id}/request-materials/")
    assert r.json()["missing"] == ["principal_certificate", "safety_rules", "storage_evaluation"]
    assert r.json()["state"] == "incomplete"
    r = office.post(f"/api/v1/licence-applications/{app_id}/request-materials/")
    assert r.status_code == 409  # told once
    r = ent.post(f"/api/v1/licence-applications/{app_id}/supplement/", {"materials": ALL[2:]}, format="json")
    assert r.json()["state"] == "submitted"
    # §15: accepted Monday 2026-09-21 → decision by 2026-10-26.
    with time_machine.travel(dt.datetime(2026, 9, 21, 10, 0, tzinfo=workcal.TZ), tick=False):
        r = office.post(f"/api/v1/licence-applications/{app_id}/accept/")
    assert r.json()["due_on"] == "2026-10-26"
    # Workload is no reason to stop the clock; an expert review is.
    r = office.post(
        f"/api/v1/licence-applications/{app_id}/stop-clock/", {"reason": "workload"}, format="json"
    )
    assert r.status_code == 400
    with time_machine.travel(dt.datetime(2026, 10, 12, 9, 0, tzinfo=workcal.TZ), tick=False):
        r = office.post(
            f"/api/v1/licence-applications/{app_id}/stop-clock/", {"reason": "expert_review"}, format="json"
        )
        assert r.json()["state"] == "stopped"
    assert not Deadline.objects.filter(kind="licensing.decide", met_at=None, cancelled_at=None).exists()
    # Seven working days of expert review (12–20 October) → 2026-11-04.
    with time_machine.travel(dt.datetime(2026, 10, 21, 9, 0, tzinfo=workcal.TZ), tick=False):
        r = office.post(f"/api/v1/licence-applications/{app_id}/resume-clock/")
    assert r.json()["due_on"] == "2026-11-04" and r.json()["stopped_days"] == 7
    deadline = Deadline.objects.get(kind="licensing.decide", met_at=None, cancelled_at=None)
    assert deadline.due_at.date() == dt.date(2026, 11, 4)
    with time_machine.travel(dt.datetime(2026, 10, 30, 9, 0, tzinfo=workcal.TZ), tick=False):
        r = office.post(f"/api/v1/licence-applications/{app_id}/decide/", {"approve": True}, format="json")
    assert r.json()["state"] == "approved"
    deadline.refresh_from_db()
    assert deadline.met_at is not None and deadline.met_at <= deadline.due_at  # decided within the limit
    licence = Licence.objects.get(application_id=app_id)
    assert licence.valid_until == dt.date(2029, 10, 29) and licence.renewal_opens == dt.date(2029, 9, 29)
    assert Deadline.objects.filter(kind="licensing.renew", object_id=str(licence.pk)).exists()
    assert AuditEvent.objects.filter(action="licensing.licence.issue").count() == 1
    assert ent.get(f"/api/v1/licences/{licence.pk}/").json()["number"] == licence.number
    # Suspension and revocation.
    r = office.post(
        f"/api/v1/licences/{licence.pk}/sanction/", {"state": "suspended", "reason": "整改"}, format="json"
    )
    assert r.json()["state"] == "suspended"
    r = office.post(
        f"/api/v1/licences/{licence.pk}/sanction/", {"state": "revoked", "reason": "拒不整改"}, format="json"
    )
    assert r.json()["state"] == "revoked"
    r = office.post(
        f"/api/v1/licences/{licence.pk}/sanction/", {"state": "valid", "reason": "x"}, format="json"
    )
    assert r.status_code == 409
    r = ent.post(f"/api/v1/licences/{licence.pk}/sanction/", {"state": "valid", "reason": "x"}, format="json")
    assert r.status_code == 403


def test_refusal_needs_a_reason(world):
    app = apply(world, materials=ALL)
    office = world.user("dept_staff")
    actions.do_accept(office, app)
    with pytest.raises(actions.ActionError):
        actions.do_decide(office, app, approve=False)
    actions.do_decide(office, app, approve=False, note="储存设施不符合要求")
    app.refresh_from_db()
    assert app.state == "refused" and not Licence.objects.filter(application=app).exists()


def test_portal_tracking_workspace_and_inspection(world):
    from pingan.inspections.models import Inspection
    from pingan.inspections.tests.factories import drawn_plan, registers

    app = apply(world, materials=ALL)
    office = world.user("dept_staff")
    actions.do_accept(office, app)
    actions.do_decide(office, app, approve=True)
    licence = Licence.objects.get(application=app)
    uscc = world.enterprises["qingcheng"].uscc
    page = Client().get(f"/licensing/track/?number={app.number}&uscc={uscc}").content.decode()
    assert "准予许可" in page and "烟花爆竹批发" not in page  # the state, not the application's content
    assert "没有找到" in Client().get(f"/licensing/track/?number={app.number}&uscc=X").content.decode()
    c = Client()
    c.force_login(world.user("enterprise"))
    assert licence.number in c.get("/console/org/workspace/").content.decode()
    registers(world)
    inspection = Inspection.objects.get(plan=drawn_plan(world))
    c.force_login(world.user("inspector"))
    assert licence.number in c.get(f"/console/inspections/{inspection.pk}/").content.decode()
    assert Application.objects.count() == 1


def test_list_queries_constant(world, django_assert_max_num_queries):
    apply(world)
    c = Client()
    c.force_login(world.user("dept_staff"))
    c.get("/console/licensing/")
    with django_assert_max_num_queries(40) as one:
        c.get("/console/licensing/")
        c.get("/api/v1/licence-applications/")
    for _ in range(4):
        apply(world)
    with django_assert_max_num_queries(len(one.captured_queries)):
        c.get("/console/licensing/")
        c.get("/api/v1/licence-applications/")

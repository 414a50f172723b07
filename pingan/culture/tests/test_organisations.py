"""Social organisations in the console (create and edit with validation and audit, permission), a social
rescue organisation registered as a volunteer team that the rescue dispatch ranks like any other
(decision 0013), and the enterprise's incentive points from trainings, reported hazards and checks."""

import pytest
from django.test import Client

from pingan.core.actions import ActionError, Forbidden
from pingan.core.models import AuditEvent
from pingan.core.testing import MATRIX_PEOPLE
from pingan.culture import actions, rules
from pingan.culture.models import SocialOrganisation, Volunteer

pytestmark = pytest.mark.django_db

EDITORS = {("city_admin", "city"), ("dept_staff", "qingcheng"), ("area_staff", "qingcheng")}
EDITORS_ANYWHERE = EDITORS | {("dept_staff", "yingde"), ("area_staff", "yingde")}
# Editors who also keep the rescue directory of 清城 (the team is rescue's record).
TEAM_KEEPERS = {("city_admin", "city"), ("dept_staff", "qingcheng")}


def data(world, **over):
    base = {
        "name": "清城蓝天救援队",
        "kind": "rescue",
        "division": world.towns["qingcheng"],
        "members": 30,
        "capabilities": "山地搜救、水域救援",
        "leader": "李队长",
        "phone": "13800000000",
        "lat": 23.72,
        "lon": 113.12,
    }
    base.update(over)
    return base


def post_data(world, **over):
    d = data(world, **over)
    d["division"] = d["division"].pk if d["division"] is not None else ""
    return {k: ("" if v is None else v) for k, v in d.items()}


def web(world, role, area="qingcheng"):
    c = Client()
    c.force_login(world.user(role, area))
    return c


# --- Create and edit ----------------------------------------------------------------------------------
@pytest.mark.parametrize("role,area", MATRIX_PEOPLE, ids=[f"{r}-{a}" for r, a in MATRIX_PEOPLE])
def test_console_form_permission_matrix(world, role, area):
    org = actions.do_save_organisation(world.user("area_staff"), None, data(world))
    c = web(world, role, area)
    r = c.get("/console/culture/organisations/new/")
    assert r.status_code == (200 if (role, area) in EDITORS_ANYWHERE else 403)
    r = c.get(f"/console/culture/organisations/{org.pk}/")
    if (role, area) not in EDITORS_ANYWHERE:
        assert r.status_code == 403
    else:
        assert r.status_code == (200 if (role, area) in EDITORS else 404)  # the other district: 404
    r = c.post(f"/console/culture/organisations/{org.pk}/", post_data(world, members=31))
    org.refresh_from_db()
    assert (org.members == 31) == ((role, area) in EDITORS)
    r = c.get(f"/console/culture/organisations/{org.pk}/team/")
    if (role, area) in EDITORS:
        assert r.status_code == (200 if (role, area) in TEAM_KEEPERS else 403)
    # Offered means allowed: the team link only for those who may register it.
    home = c.get("/console/culture/")
    if home.status_code == 200:
        assert (f'data-testid="register-team-{org.pk}"' in home.content.decode()) == (
            (role, area) in TEAM_KEEPERS
        )


def test_create_edit_validation_and_audit(world):
    staff = world.user("area_staff")
    c = web(world, "area_staff")
    r = c.post("/console/culture/organisations/new/", post_data(world))
    assert r.status_code == 302
    org = SocialOrganisation.objects.get()
    ev = AuditEvent.objects.get(action="culture.organisation.create", object_id=str(org.pk))
    assert ev.after["name"] == "清城蓝天救援队" and ev.actor == staff
    for over, field in (
        ({"name": " "}, "name"),
        ({"lat": None}, "lat"),
        ({"lon": 400}, "lon"),
        ({"phone": "call me"}, "phone"),
        ({"members": -1}, "members"),
        ({"kind": "gang"}, "kind"),
        ({"division": world.towns["yingde"]}, "division"),
    ):
        r = c.post("/console/culture/organisations/new/", post_data(world, **over))
        assert r.status_code == 200 and field in r.context["form"].errors, (over, r.context["form"].errors)
    r = c.post("/console/culture/organisations/new/", post_data(world))
    assert "name" in r.context["form"].errors  # the same name twice in a township
    with pytest.raises(ActionError) as exc:
        actions.do_save_organisation(staff, None, data(world, lat=23.1, lon=None))
    assert exc.value.field == "lon"
    with pytest.raises(Forbidden):
        actions.do_save_organisation(
            world.user("area_staff", "yingde"), org, data(world, division=world.towns["yingde"])
        )
    r = c.post(f"/console/culture/organisations/{org.pk}/", post_data(world, leader="王队长"))
    assert r.status_code == 302
    ev = AuditEvent.objects.get(action="culture.organisation.update", object_id=str(org.pk))
    assert ev.before["leader"] == "李队长" and ev.after["leader"] == "王队长"
    assert SocialOrganisation.objects.count() == 1


# --- The volunteer team in the rescue dispatch ------------------------------------------------------------
def test_rescue_organisation_becomes_a_dispatchable_team(world):
    from pingan.rescue import engine
    from pingan.rescue.models import Member, Team
    from pingan.rescue.tests.helpers import activate_small_network

    staff = world.user("dept_staff")
    org = actions.do_save_organisation(staff, None, data(world))
    for name, cert in (("张志愿", "红十字救护员证"), ("刘志愿", "")):
        Volunteer.objects.create(name=name, division=org.division, organisation=org, certificates=cert)
    # The area's staff edits the registry but does not keep the rescue directory.
    with pytest.raises(Forbidden):
        actions.do_register_team(world.user("area_staff"), org, ["search"])
    assert (
        web(world, "area_staff")
        .post(f"/console/culture/organisations/{org.pk}/team/", {"capabilities": ["search"]})
        .status_code
        == 403
    )
    assert not Team.objects.filter(kind="volunteer").exists()
    with pytest.raises(ActionError) as exc:
        actions.do_register_team(staff, org, [])
    assert exc.value.field == "capabilities"
    r = web(world, "dept_staff").post(
        f"/console/culture/organisations/{org.pk}/team/", {"capabilities": ["search", "water"]}
    )
    assert r.status_code == 302
    org.refresh_from_db()
    team = Team.objects.get(pk=org.rescue_team_id)
    assert team.kind == "volunteer" and team.capabilities == ["search", "water"]
    assert team.division == org.division and team.headcount == 30 and team.status == "ready"
    assert set(Member.objects.filter(team=team).values_list("name", "certified")) == {
        ("张志愿", True),
        ("刘志愿", False),
    }
    assert AuditEvent.objects.filter(action="culture.organisation.team", object_id=str(org.pk)).exists()
    assert AuditEvent.objects.filter(action="rescue.team.create", object_id=str(team.pk)).exists()
    # Again (a new volunteer, a new capability): the same team is updated, nobody is added twice.
    Volunteer.objects.create(name="陈志愿", division=org.division, organisation=org)
    actions.do_register_team(staff, org, ["search", "water", "medical"])
    assert Team.objects.filter(kind="volunteer").count() == 1
    assert Member.objects.filter(team=team).count() == 3
    team.refresh_from_db()
    assert "medical" in team.capabilities
    # The dispatch ranks it by travel time with the other teams.
    activate_small_network()
    Team.objects.create(
        code="FAR-1",
        name="远处消防队",
        kind="fire",
        division=org.division,
        lat=24.3,
        lon=113.5,
        capabilities=["search"],
    )
    rec = engine.recommend(23.72, 113.12, ["search"])
    ranked = [o.team.pk for o in rec["teams"]]
    assert ranked[0] == team.pk and len(ranked) >= 2
    # The registry shows the link and the team's readiness.
    body = web(world, "dept_staff").get("/console/culture/").content.decode()
    assert team.code in body


def test_only_rescue_organisations_with_a_place_become_teams(world):
    staff = world.user("dept_staff")
    assoc = actions.do_save_organisation(staff, None, data(world, name="安全协会", kind="association"))
    with pytest.raises(ActionError) as exc:
        actions.do_register_team(staff, assoc, ["search"])
    assert exc.value.field == "kind"
    nowhere = actions.do_save_organisation(staff, None, data(world, name="无址救援队", lat=None, lon=None))
    with pytest.raises(ActionError) as exc:
        actions.do_register_team(staff, nowhere, ["search"])
    assert exc.value.field == "lat"
    r = web(world, "dept_staff").post(
        f"/console/culture/organisations/{nowhere.pk}/team/", {"capabilities": ["magic"]}
    )
    assert r.status_code == 200 and "capabilities" in r.context["form"].errors


def test_organisation_list_queries_constant(world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    staff = world.user("dept_staff")
    c = web(world, "dept_staff")
    org = actions.do_save_organisation(staff, None, data(world))
    actions.do_register_team(staff, org, ["search"])
    with CaptureQueriesContext(connection) as one:
        assert c.get("/console/culture/").status_code == 200
    for n in range(5):
        o = actions.do_save_organisation(staff, None, data(world, name=f"救援队{n}"))
        actions.do_register_team(staff, o, ["search"])
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert c.get("/console/culture/").status_code == 200


# --- Incentive points -------------------------------------------------------------------------------------
def test_incentive_points_vector():
    p = rules.incentive_points(trainings=2, hazards=3, checks=7)
    assert (p.training, p.hazard, p.check, p.total) == (20, 15, 7, 42)
    assert rules.INCENTIVE_POINTS["source"]
    with pytest.raises(ValueError):
        rules.incentive_points(-1, 0, 0)


def test_workspace_points_count_hazards_and_checks(world, monkeypatch):
    from pingan.culture import workspace
    from pingan.hazards import services as hazards_services
    from pingan.risks import services as risks_services

    ent_user = world.user("enterprise")
    assert workspace.points_of(ent_user, ent_user.enterprise_id).total == 0
    monkeypatch.setattr(hazards_services, "reported_by_enterprise", lambda pk, year=None: 2)
    monkeypatch.setattr(risks_services, "checks_done_by_enterprise", lambda pk, year=None: 4)
    panel = workspace.panels(ent_user)[0]
    assert any("14" in item["label"] and "4" in item["label"] for item in panel["items"])


def test_services_count_the_enterprises_own_reports_and_on_time_checks(world):
    from pingan.hazards import services as hazards_services
    from pingan.hazards.models import Category, HazardCase
    from pingan.risks import services as risks_services

    ent = world.enterprises["qingcheng"]
    cat = Category.objects.first() or Category.objects.create(code="other", name="其他")
    for source in ("enterprise", "enterprise", "public"):
        HazardCase.objects.create(
            title="t", category=cat, source=source, division=world.towns["qingcheng"], enterprise=ent
        )
    assert hazards_services.reported_by_enterprise(ent.pk) == 2
    assert risks_services.checks_done_by_enterprise(ent.pk) == 0


def test_demo_registers_a_mountain_volunteer_team_once(world, monkeypatch):
    from pingan.culture import demo
    from pingan.rescue.models import Team

    monkeypatch.setattr(rules, "is_mountain", lambda code: code.startswith(world.towns["yingde"].code))
    Division = type(world.towns["yingde"])
    Division.objects.filter(pk=world.towns["yingde"].pk).update(lat=24.18, lon=113.4)
    monkeypatch.setattr(demo, "ADMIN", world.user("city_admin", "city").username)
    demo._volunteer_team(lambda m: None)
    demo._volunteer_team(lambda m: None)
    org = SocialOrganisation.objects.get(name=demo.TEAM_ORG)
    team = Team.objects.get(pk=org.rescue_team_id)
    assert team.kind == "volunteer" and team.members.count() == 3


def test_team_deleted_in_rescue_is_registered_anew(world):
    from pingan.rescue.models import Team

    staff = world.user("dept_staff")
    org = actions.do_save_organisation(staff, None, data(world))
    org = actions.do_register_team(staff, org, ["search"])
    old = org.rescue_team_id
    assert Team.objects.filter(pk=old).delete()[0] >= 1
    body = web(world, "dept_staff").get("/console/culture/").content.decode()
    i = body.index(f'data-testid="team-{org.pk}"')
    assert "—" in body[i : i + 40], body[i : i + 200]
    actions.do_register_team(staff, org, ["search"])
    org.refresh_from_db()
    assert org.rescue_team_id != old
    assert Team.objects.filter(pk=org.rescue_team_id, kind="volunteer").exists()

"""Console pages: who is offered what, 404 out of scope, forms, bad parameters, query counts."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from pingan.plans import actions
from pingan.plans.models import Plan

from .factories import activation, draft_plan, effective_plan, incident

pytestmark = pytest.mark.django_db


def login(world, role, area="qingcheng"):
    c = Client()
    c.force_login(world.user(role, area))
    return c


def test_pages_render_for_the_area(world):
    plan = effective_plan(world)
    a = activation(world)
    inc = incident(world)
    c = login(world, "duty_leader")
    for url in (
        "/console/plans/",
        "/console/plans/?kind=special&state=effective&owner_level=district",
        f"/console/plans/{plan.pk}/",
        f"/console/plans/match/?incident={inc.pk}",
        "/console/plans/activations/",
        f"/console/plans/activations/{a.pk}/",
        f"/console/plans/activations/{a.pk}/rows/",
    ):
        r = c.get(url)
        assert r.status_code == 200, url


def test_other_district_gets_404(world):
    plan = effective_plan(world)
    a = activation(world)
    inc = incident(world)
    c = login(world, "area_staff", "yingde")
    assert c.get(f"/console/plans/{plan.pk}/").status_code == 404
    assert c.get(f"/console/plans/activations/{a.pk}/").status_code == 404
    assert c.get(f"/console/plans/match/?incident={inc.pk}").status_code == 404
    task = a.tasks.first()
    assert c.post(f"/console/plans/tasks/{task.pk}/", {"state": "done", "feedback": "x"}).status_code in (
        403,
        404,
    )
    assert c.post(f"/console/plans/{plan.pk}/retire/", {"reason": "x"}).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/console/plans/?kind=nope",
        "/console/plans/?state=1",
        "/console/plans/?page=abc",
        "/console/plans/match/?incident=abc",
        "/console/plans/match/?warning=-3",
        "/console/plans/activations/?state=x",
        "/console/plans/drills/from-exercise/?exercise=zz",
    ],
)
def test_bad_parameters_are_400(world, url):
    assert login(world, "duty_leader").get(url).status_code == 400


def test_match_without_event_is_400(world):
    assert login(world, "duty_leader").get("/console/plans/match/").status_code == 400


def test_list_constant_in_queries(world, django_assert_max_num_queries):
    c = login(world, "area_staff")
    effective_plan(world)
    with django_assert_max_num_queries(12):
        assert c.get("/console/plans/").status_code == 200
    for i in range(15):
        draft_plan(world, title=f"预案{i}")
    with django_assert_max_num_queries(12):
        r = c.get("/console/plans/")
    assert r.content.decode().count('data-testid="plan-row"') == 16


def test_board_constant_in_queries(world, django_assert_max_num_queries):
    a = activation(world, level="3")
    c = login(world, "dept_staff")
    with django_assert_max_num_queries(14):
        assert c.get(f"/console/plans/activations/{a.pk}/rows/").status_code == 200
    many = activation(world, level="3")
    for i in range(10):
        many.tasks.create(
            level="4", department=world.departments["qc_fire"], role="r", text=f"t{i}", due_at=timezone.now()
        )
    with django_assert_max_num_queries(14):
        assert c.get(f"/console/plans/activations/{many.pk}/rows/").status_code == 200


def test_activation_list_constant_in_queries(world, django_assert_max_num_queries):
    c = login(world, "duty_leader")
    activation(world)
    with django_assert_max_num_queries(10):
        c.get("/console/plans/activations/")
    for _ in range(5):
        activation(world)
    with django_assert_max_num_queries(10):
        c.get("/console/plans/activations/")


def test_offered_means_allowed_on_match_and_board(world):
    plan = effective_plan(world)
    inc = incident(world)
    url = f"/console/plans/match/?incident={inc.pk}"
    assert 'data-testid="activate"' in login(world, "duty_leader").get(url).content.decode()
    assert 'data-testid="activate"' not in login(world, "duty_officer").get(url).content.decode()
    a = actions.do_activate(
        world.user("duty_leader"), plan, actions.event_of(world.user("duty_leader"), incident_id=inc.pk), "4"
    )
    fire_task = a.tasks.get(department=world.departments["qc_fire"])
    page = login(world, "dept_staff").get(f"/console/plans/activations/{a.pk}/").content.decode()
    assert f'data-testid="done-{fire_task.pk}"' not in page  # 应急管理局 staff: not the fire brigade's task
    assert 'data-testid="stand-down"' not in page
    page = login(world, "rescue_lead").get(f"/console/plans/activations/{a.pk}/").content.decode()
    assert f'data-testid="done-{fire_task.pk}"' in page
    page = login(world, "duty_leader").get(f"/console/plans/activations/{a.pk}/").content.decode()
    assert 'data-testid="stand-down"' in page


def test_console_activate_update_stand_down_review(world):
    plan = effective_plan(world)
    inc = incident(world)
    leader = login(world, "duty_leader")
    r = leader.post(
        f"/console/plans/{plan.pk}/activate/", {"incident": inc.pk, "level": "4", "note": "立即响应"}
    )
    a = plan.activations.get()
    assert r.status_code == 302 and r["Location"].endswith(f"/activations/{a.pk}/")
    again = leader.post(f"/console/plans/{plan.pk}/activate/", {"incident": inc.pk, "level": "4"})
    assert again.status_code == 302 and "match" in again["Location"]
    task = a.tasks.get(department=world.departments["qc_fire"])
    login(world, "rescue_lead").post(
        f"/console/plans/tasks/{task.pk}/", {"state": "done", "feedback": "已扑灭"}
    )
    task.refresh_from_db()
    assert task.state == "done"
    leader.post(f"/console/plans/activations/{a.pk}/stand-down/", {"note": "结束"})
    leader.post(f"/console/plans/activations/{a.pk}/review/", {"lessons": "经验"})
    a.refresh_from_db()
    assert a.state == "stood_down" and a.lessons == "经验"


def test_create_and_revise_in_the_console(world):
    c = login(world, "area_staff")
    assert c.get("/console/plans/new/").status_code == 200
    data = {
        "title": "清城区危化品事故专项预案",
        "kind": "special",
        "owner_level": "district",
        "division": world.districts["qingcheng"].pk,
        "event_types": ["workplace"],
        "levels": ["4"],
        "summary": "",
        "tasks-TOTAL_FORMS": "2",
        "tasks-INITIAL_FORMS": "0",
        "tasks-MIN_NUM_FORMS": "0",
        "tasks-MAX_NUM_FORMS": "60",
        "tasks-0-level": "4",
        "tasks-0-department": world.departments["qc_em"].pk,
        "tasks-0-role": "牵头",
        "tasks-0-text": "核实",
        "tasks-0-due_minutes": "30",
        "tasks-1-level": "4",
        "tasks-1-due_minutes": "60",
    }
    r = c.post("/console/plans/new/", data)
    plan = Plan.objects.get(title="清城区危化品事故专项预案")
    assert r.status_code == 302 and plan.tasks.count() == 1
    assert c.get(f"/console/plans/{plan.pk}/edit/").status_code == 200
    r = c.post(f"/console/plans/{plan.pk}/edit/", data | {"title": "新名", "revision_summary": "改名"})
    plan.refresh_from_db()
    assert r.status_code == 302 and plan.version == 2 and plan.title == "新名"
    # a bad task row: the form shows the error, nothing saved
    r = c.post(f"/console/plans/{plan.pk}/edit/", data | {"tasks-0-level": "1", "revision_summary": "x"})
    assert r.status_code == 200
    plan.refresh_from_db()
    assert plan.version == 2
    # out of area: the division is not offered
    r = c.post("/console/plans/new/", data | {"division": world.districts["yingde"].pk})
    assert r.status_code == 200 and not Plan.objects.filter(division=world.districts["yingde"]).exists()


def test_grid_worker_and_enterprise_offered_nothing_they_cannot_do(world):
    assert login(world, "grid_worker").get("/console/plans/").status_code == 403
    assert login(world, "grid_worker").get("/console/plans/new/").status_code == 403
    ent = login(world, "enterprise")
    assert ent.get("/console/plans/").status_code == 200
    assert ent.get("/console/plans/new/").status_code == 200


def test_publish_filing_evaluate_attach_retire_in_console(world):
    c = login(world, "area_staff")
    plan = draft_plan(world)
    c.post(f"/console/plans/{plan.pk}/publish/", {"published_on": timezone.localdate().isoformat()})
    plan.refresh_from_db()
    assert plan.state == "effective"
    c.post(
        f"/console/plans/{plan.pk}/evaluate/",
        {"evaluated_on": timezone.localdate().isoformat(), "conclusion": "可行"},
    )
    c.post(f"/console/plans/{plan.pk}/attach/", {"file": SimpleUploadedFile("p.pdf", b"%PDF-1.4 x")})
    att = plan.attachments.get()
    r = c.get(f"/console/plans/attachments/{att.pk}/")
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    assert (
        login(world, "area_staff", "yingde").get(f"/console/plans/attachments/{att.pk}/").status_code == 404
    )
    r = c.post(f"/console/plans/{plan.pk}/attach/", {"file": SimpleUploadedFile("p.exe", b"MZ")})
    assert plan.attachments.count() == 1
    c.post(f"/console/plans/{plan.pk}/retire/", {"reason": "替代"})
    plan.refresh_from_db()
    assert plan.state == "retired"


def test_drill_from_rescue_exercise_page(world):
    from pingan.rescue.models import Exercise

    plan = effective_plan(world)
    ex = Exercise.objects.create(
        kind="drill",
        title="火灾演练",
        date=dt.date(2026, 3, 10),
        division=world.towns["qingcheng"],
        participants=12,
        recorded_by=world.user("area_staff"),
    )
    c = login(world, "area_staff")
    page = c.get(f"/console/rescue/exercises/{ex.pk}/").content.decode()
    assert f"/console/plans/drills/from-exercise/?exercise={ex.pk}" in page
    assert plan.title in c.get(f"/console/plans/drills/from-exercise/?exercise={ex.pk}").content.decode()
    assert c.get(f"/console/plans/{plan.pk}/drill/?exercise={ex.pk}").status_code == 200
    r = c.post(
        f"/console/plans/{plan.pk}/drill/",
        {"exercise": ex.pk, "held_on": "2026-03-10", "kind": "full", "participants": 12},
    )
    assert r.status_code == 302
    assert plan.drills.get().exercise_id == ex.pk
    assert (
        login(world, "area_staff", "yingde")
        .get(f"/console/plans/drills/from-exercise/?exercise={ex.pk}")
        .status_code
        == 404
    )
    # a duty officer may not record drills: the rescue page does not offer it
    assert (
        "from-exercise"
        not in login(world, "duty_officer").get(f"/console/rescue/exercises/{ex.pk}/").content.decode()
    )


def test_incident_page_offers_matching_plans_only_to_those_allowed(world):
    inc = incident(world)
    url = f"/console/emergency/incidents/{inc.pk}/"
    assert 'data-testid="plans-link"' in login(world, "duty_leader").get(url).content.decode()


def test_workspace_panel_and_figures(world):
    from pingan.plans import figures, workspace

    ent = world.enterprises["qingcheng"]
    plan = draft_plan(
        world,
        by=world.user("enterprise"),
        tasks=[
            {
                "level": "4",
                "department": None,
                "organisation": "生产部",
                "role": "处置",
                "text": "切断",
                "due_minutes": 10,
            }
        ],
        title="现场处置方案",
        kind="onsite",
        owner_level="enterprise",
        enterprise=ent,
        division=ent.division,
        levels=["4"],
    )
    actions.do_publish(world.user("enterprise"), plan, timezone.localdate())
    panels = workspace.panels(world.user("enterprise"))
    assert panels and panels[0]["count"] == 3  # filing, drill, evaluation
    assert workspace.panels(world.user("area_staff")) == []
    a = activation(world)
    t = a.tasks.get(department=world.departments["qc_em"])
    actions.do_update_task(world.user("dept_staff"), t, "done", "ok")
    start, end = timezone.now() - dt.timedelta(days=1), timezone.now() + dt.timedelta(days=1)
    admin = world.user("city_admin", "city")
    assert figures.activations(admin, start, end) == {world.towns["qingcheng"].path: 1}
    assert figures.tasks_on_time(admin, start, end) == {world.towns["qingcheng"].path: (1, 2)}
    assert figures.activations(world.user("area_staff", "yingde"), start, end) == {}


def test_active_warning_page_offers_matching_plans(world):
    from pingan.warnings.tests.factories import to_state

    w = to_state(world, "published")
    page = login(world, "duty_leader").get(f"/console/warnings/{w.pk}/").content.decode()
    assert f"/console/plans/match/?warning={w.pk}" in page
    draft = to_state(world, "draft")
    assert (
        "/console/plans/match/"
        not in login(world, "duty_leader").get(f"/console/warnings/{draft.pk}/").content.decode()
    )
    r = login(world, "duty_leader").get(f"/console/plans/match/?warning={w.pk}")
    assert r.status_code == 200


def test_command_centre_figures_match_independent_sql(world):
    """The two figures in the command centre's table (pingan.dashboard.kpis), against plain SQL."""
    from django.db import connection

    from pingan.dashboard import kpis as K

    today = timezone.localdate()
    a1 = activation(world)  # 清城区 (凤城街道), Ⅳ: two tasks
    a2 = activation(world, "yingde", level="3")  # 英德市: three tasks
    t = a1.tasks.get(department=world.departments["qc_em"])
    actions.do_update_task(world.user("dept_staff"), t, "done", "按时")
    late = a2.tasks.get(department=world.departments["yd_em"])
    late.due_at = timezone.now() - dt.timedelta(minutes=5)
    late.save()
    actions.do_update_task(world.user("dept_staff", "yingde"), late, "done", "超时完成")
    q = K.Query("", today - dt.timedelta(days=6), today + dt.timedelta(days=1), "", "week")
    table = K.table(world.user("city_admin", "city"), q)

    def one(sql, params):
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchone()

    for code in ("441802", "441881"):
        (n,) = one(
            "SELECT COUNT(*) FROM plans_activation a JOIN geo_division d ON d.id = a.division_id "
            "WHERE d.path LIKE %s",
            [code + "%"],
        )
        assert table["by_path"][code]["plans.activations"]["value"] == n == 1
        done, due = one(
            "SELECT SUM(CASE WHEN t.state = 'done' AND t.done_at <= t.due_at THEN 1 ELSE 0 END), COUNT(*) "
            "FROM plans_activationtask t JOIN plans_activation a ON a.id = t.activation_id "
            "JOIN geo_division d ON d.id = a.division_id WHERE d.path LIKE %s",
            [code + "%"],
        )
        value = table["by_path"][code]["plans.tasks_on_time"]["value"]
        assert value == pytest.approx(100 * done / due, abs=0.1), (code, value, done, due)

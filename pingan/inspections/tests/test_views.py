"""Console pages (gate: anonymous → login, refused → 403, out of scope → 404), the public verify page,
the verify_draw command, and list query counts constant in rows."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from pingan.inspections import actions
from pingan.inspections.models import Draw

from .factories import drawn_plan, registers, the_inspection

pytestmark = pytest.mark.django_db


def client(world, role, area="qingcheng"):
    c = Client()
    c.force_login(world.user(role, area))
    return c


@pytest.fixture
def plan(world):
    registers(world)
    return drawn_plan(world)


@pytest.mark.parametrize(
    "name", ["inspections:list", "inspections:plans", "inspections:registers", "inspections:permits"]
)
def test_pages_gate(world, plan, name):
    from django.urls import reverse

    url = reverse(name)
    assert Client().get(url).status_code == 302
    assert client(world, "dept_staff").get(url).status_code == 200
    assert client(world, "grid_worker").get(url).status_code == 403  # grid staff do not inspect
    expected_enterprise = 200 if name == "inspections:permits" else 403
    assert client(world, "enterprise").get(url).status_code == expected_enterprise


def test_detail_scope(world, plan):
    inspection = the_inspection(plan)
    url = f"/console/inspections/{inspection.pk}/"
    r = client(world, "inspector").get(url)
    assert r.status_code == 200
    assert "执法证号" in r.content.decode()
    assert "HC-M1" in r.content.decode()  # the checklist of the target's industry (hazchem)
    assert client(world, "dept_staff", "yingde").get(url).status_code == 404


def test_public_verify_page_and_command(world, plan):
    r = Client().get(f"/inspections/draws/{plan.draw.pk}/")
    assert r.status_code == 200
    assert "复算结果与公布结果一致" in r.content.decode()
    assert plan.name in Client().get("/inspections/draws/").content.decode()
    out = StringIO()
    call_command("verify_draw", str(plan.draw.pk), stdout=out)
    assert "re-run matches" in out.getvalue()
    Draw.objects.filter(pk=plan.draw.pk).update(result=[{"target": 1, "inspectors": [1, 99]}])
    with pytest.raises(CommandError):
        call_command("verify_draw", str(plan.draw.pk), stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("verify_draw", "9999", stdout=StringIO())


def test_hidden_draw_not_on_public_page(world):
    registers(world)
    plan = drawn_plan(world, mode="surprise")
    assert Client().get(f"/inspections/draws/{plan.draw.pk}/").status_code == 404


def _more_inspections(world, n):
    staff = world.user("dept_staff", "qingcheng")
    for k in range(n):
        p = actions.do_create_plan(
            staff, name=f"p{k}", year=2026, division=world.districts["qingcheng"], mode="random", ratio="1"
        )
        actions.do_draw(staff, p, seed=f"s{k}", on=dt.date(2026, 3, 2))


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/inspections/",
        "/api/v1/inspection-plans/",
        "/console/inspections/",
        "/console/inspections/plans/",
        "/console/inspections/registers/",
    ],
)
def test_list_queries_constant(world, plan, url, django_assert_max_num_queries):
    c = client(world, "dept_staff")
    c.get(url)
    with django_assert_max_num_queries(20) as one:
        assert c.get(url).status_code == 200
    _more_inspections(world, 6)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert c.get(url).status_code == 200


def test_permit_list_queries_constant(world, django_assert_max_num_queries):
    ent = world.user("enterprise", "qingcheng")
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

    def apply():
        actions.do_apply_permit(
            ent,
            world.enterprises["qingcheng"],
            work_type="height",
            grade="first",
            location="A",
            work="w",
            applicant="a",
            guardian="b",
            valid_from=start,
            valid_until=start + dt.timedelta(hours=2),
            gas_analyses=[],
        )

    apply()
    c = client(world, "dept_staff")
    c.get("/api/v1/work-permits/")
    with django_assert_max_num_queries(20) as one:
        c.get("/api/v1/work-permits/")
    for _ in range(5):
        apply()
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(c.get("/api/v1/work-permits/").json()["results"]) == 6


def test_deadline_reminders_and_escalation(world, plan):
    from pingan.core import deadlines
    from pingan.notify.models import Message

    inspector = world.user("inspector", "qingcheng")
    inspection = the_inspection(plan)
    actions.do_start(inspector, inspection)
    finding = actions.do_add_finding(
        inspector,
        inspection,
        item=None,
        description="灭火器过期",
        rectify_by=timezone.localdate() + dt.timedelta(days=1),
    )
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    counts = deadlines.reconcile(later)
    assert counts["reminded"] >= 1 and counts["escalated"] >= 1
    assert Message.objects.filter(recipient=inspector, event="inspections.rectify.remind").exists()
    assert Message.objects.filter(
        event="inspections.rectify.overdue", recipient=world.user("dept_staff", "qingcheng")
    ).exists()
    assert finding.pk


def test_public_results_without_personal_data(world, plan):
    inspector = world.user("inspector", "qingcheng")
    inspection = the_inspection(plan)
    actions.do_start(inspector, inspection, representative="代表张三")
    actions.do_add_finding(
        inspector,
        actions.Inspection.objects.get(pk=inspection.pk),
        item=None,
        description="储罐区报警器失效",
        rectify_by=timezone.localdate() + dt.timedelta(days=3),
    )
    actions.do_finish(inspector, actions.Inspection.objects.get(pk=inspection.pk))
    assert world.enterprises["qingcheng"].name not in Client().get("/inspections/results/").content.decode()
    actions.do_publish(
        world.user("dept_staff", "qingcheng"), actions.Inspection.objects.get(pk=inspection.pk)
    )
    page = Client().get("/inspections/results/").content.decode()
    assert world.enterprises["qingcheng"].name in page
    for private in ("代表张三", "储罐区报警器失效", inspector.display_name, "qingcheng_inspector2"):
        assert private not in page


def test_console_offers_draw_only_to_the_planning_office_and_it_works(world):
    registers(world)
    staff = world.user("dept_staff", "qingcheng")
    plan = actions.do_create_plan(
        staff, name="console plan", year=2026, division=world.districts["qingcheng"], mode="random", ratio="1"
    )
    assert (
        f"draw-{plan.pk}" in client(world, "dept_staff").get("/console/inspections/plans/").content.decode()
    )
    assert (
        f"draw-{plan.pk}"
        not in client(world, "inspector").get("/console/inspections/plans/").content.decode()
    )
    assert client(world, "inspector").post(f"/console/inspections/plans/{plan.pk}/draw/").status_code == 403
    assert (
        client(world, "dept_staff", "yingde").post(f"/console/inspections/plans/{plan.pk}/draw/").status_code
        == 404
    )
    r = client(world, "dept_staff").post(f"/console/inspections/plans/{plan.pk}/draw/")
    assert r.status_code == 302
    plan.refresh_from_db()
    assert plan.state == "drawn"
    page = client(world, "dept_staff").get("/console/inspections/plans/").content.decode()
    assert f"/inspections/draws/{plan.draw.pk}/" in page


def test_console_start_finish_publish_buttons(world, plan):
    inspection = the_inspection(plan)
    url = f"/console/inspections/{inspection.pk}/"
    assert 'data-testid="start"' not in client(world, "dept_staff").get(url).content.decode()
    assert client(world, "dept_staff").post(f"{url}start/").status_code == 403
    c = client(world, "inspector")
    assert 'data-testid="start"' in c.get(url).content.decode()
    assert c.post(f"{url}start/", {"representative": "张三"}).status_code == 302
    assert c.post(f"{url}start/").status_code == 302  # stale: a message, no change
    assert 'data-testid="finish"' in c.get(url).content.decode()
    c.post(f"{url}finish/")
    assert 'data-testid="publish"' not in c.get(url).content.decode()  # the inspector does not publish
    office = client(world, "dept_staff")
    assert 'data-testid="publish"' in office.get(url).content.decode()
    office.post(f"{url}publish/")
    inspection.refresh_from_db()
    assert inspection.state == "closed" and inspection.published_at is not None
    assert office.post(f"{url}nonsense/").status_code == 404

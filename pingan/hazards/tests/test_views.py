"""Console pages: list, map, intake (staff, grid worker, enterprise self-report), case page with
its action forms, statistics and Excel export, the routing table editor."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from pingan.hazards import actions
from pingan.hazards.models import Category, HazardCase, RoutingRule

from .factories import PLAN, jpeg_with_gps, submit, to_state

pytestmark = pytest.mark.django_db


def login(world, role, area="qingcheng"):
    c = Client()
    c.force_login(world.user(role, area))
    return c


def test_pages_render(world):
    case = to_state(world, submit(world, photos=[jpeg_with_gps()]), "assigned")
    c = login(world, "dept_staff", "city")
    for url in (
        "/console/hazards/",
        "/console/hazards/map/",
        "/console/hazards/new/",
        "/console/hazards/stats/",
        "/console/hazards/routes/",
        f"/console/hazards/{case.pk}/",
        "/console/hazards/?overdue=1&state=open",
    ):
        r = c.get(url)
        assert r.status_code == 200, url
    page = c.get(f"/console/hazards/{case.pk}/").content.decode()
    assert 'data-testid="timeline"' in page and 'data-testid="tasks"' in page and "action-reassign" in page


def test_other_district_and_public_get_404_or_403(world):
    case = submit(world)
    assert login(world, "area_staff", "yingde").get(f"/console/hazards/{case.pk}/").status_code == 404
    assert login(world, "public", "city").get(f"/console/hazards/{case.pk}/").status_code == 403
    assert Client().get("/console/hazards/").status_code == 302


def test_grid_worker_intake_form(world):
    c = login(world, "grid_worker")
    page = c.get("/console/hazards/new/").content.decode()
    assert 'capture="environment"' in page and "凤城街道" in page
    r = c.post(
        "/console/hazards/new/",
        {
            "category": Category.objects.get(code="ev_charging").pk,
            "title": "楼道充电",
            "description": "",
            "address": "",
            "lat": "23.7",
            "lon": "113.05",
            "grade": "general",
            "source": "grid",
            "client_token": "g1",
            "photos": jpeg_with_gps(),
        },
    )
    assert r.status_code == 302
    case = HazardCase.objects.get()
    assert case.source == "grid" and case.photos.count() == 1


def test_enterprise_self_report(world):
    c = login(world, "enterprise")
    r = c.post(
        "/console/hazards/new/",
        {
            "category": Category.objects.get(code="hazchem").pk,
            "title": "储罐阀门渗漏",
            "lat": "23.7",
            "lon": "113.05",
            "grade": "general",
            "source": "enterprise",
            "client_token": "e1",
        },
    )
    assert r.status_code == 302
    case = HazardCase.objects.get()
    assert case.source == "enterprise" and case.enterprise == world.enterprises["qingcheng"]
    assert c.get(f"/console/hazards/{case.pk}/").status_code == 200
    assert c.get("/console/hazards/").status_code == 200


def test_case_page_actions_and_conflict_message(world):
    case = submit(world)
    c = login(world, "dept_staff", "city")
    r = c.post(
        f"/console/hazards/{case.pk}/act/register/", {"expected_state": "submitted", "grade": "general"}
    )
    assert r.status_code == 302
    r = c.post(
        f"/console/hazards/{case.pk}/act/decline/",
        {"expected_state": "submitted", "reason": "x"},
        follow=True,
    )
    assert "案件状态已变化" in r.content.decode()
    r = c.post(
        f"/console/hazards/{case.pk}/act/assign/",
        {
            "expected_state": "registered",
            "lead_department": world.departments["qc_fire"].pk,
            "co_departments": [world.departments["qc_town"].pk],
            "co_given": "1",
        },
    )
    case.refresh_from_db()
    assert case.state == "assigned" and case.tasks.count() == 2
    town = login(world, "area_staff")
    town.post(f"/console/hazards/{case.pk}/task/", {"state": "done", "note": "已协助"})
    assert case.tasks.get(department=world.departments["qc_town"]).state == "done"


def test_major_plan_form_and_supervision(world):
    dispatcher = world.user("dept_staff", "city")
    case = actions.do_register(dispatcher, submit(world, category="hazchem"), grade="major")
    c = login(world, "dept_staff", "city")
    page = c.get(f"/console/hazards/{case.pk}/").content.decode()
    assert 'data-testid="plan-form"' in page
    r = c.post(f"/console/hazards/{case.pk}/plan/", {**PLAN, "deadline": "2027-01-31"})
    assert r.status_code == 302 and case.plan.goal_tasks == PLAN["goal_tasks"]
    c.post(f"/console/hazards/{case.pk}/supervision/", {"authority": "清远市安委办"})
    case.refresh_from_db()
    assert case.listed and case.listed_authority == "清远市安委办"


def test_bulk_register(world):
    a, b = submit(world), submit(world, title="另一个")
    c = login(world, "dept_staff", "city")
    r = c.post("/console/hazards/bulk/", {"action": "register", "ids": [a.pk, b.pk]})
    assert r.status_code == 302
    assert set(HazardCase.objects.values_list("state", flat=True)) == {"registered"}
    assert (
        login(world, "area_staff").post("/console/hazards/bulk/", {"action": "register"}).status_code == 403
    )


def test_stats_and_excel_export(world):
    to_state(world, submit(world), "closed")
    submit(world, category="gas", area="yingde")
    c = login(world, "city_admin", "city")
    page = c.get("/console/hazards/stats/").content.decode()
    assert 'data-testid="chart"' in page and "清城区" in page and "英德市" in page
    r = c.get("/console/hazards/stats/export.xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    assert len(wb.sheetnames) == 5
    ws = wb.worksheets[0]
    rows = {row[0]: row for row in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["清城区"][1] == 1 and rows["清城区"][2] == 1 and rows["清城区"][6] == 100.0
    period = wb.worksheets[4]
    labels = [row[3] for row in period.iter_rows(min_row=2, max_row=6, values_only=True)]
    assert labels[0].strftime("%m-%d") == "04-15" and labels[4].strftime("%m-%d") == "01-31"


def test_routing_editor_admin_only(world):
    rule = RoutingRule.objects.get(category__code="gas")
    admin = login(world, "city_admin", "city")
    r = admin.post(
        "/console/hazards/routes/",
        {
            "id": rule.pk,
            "category": rule.category_id,
            "level": "town",
            "grade": "",
            "lead_sector": "government",
            "co_sectors": ["fire"],
            "note": "乡镇燃气由街道牵头",
        },
    )
    assert r.status_code == 302
    rule.refresh_from_db()
    assert rule.level == "town" and rule.co_sectors == ["fire"]
    staff = login(world, "dept_staff")
    assert staff.get("/console/hazards/routes/").status_code == 200
    assert (
        staff.post(
            "/console/hazards/routes/",
            {"id": rule.pk, "category": rule.category_id, "level": "city", "lead_sector": "fire"},
        ).status_code
        == 403
    )


def test_merge_takes_the_number_people_see(world):
    # QA: the merge form asked for an internal id while the page shows YH-2026-…
    first, second = submit(world), submit(world)
    c = login(world, "dept_staff", "city")
    r = c.post(
        f"/console/hazards/{first.pk}/act/merge/",
        {"expected_state": "submitted", "into": second.number.lower()},
    )
    assert r.status_code == 302
    first.refresh_from_db()
    assert first.merged_into_id == second.pk
    third = submit(world)
    r = c.post(
        f"/console/hazards/{third.pk}/act/merge/",
        {"expected_state": "submitted", "into": "YH-1999-9999999"},
        follow=True,
    )
    assert "目标隐患不存在" in r.content.decode()
    third.refresh_from_db()
    assert third.merged_into_id is None


def test_case_list_exports_the_filtered_cases_as_excel(world):
    import io

    import openpyxl

    submit(world)
    second = submit(world, title="另一条隐患")
    c = login(world, "dept_staff", "city")
    page = c.get("/console/hazards/").content.decode()
    assert 'data-testid="export-xlsx"' in page
    r = c.get("/console/hazards/", {"q": second.title, "export": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "编号" and [row[0] for row in rows[1:]] == [second.number]
    other = login(world, "area_staff", "yingde").get("/console/hazards/", {"export": "xlsx"})
    assert [
        row[0] for row in openpyxl.load_workbook(io.BytesIO(other.content)).active.iter_rows(values_only=True)
    ][1:] == []


def test_category_names_follow_the_page_language(world):
    from django.utils import translation

    case = submit(world)  # 疏散通道堵塞, with its English name from the defaults
    c = login(world, "dept_staff", "city")
    with translation.override("en"):
        assert str(case.category) == "Blocked escape route"
    c.cookies["django_language"] = "en"
    page = c.get(f"/console/hazards/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Blocked escape route" in page and "疏散通道堵塞" not in page
    with translation.override("zh-hans"):
        assert str(case.category) == "疏散通道堵塞"


def test_reassign_preselects_the_current_lead(world):
    """Issue #11: 改派 opens with the current lead chosen (not the first department of the list)."""
    case = to_state(world, submit(world), "assigned")
    page = login(world, "dept_staff", "city").get(f"/console/hazards/{case.pk}/").content.decode()
    form = page[page.index('data-testid="action-reassign"') :]
    form = form[: form.index("</form>")]
    lead_select = form[form.index('data-testid="lead-select"') : form.index("</select>")]
    assert f'value="{case.lead_department_id}" selected' in lead_select
    assert lead_select.count(" selected") == 1

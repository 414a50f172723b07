"""Console pages: each role's view (anonymous → login, refused → 403, other district → 404), the
forms behind them, the command-centre figures and the enterprise workspace panel."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from pingan.risks import actions
from pingan.risks.dashboard import kpis, layers
from pingan.risks.workspace import panels

from .factories import analysis_unit, chain, city_point, mhs

pytestmark = pytest.mark.django_db


def client_for(world, role, area="qingcheng"):
    c = Client()
    if role is not None:
        c.force_login(world.user(role, area))
    return c


PAGES = [
    "risks:list",
    "risks:tasks",
    "risks:map",
    "risks:mhs_list",
    "risks:calculator",
    "risks:commitments",
    "risks:create",
    "risks:mhs_create",
]
# (role, area) → pages they may open; every other page answers 403.
OPENS = {
    ("city_admin", "city"): set(PAGES),
    ("area_staff", "qingcheng"): set(PAGES) - {"risks:mhs_create"},
    ("grid_worker", "qingcheng"): set(PAGES) - {"risks:mhs_create", "risks:create"},
    ("duty_officer", "qingcheng"): set(PAGES) - {"risks:mhs_create", "risks:create"},
    ("enterprise", "qingcheng"): set(PAGES),
    ("public", "city"): set(),
}


@pytest.mark.parametrize("role,area", list(OPENS), ids=[f"{r}-{a}" for r, a in OPENS])
def test_pages_per_role(world, role, area):
    point = city_point(world, lat=23.7, lon=113.05)
    task = chain(world, point)
    src = mhs(world)
    c = client_for(world, role, area)
    for name in PAGES:
        r = c.get(reverse(name))
        assert r.status_code == (200 if name in OPENS[(role, area)] else 403), (name, r.status_code)
    staff_here = role in ("city_admin", "area_staff", "grid_worker", "duty_officer")
    for url in (reverse("risks:detail", args=[point.pk]), reverse("risks:task", args=[task.pk])):
        assert c.get(url).status_code == (200 if staff_here else 404 if role == "enterprise" else 403)
    assert c.get(reverse("risks:mhs_detail", args=[src.pk])).status_code == (403 if role == "public" else 200)


def test_anonymous_goes_to_login(world):
    r = Client().get(reverse("risks:list"))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_other_district_gets_404(world):
    point = city_point(world)
    task = chain(world, point)
    src = mhs(world)
    c = client_for(world, "area_staff", "yingde")
    for url in (
        reverse("risks:detail", args=[point.pk]),
        reverse("risks:task", args=[task.pk]),
        reverse("risks:mhs_detail", args=[src.pk]),
    ):
        assert c.get(url).status_code == 404


def test_offered_means_allowed(world):
    point = city_point(world)
    task = chain(world, point)
    keeper = client_for(world, "area_staff").get(reverse("risks:detail", args=[point.pk])).content.decode()
    duty = client_for(world, "duty_officer").get(reverse("risks:detail", args=[point.pk])).content.decode()
    assert 'data-testid="assess"' in keeper and 'data-testid="assess"' not in duty
    assert (
        'data-testid="record-form"'
        in client_for(world, "grid_worker").get(reverse("risks:task", args=[task.pk])).content.decode()
    )
    assert (
        'data-testid="record-form"'
        not in client_for(world, "duty_officer").get(reverse("risks:task", args=[task.pk])).content.decode()
    )
    assert (
        'data-testid="new-risk"'
        not in client_for(world, "duty_officer").get(reverse("risks:list")).content.decode()
    )


def test_console_forms_run_the_actions(world):
    c = client_for(world, "area_staff")
    r = c.post(
        reverse("risks:create"),
        {
            "kind": "city_point",
            "name": "滨江边坡",
            "point_type": "slope",
            "division": world.towns["qingcheng"].pk,
            "lat": "23.70",
            "lon": "113.05",
        },
    )
    assert r.status_code == 302
    from pingan.risks.models import RiskObject

    obj = RiskObject.objects.get(name="滨江边坡")
    url = reverse("risks:detail", args=[obj.pk])
    c.post(url, {"op": "assess", "method": "lec", "likelihood": "3", "exposure": "10", "consequence": "15"})
    obj.refresh_from_db()
    assert obj.level == "major"
    r = c.post(
        url,
        {"op": "assess", "method": "lec", "likelihood": "4", "exposure": "10", "consequence": "15"},
        follow=True,
    )
    assert "likelihood" in r.content.decode()  # the error names the field
    c.post(url, {"op": "event", "name": "滑坡"})
    event = obj.events.get()
    c.post(url, {"op": "measure", "event": event.pk, "kind": "engineering", "description": "截排水沟"})
    measure = event.measures.get()
    grid = world.user("grid_worker")
    c.post(
        url,
        {
            "op": "task",
            "measure": measure.pk,
            "name": "雨后巡查",
            "cycle": "weekly",
            "every": "1",
            "checklist": "坡面裂缝\n排水通畅",
            "assignee": grid.pk,
        },
    )
    task = measure.tasks.get()
    assert task.checklist == ["坡面裂缝", "排水通畅"] and task.assignee == grid
    r = client_for(world, "grid_worker").post(
        reverse("risks:task", args=[task.pk]),
        {"result": "finding", "note": "坡脚出现裂缝", "item-0": "problem", "item-1": "ok"},
        follow=True,
    )
    rec = task.records.get()
    assert rec.hazard_case_id and rec.answers == {"坡面裂缝": "problem", "排水通畅": "ok"}
    assert 'data-testid="case-link"' in r.content.decode()


def test_calculator_page_shows_steps_and_errors(world):
    c = client_for(world, "enterprise")
    r = c.post(
        reverse("risks:calculator"),
        {"chemical": ["氯", ""], "category": ["", ""], "quantity": ["70", ""], "population": "100"},
    )
    html = r.content.decode()
    assert 'data-testid="calc-r">112<' in html and 'data-testid="calc-s">14<' in html
    r = c.post(
        reverse("risks:calculator"),
        {"chemical": ["神秘物质"], "category": [""], "quantity": ["3"], "population": "1"},
    )
    assert "chemicals[0].chemical" in r.content.decode()


def test_enterprise_declares_files_and_commits_in_the_console(world):
    c = client_for(world, "enterprise")
    r = c.post(
        reverse("risks:mhs_create"),
        {
            "name": "液氨储罐",
            "unit_kind": "storage",
            "population": "40",
            "chemical": ["氨", "氯"],
            "category": ["", ""],
            "quantity": ["8", "1.5"],
        },
    )
    assert r.status_code == 302
    src = world.enterprises["qingcheng"].major_hazard_sources.get()
    assert src.grade == "4"
    c.post(reverse("risks:mhs_detail", args=[src.pk]), {"number": ""})
    src.refresh_from_db()
    assert src.filing_state == "filed"
    c.post(
        reverse("risks:commitments"),
        {"text": "承诺", "signed_by": "王五", "units_running": "3", "work-hot_work": "1"},
    )
    row = world.enterprises["qingcheng"].commitments.get()
    assert row.units_running == 3 and row.special_work == {"hot_work": 1}
    html = client_for(world, "dept_staff").get(reverse("risks:commitments")).content.decode()
    assert 'data-testid="commitment-rate"' in html


def test_dashboard_and_workspace(world):
    mhs(world)
    unit = analysis_unit(world)
    chain(world, unit)
    staff = world.user("dept_staff")
    labels = [k["label"] for k in kpis(staff)]
    assert "今日承诺完成率" in labels
    rate = next(k for k in kpis(staff) if k["label"] == "今日承诺完成率")
    assert rate["value"] == "0.0%"
    actions.do_submit_commitment(
        world.user("enterprise"), world.enterprises["qingcheng"], text="承诺", signed_by="张"
    )
    assert next(k for k in kpis(staff) if k["label"] == "今日承诺完成率")["value"] in ("100.0%", "0.0%")
    assert kpis(world.user("enterprise")) == [] and layers(world.user("public", "city")) == []
    assert layers(staff)[0]["url"] == reverse("risks-api:risk-object-map")
    [panel] = panels(world.user("enterprise"))
    assert panel["title"] == "风险防控" and panel["count"] == len(panel["items"]) >= 2
    assert {"label", "url", "pill", "when"} <= set(panel["items"][0])
    assert panels(staff) == []


def test_enterprise_sees_its_own_four_colour_plan(world, login_api):
    unit = analysis_unit(world)
    actions.do_assess(world.user("enterprise"), unit, method="ls", inputs={"likelihood": 5, "severity": 5})
    city_point(world, lat=23.7, lon=113.05)
    geo = login_api("enterprise").get("/api/v1/risk-objects/map/").json()
    assert [f["properties"]["colour"] for f in geo["features"]] == ["red"]
    html = client_for(world, "enterprise").get(reverse("risks:map")).content.decode()
    assert 'data-testid="risk-counts"' not in html  # area figures are for government staff
    assert 'data-testid="own-units"' in html and unit.name in html


def test_commitments_are_published_on_the_portal(world):
    mhs(world)
    actions.do_submit_commitment(
        world.user("enterprise"), world.enterprises["qingcheng"], text="今日风险可控", signed_by="张总"
    )
    html = Client().get(reverse("risks-public:commitments")).content.decode()
    assert "今日风险可控" in html and world.enterprises["qingcheng"].name in html
    assert (
        "今日风险可控"
        not in Client().get(reverse("risks-public:commitments") + "?day=2020-01-01").content.decode()
    )
    assert reverse("risks-public:commitments") in Client().get("/").content.decode()

"""The prevention loop in a browser (screenshots in var/screenshots/risks-*.png): a township official
sees the four-colour map; a risk point's monthly check is missed and shows overdue; a grid worker's
check on a phone finds a problem and the hazard case appears in the hazard platform, linked back; an
enterprise computes, declares and files a major hazard source and submits its daily commitment; the
command centre shows the commitment rate."""

import datetime as dt

import pytest
from django.utils import timezone

from pingan.core import deadlines
from pingan.core.testing import PASSWORD, make_world
from pingan.hazards.defaults import ensure_defaults
from pingan.hazards.models import HazardCase
from pingan.risks import actions
from pingan.risks.models import CheckTask

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(page, login, username, mobile=False):
    size = {"width": 390, "height": 844} if mobile else {"width": 1366, "height": 900}
    ctx = page.context.browser.new_context(locale="zh-CN", viewport=size, is_mobile=mobile, has_touch=mobile)
    pg = ctx.new_page()
    pg.set_default_timeout(15000)
    pg.base = page.base
    login(pg, username, PASSWORD)
    return pg


def test_prevention_loop(page, login, shot):
    ensure_defaults()
    world = make_world()
    staff = world.user("area_staff")
    points = []
    for name, lk, e, c, lat in (
        ("凤城广场", 3, 10, 15, 23.70),
        ("滨江边坡", 6, 6, 7, 23.72),
        ("老城农贸市场", 6, 6, 3, 23.66),
        ("北江大桥", 1, 2, 3, 23.75),
    ):
        p = actions.do_create_object(
            staff,
            kind="city_point",
            name=name,
            point_type="crowded",
            division=world.towns["qingcheng"],
            lat=lat,
            lon=113.05,
        )
        actions.do_assess(staff, p, method="lec", inputs={"likelihood": lk, "exposure": e, "consequence": c})
        points.append(p)
    event = actions.do_add_event(staff, points[0], name="拥挤踩踏")
    measure = actions.do_add_measure(staff, event, kind="management", description="人流限流与疏导")
    monthly = actions.do_add_task(
        staff,
        measure,
        name="月度疏散通道检查",
        cycle="monthly",
        first_due_at=timezone.now() - dt.timedelta(hours=3),
    )
    daily = actions.do_add_task(
        staff, measure, name="每日人流巡查", cycle="daily", checklist=["安全出口畅通", "护栏完好"]
    )
    deadlines.reconcile()  # the missed monthly check escalates

    # 1. The township official sees the four-colour map with counts by township.
    official = _as(page, login, "qingcheng_grid")
    official.goto(official.base + "/console/risks/map/")
    official.wait_for_selector("#risk-map[data-ready='1']")
    assert official.locator("[data-testid=count-row]").count() >= 1
    drawn = official.evaluate(
        "document.getElementById('risk-map')._pingan.layers['风险点(按等级着色)'].getLayers()"
        ".map(l => l.feature.properties.colour)"
    )
    assert sorted(drawn) == ["blue", "orange", "red", "yellow"]
    official.wait_for_timeout(800)  # let the zoom to the points finish before the picture
    shot(official, "risks-1-four-colour-map")

    # 2. The monthly check was missed: it shows overdue.
    official.goto(official.base + "/console/risks/tasks/?overdue=1")
    row = official.locator("[data-testid=task-row]", has_text="月度疏散通道检查")
    assert row.locator("[data-testid=overdue]").count() == 1
    shot(official, "risks-2-overdue-check")
    assert CheckTask.objects.get(pk=monthly.pk).overdue

    # 3. On a phone the grid worker checks, finds a problem; the hazard case appears, linked back.
    phone = _as(page, login, "qingcheng_grid", mobile=True)
    phone.goto(phone.base + f"/console/risks/tasks/{daily.pk}/")
    phone.select_option("select[name=item-0]", "problem")
    phone.check("[data-testid=result-finding]")
    phone.fill("[data-testid=note]", "东侧安全出口被摊位占用")
    phone.click("[data-testid=do-record]")
    phone.wait_for_load_state("networkidle")
    link = phone.locator("[data-testid=case-link]")
    assert link.count() == 1
    shot(phone, "risks-3-phone-check-finding")
    case = HazardCase.objects.get()
    assert case.number in link.inner_text()
    phone.goto(phone.base + link.get_attribute("href"))
    assert case.number in phone.locator("[data-testid=case-title]").inner_text()
    shot(phone, "risks-4-hazard-case")

    # 4. The enterprise computes, declares and files a major hazard source, then commits for the day.
    ent = _as(page, login, "qingcheng_ent")
    ent.goto(ent.base + "/console/risks/calculator/")
    ent.click("[data-testid=do-calc]")
    assert ent.locator("[data-testid=calc-r]").inner_text() == "5.6"
    shot(ent, "risks-5-calculator")
    ent.goto(ent.base + "/console/risks/major-hazards/new/")
    ent.fill("input[name=name]", "液氯储罐区")
    ent.locator("input[name=chemical]").nth(0).fill("氯")
    ent.locator("input[name=quantity]").nth(0).fill("6.25")
    ent.fill("input[name=population]", "100")
    ent.click("[data-testid=do-declare]")
    ent.wait_for_load_state("networkidle")
    assert ent.locator("[data-testid=calc-grade]").inner_text() == "三级"
    ent.click("[data-testid=do-file]")
    ent.wait_for_load_state("networkidle")
    assert "已备案" in ent.locator("[data-testid=filing-state]").inner_text()
    shot(ent, "risks-6-major-hazard-filed")
    ent.goto(ent.base + "/console/risks/commitments/")
    ent.fill("input[name=signed_by]", "张总")
    ent.fill("input[name=units_running]", "3")
    ent.click("[data-testid=do-commit]")
    ent.wait_for_load_state("networkidle")
    assert ent.locator("[data-testid=committed]").count() == 1
    shot(ent, "risks-7-commitment")

    # 5. The command centre shows the commitment rate.
    centre = _as(page, login, "qingcheng_dept")
    centre.goto(centre.base + "/console/command/")
    kpis = centre.locator("[data-testid=kpis]").inner_text()
    assert "今日承诺完成率" in kpis
    shot(centre, "risks-8-command-centre")

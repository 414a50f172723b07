"""The prevention loop in a browser (screenshots in var/screenshots/risks-*.png): a township official
sees the four-colour map; a risk point's monthly check is missed and shows overdue; a grid worker's
check on a phone finds a problem and the hazard case appears in the hazard platform, linked back; an
enterprise computes, declares and files a major hazard source and submits its daily commitment; the
command centre shows the commitment rate; the major hazard source shows its sensors live and a
township keeper connects a lifeline's monitoring from a template and sees its alarm."""

import datetime as dt

import pytest
from django.utils import timezone

from pingan.core import deadlines
from pingan.core.testing import PASSWORD, make_world
from pingan.hazards.defaults import ensure_defaults
from pingan.hazards.models import HazardCase
from pingan.monitoring import services as monitoring
from pingan.monitoring.thresholds import ensure_default_rules
from pingan.risks import actions
from pingan.risks.models import CheckTask, LifelineAsset, MajorHazardSource

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

    # 6. The major hazard source's sensors, live: the enterprise connects them from the template, the
    #    readings arrive (tank level over its high-high mark) and the panel refreshes by itself.
    ensure_default_rules()
    src = MajorHazardSource.objects.get()
    ent.goto(ent.base + f"/console/risks/major-hazards/{src.pk}/")
    ent.click("[data-testid=attach-sensors] summary")
    ent.click("[data-testid=apply-mhs-template]")
    ent.wait_for_load_state("networkidle")
    assert ent.locator("[data-testid=sensor-row]").count() == 4
    device_id = actions.device_ids(src)[0]
    from pingan.monitoring.models import Device

    device = Device.objects.get(pk=device_id)
    now = timezone.now()
    monitoring.ingest(
        device,
        [
            {"sensor": "l1", "ts": (now - dt.timedelta(seconds=40)).isoformat(), "value": 8.1},
            {"sensor": "l1", "ts": (now - dt.timedelta(seconds=20)).isoformat(), "value": 9.35},
            {"sensor": "k1", "ts": (now - dt.timedelta(seconds=20)).isoformat(), "value": 31.5},
        ],
    )
    ent.wait_for_selector("[data-testid=open-alarms]", timeout=15000)  # the htmx refresh, no reload
    assert "9.35" in ent.locator("[data-testid=live-sensors]").inner_text()
    ent.locator("[data-testid=live-sensors]").scroll_into_view_if_needed()
    shot(ent, "risks-9-major-hazard-live-sensors")

    # 7. A township keeper's lifeline: the map layer, then the asset's page where a monitoring template
    #    creates its sensors and rules in one step; a waterlogging depth of 31 cm raises its alarm.
    keeper = world.user("area_staff")
    pipe = actions.do_create_lifeline(
        keeper,
        kind="gas_pipeline",
        name="凤城中压燃气干管",
        geometry={"type": "LineString", "coordinates": [[113.03, 23.69], [113.05, 23.70], [113.07, 23.705]]},
    )
    actions.do_apply_template(keeper, pipe, "gas_manhole")
    spot = actions.do_create_lifeline(
        keeper, kind="waterlogging", name="凤城下穿通道易涝点", lat=23.71, lon=113.06
    )
    area = _as(page, login, "qingcheng_area")
    area.goto(area.base + "/console/risks/lifelines/")
    area.wait_for_selector("#lifeline-map[data-ready='1']")
    assert area.locator("[data-testid=lifeline-row]").count() == 2
    shot(area, "risks-10-lifeline-map")
    area.goto(area.base + f"/console/risks/lifelines/{spot.pk}/")
    area.select_option("[data-testid=apply-template] select[name=template]", "waterlogging")
    area.click("[data-testid=apply-template] button")
    area.wait_for_load_state("networkidle")
    assert area.locator("[data-testid=sensor-row]").count() == 1
    sensor_device = Device.objects.get(pk=actions.device_ids(LifelineAsset.objects.get(pk=spot.pk))[0])
    now = timezone.now()
    monitoring.ingest(
        sensor_device,
        [
            {"sensor": "wd1", "ts": (now - dt.timedelta(seconds=60 - 20 * k)).isoformat(), "value": v}
            for k, v in enumerate([0.05, 0.31, 0.31])
        ],
    )
    area.reload()
    assert "积水深度" in area.locator("[data-testid=open-alarms]").inner_text()
    shot(area, "risks-11-lifeline-asset")

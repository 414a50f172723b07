"""The whole loop in a browser: a citizen reports with a photo and gets a code; the dispatch centre
registers and assigns it; the lead department and a co-handler work it; acceptance is rejected once
and then passed; the tracking page shows it closed; the citizen answers "not fixed" and it reopens."""

import pytest

from pingan.core.testing import PASSWORD, make_world
from pingan.hazards.defaults import ensure_defaults
from pingan.hazards.models import HazardCase

from .factories import jpeg_with_gps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(page, login, username):
    ctx = page.context.browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    pg = ctx.new_page()
    pg.set_default_timeout(15000)
    pg.base = page.base
    login(pg, username, PASSWORD)
    return pg


def _act(pg, action, reason=None, fill=None):
    pg.click(f"[data-testid=action-{action}] summary")
    box = pg.locator(f"[data-testid=action-{action}]")
    if fill:
        fill(box)
    if reason is not None:
        box.locator("textarea[name=reason]").fill(reason)
    box.locator(f"[data-testid=do-{action}]").click()
    pg.wait_for_load_state("networkidle")


def test_citizen_to_closure_and_reopen(page, login, shot, tmp_path):
    ensure_defaults()
    world = make_world()

    # 1. The citizen reports on the portal, anonymously, with a photo from the phone.
    page.goto(page.base + "/report/")
    page.select_option("#id_category", label="— 疏散通道堵塞")
    page.fill("#id_title", "小区3栋楼道堆满纸箱")
    page.fill("#id_description", "消防通道被杂物堵住,已有一周")
    page.fill("#id_address", "凤城街道朝阳路 8 号")
    photo = tmp_path / "scene.jpg"
    photo.write_bytes(jpeg_with_gps().read())
    page.set_input_files("#id_photos", str(photo))
    page.wait_for_function("document.getElementById('pick-map')._pingan")
    page.evaluate("PinganHazard.set(23.7012, 113.0523)")
    shot(page, "hazards-01-public-report")
    page.click("[data-testid=submit-report]")
    page.wait_for_selector("[data-testid=tracking-code]")
    code = page.inner_text("[data-testid=tracking-code]").strip()
    case = HazardCase.objects.get(tracking_code=code)
    assert case.source == "public" and case.photos.count() == 1
    shot(page, "hazards-02-tracking-code")

    # 2. The dispatch centre registers and assigns: lead the fire brigade, co-handler the street office.
    d = _as(page, login, "dispatcher")
    d.goto(d.base + f"/console/hazards/{case.pk}/")
    _act(d, "register", fill=lambda box: box.locator("select[name=grade]").select_option("general"))
    assert "已立案" in d.inner_text("[data-testid=case-state]")

    def choose(box):
        box.locator("[data-testid=lead-select]").select_option(str(world.departments["qc_fire"].pk))
        box.locator("[data-testid=co-select]").select_option([str(world.departments["qc_town"].pk)])

    _act(d, "assign", reason="按派遣规则", fill=choose)
    assert "清城区消防救援大队" in d.inner_text("[data-testid=lead-department]")
    shot(d, "hazards-03-dispatched")

    # 3. The lead department starts; the co-handler finishes its task; the lead submits for acceptance.
    lead = _as(page, login, "qingcheng_rescue")  # a person of 清城区消防救援大队
    lead.goto(lead.base + f"/console/hazards/{case.pk}/")
    _act(lead, "start", reason="已安排人员")
    co = _as(page, login, "qingcheng_area")  # a person of 凤城街道办事处
    co.goto(co.base + f"/console/hazards/{case.pk}/")
    co.fill("[data-testid=my-task] textarea[name=note]", "街道已通知物业清理")
    co.click("[data-testid=finish-cotask]")
    co.wait_for_load_state("networkidle")
    lead.goto(lead.base + f"/console/hazards/{case.pk}/")

    def evidence(box):
        box.locator("[data-testid=rectify-measures]").fill("清走楼道纸箱")
        box.locator("[data-testid=rectify-responsible]").fill("张三")

    _act(lead, "submit_rectification", reason="杂物已清理,通道畅通", fill=evidence)
    assert "待验收" in lead.inner_text("[data-testid=case-state]")

    # 4. Acceptance by the grid worker: rejected once, then passed.
    grid = _as(page, login, "qingcheng_grid")
    grid.goto(grid.base + f"/console/hazards/{case.pk}/")
    _act(grid, "reject", reason="一楼仍有纸箱")
    assert "整改中" in grid.inner_text("[data-testid=case-state]")
    lead.goto(lead.base + f"/console/hazards/{case.pk}/")
    _act(lead, "submit_rectification", reason="一楼纸箱也已清走", fill=evidence)
    grid.goto(grid.base + f"/console/hazards/{case.pk}/")
    _act(grid, "accept", reason="现场核查通过")
    assert "已销号" in grid.inner_text("[data-testid=case-state]")
    shot(grid, "hazards-04-closed-console")

    # 5. The citizen's tracking page shows it closed; "not fixed" reopens it.
    page.goto(page.base + f"/report/track/{code}/")
    assert "已销号" in page.inner_text("[data-testid=public-case]")
    text = page.content()
    assert "一楼仍有纸箱" not in text  # the internal rejection note stays internal
    shot(page, "hazards-05-tracking-closed")
    page.check("[data-testid=answer-not_fixed]")
    page.fill("textarea[name=note]", "今天又堆上了")
    page.click("[data-testid=send-feedback]")
    page.wait_for_selector("[data-testid=thanks]")
    assert "整改中" in page.inner_text("[data-testid=public-case]")
    shot(page, "hazards-06-reopened")
    case.refresh_from_db()
    assert case.state == "rectifying" and case.reopened_count == 1

    # The dispatcher's list and map show it again among the open cases.
    d.goto(d.base + "/console/hazards/?state=open")
    assert case.number in d.inner_text("[data-testid=hazard-table]")
    shot(d, "hazards-07-list")
    d.goto(d.base + f"/console/hazards/{case.pk}/")
    shot(d, "hazards-08-case-page")
    # A few more cases around both districts, in various states, for the map and the statistics.
    import random

    from .factories import submit, to_state

    rng = random.Random(3)
    for i in range(40):
        area = "qingcheng" if i % 2 else "yingde"
        lat0, lon0 = (23.6, 113.0) if area == "qingcheng" else (24.1, 113.3)
        extra = submit(
            world,
            area=area,
            lat=lat0 + rng.uniform(0.02, 0.18),
            lon=lon0 + rng.uniform(0.01, 0.09),
            category=rng.choice(["fire_exit", "gas", "hazchem", "other"]),
            title=f"演示隐患 {i}",
        )
        to_state(
            world,
            extra,
            rng.choice(["submitted", "assigned", "rectifying", "awaiting_acceptance", "closed"]),
            area=area,
        )
    d.goto(d.base + "/console/hazards/map/")
    d.wait_for_selector("#hazard-map[data-loaded='1']")
    assert int(d.get_attribute("#hazard-map", "data-count")) == 41
    d.wait_for_timeout(1500)  # let the zoom animation settle before the picture
    shot(d, "hazards-09-map")
    d.goto(d.base + "/console/hazards/stats/")
    d.wait_for_timeout(800)
    shot(d, "hazards-10-stats")


def test_grid_worker_reports_from_a_phone(page, login, shot, tmp_path):
    """The grid worker's form on a phone: camera photo, browser position, their grid preselected."""
    ensure_defaults()
    make_world()
    ctx = page.context.browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        geolocation={"latitude": 23.705, "longitude": 113.055},
        permissions=["geolocation"],
        is_mobile=True,
    )
    pg = ctx.new_page()
    pg.base = page.base
    login(pg, "qingcheng_grid", PASSWORD)
    pg.goto(pg.base + "/console/hazards/new/")
    pg.select_option("#id_category", label="— 电动自行车违规充电")
    pg.fill("#id_title", "楼道内电动车充电")
    photo = tmp_path / "p.jpg"
    photo.write_bytes(jpeg_with_gps().read())
    pg.set_input_files("#id_photos", str(photo))
    pg.click("[data-testid=use-my-location]")
    pg.wait_for_function("document.getElementById('id_lat').value.startsWith('23.705')")
    shot(pg, "hazards-11-grid-phone-form")
    pg.click("[data-testid=submit-hazard]")
    pg.wait_for_selector("[data-testid=case-title]")
    case = HazardCase.objects.get()
    assert case.source == "grid" and case.photos.count() == 1 and abs(case.lon - 113.055) < 1e-6
    shot(pg, "hazards-12-grid-phone-case")
    ctx.close()


def test_citizen_my_reports_and_whole_history(page, login, shot):
    """A signed-in citizen finds "my reports" in the menu, opens a case reopened after "not fixed" and
    sees the whole history with their own note."""
    from pingan.hazards import actions

    from .factories import submit, to_state

    ensure_defaults()
    world = make_world()
    citizen = world.user("public", "city")
    case = to_state(
        world, submit(world, reporter=citizen, source="public", title="小区消防通道被占"), "closed"
    )
    actions.do_feedback(citizen, case, answer="not_fixed", note="晚上又停满了电动车")
    submit(world, reporter=citizen, source="public", title="路边燃气管道裸露", category="gas")
    login(page, "citizen", PASSWORD)
    page.goto(page.base + "/")
    page.click("text=我的上报")
    page.wait_for_selector("[data-testid=my-reports]")
    assert page.locator("[data-testid=my-report]").count() == 2
    shot(page, "hazards-13-citizen-my-reports")
    page.click("text=小区消防通道被占")
    page.wait_for_selector("[data-testid=public-steps]")
    steps = page.inner_text("[data-testid=public-steps]")
    assert "已销号" in steps and "重新打开整改" in steps
    assert "晚上又停满了电动车" in page.inner_text("[data-testid=public-feedback]")
    shot(page, "hazards-14-citizen-tracking-history")


def test_enterprise_case_page(page, login, shot):
    """The enterprise opens its self-report from the console: no dispatch buttons, its own comment box."""
    from .factories import submit

    ensure_defaults()
    world = make_world()
    case = submit(
        world,
        category="hazchem",
        enterprise=world.enterprises["qingcheng"],
        source="enterprise",
        reporter=world.user("enterprise"),
        title="储罐区阀门渗漏",
    )
    login(page, "qingcheng_ent", PASSWORD)
    page.goto(page.base + f"/console/hazards/{case.pk}/")
    page.wait_for_selector("[data-testid=case-title]")
    assert page.locator("[data-testid=case-actions]").count() == 0
    assert page.locator("[data-testid=comment-form]").count() == 1
    shot(page, "hazards-15-enterprise-case")


def test_co_handled_case_closed_without_reassign(page, login, shot, tmp_path):
    """Issue #11: the co-handler finishes its own task from the case page (完成协办), the lead then
    submits for acceptance with its evidence (photos before and after, measures, cost, the person
    responsible), prints a 整改通知书, and the area accepts with before and after side by side — no 改派."""
    from pingan.core.models import AuditEvent
    from pingan.hazards import actions

    from .factories import png, submit, to_state

    ensure_defaults()
    world = make_world()
    case = to_state(world, submit(world, title="商铺门前燃气瓶露天存放", category="gas"), "registered")
    case = actions.do_assign(
        world.user("dept_staff", "city"),
        case,
        lead=world.departments["qc_fire"],
        co=[world.departments["qc_town"]],
    )
    url = f"/console/hazards/{case.pk}/"
    lead = _as(page, login, "qingcheng_rescue")  # 清城区消防救援大队, the lead
    lead.goto(lead.base + url)
    _act(lead, "start", reason="已安排人员")
    assert lead.locator("[data-testid=waiting-co]").is_visible()
    assert lead.locator("[data-testid=action-submit_rectification]").count() == 0
    shot(lead, "hazards-16-lead-waits-for-co-handler")

    co = _as(page, login, "qingcheng_area")  # 凤城街道办事处, the co-handler
    co.goto(co.base + url)
    co.fill("[data-testid=my-task] textarea[name=note]", "街道已约谈商户,气瓶移入专用储存间")
    shot(co, "hazards-17-co-handler-finishes")
    co.click("[data-testid=finish-cotask]")
    co.wait_for_load_state("networkidle")
    assert co.locator("[data-testid=finish-cotask]").count() == 0

    before, after = tmp_path / "before.jpg", tmp_path / "after.png"
    before.write_bytes(jpeg_with_gps().read())
    after.write_bytes(png().read())
    lead.goto(lead.base + url)
    assert lead.locator("[data-testid=waiting-co]").count() == 0
    lead.click("[data-testid=issue-rectify]")  # the printed 整改通知书 for the shop, numbered
    lead.wait_for_load_state("networkidle")
    assert "隐改" in lead.inner_text("[data-testid=notices]")

    def evidence(box):
        box.locator("[data-testid=rectify-measures]").fill("气瓶移入专用储存间,加装防倾倒链")
        box.locator("[data-testid=rectify-cost]").fill("1280.50")
        box.locator("[data-testid=rectify-responsible]").fill("张三")
        box.locator("[data-testid=rectify-before]").set_input_files(str(before))
        box.locator("[data-testid=rectify-after]").set_input_files(str(after))

    _act(lead, "submit_rectification", reason="整改完成,申请验收", fill=evidence)
    assert "待验收" in lead.inner_text("[data-testid=case-state]")

    grid = _as(page, login, "qingcheng_grid")
    grid.goto(grid.base + url)
    pair = grid.locator("[data-testid=before-after] img")
    assert pair.count() == 2
    assert "1280.50" in grid.inner_text("[data-testid=rectification]")
    shot(grid, "hazards-18-acceptance-before-after")
    _act(grid, "accept", reason="现场核查合格")
    assert "已销号" in grid.inner_text("[data-testid=case-state]")
    shot(grid, "hazards-19-co-handled-closed")
    actions_done = set(AuditEvent.objects.for_object(case).values_list("action", flat=True))
    assert "hazards.case.reassign" not in actions_done and "hazards.case.accept" in actions_done

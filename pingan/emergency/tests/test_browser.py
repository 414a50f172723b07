"""The statutory reporting chain in a real browser: 英德's duty officer records a call (2 deaths →
一般) and reports to the city; the city's duty officer receives it; a 续报 raises deaths to 3, the
incident becomes 较大 and the city's report to the province appears."""

import datetime as dt

import pytest
from django.utils import timezone

from pingan.core.testing import make_world
from pingan.emergency.models import Incident
from pingan.emergency.tests.conftest import make_duty

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logout(page):
    page.click("form[action$='/accounts/logout/'] button")
    page.wait_for_load_state("networkidle")


def test_yingde_call_to_city_then_province(page, login, shot):
    world = make_world()
    make_duty(world)
    yd = world.user("duty_officer", "yingde")
    city = world.user("duty_officer", "city")

    login(page, yd.username)
    page.goto(page.base + "/console/emergency/")
    page.click("[data-testid=new-incident]")
    occurred = (timezone.localtime() - dt.timedelta(minutes=25)).strftime("%Y-%m-%dT%H:%M")
    form = page.locator("[data-testid=incident-form]")
    form.locator("[name=title]").fill("英德市英城街道某建材厂厂房坍塌")
    form.locator("[name=occurred_at]").fill(occurred)
    # The searchable picker hides the real select (which still posts): choose on it directly.
    form.locator("[name=division]").select_option(label="英德市 · 英城街道", force=True)
    form.locator("[name=caller_name]").fill("厂安全员 李某")
    form.locator("[name=unit_name]").fill("英德测试建材有限公司")
    form.locator("[name=unit_overview]").fill("建材生产企业,从业人员120人")
    form.locator("[name=place]").fill("英城街道工业园3号厂房")
    form.locator("[name=scene]").fill("厂房东侧局部坍塌,现场已警戒")
    form.locator("[name=course]").fill("9时许工人作业时厂房东侧屋面坍塌,2人被压")
    form.locator("[name=deaths]").fill("2")
    form.locator("[name=serious_injuries]").fill("1")
    form.locator("[name=direct_loss]").fill("1200000")
    form.locator("[name=measures]").fill("消防、120已到场救援,企业停产")
    shot(page, "emergency-intake-form")
    page.click("[data-testid=save-incident]")
    page.wait_for_selector("[data-testid=grade]")
    assert "一般" in page.locator("[data-testid=grade]").inner_text()
    city_row = page.locator("[data-testid=report-city]")
    assert "清远市应急管理局" in city_row.inner_text() and "待报送" in city_row.inner_text()
    shot(page, "emergency-incident-general")

    page.locator("[data-testid=send-city] [name=received_by_name]").fill("市值班室 王某")
    page.locator("[data-testid=send-city] button").click()
    page.wait_for_load_state("networkidle")
    assert "已报送" in page.locator("[data-testid=report-city]").inner_text()
    incident = Incident.objects.get()
    logout(page)

    login(page, city.username)
    page.goto(page.base + "/console/emergency/")
    received = page.locator("[data-testid=received]")
    assert "英德市英城街道某建材厂厂房坍塌" in received.inner_text()
    assert "英德市应急管理局" in received.inner_text()
    shot(page, "emergency-city-console-received")
    logout(page)

    login(page, yd.username)
    page.goto(page.base + f"/console/emergency/incidents/{incident.pk}/")
    sup = page.locator("[data-testid=supplement-form]")
    sup.locator("[name=deaths]").fill("3")
    sup.locator("[name=text]").fill("1名重伤人员经抢救无效死亡")
    sup.locator("button").click()
    page.wait_for_selector("[data-testid=grade]")
    assert "较大" in page.locator("[data-testid=grade]").inner_text()
    assert "广东省应急管理厅" in page.locator("[data-testid=report-province]").inner_text()
    shot(page, "emergency-incident-larger")
    logout(page)

    login(page, city.username)
    page.goto(page.base + "/console/emergency/")
    assert "广东省应急管理厅" in page.locator("[data-testid=to-send]").inner_text()
    assert "较大" in page.locator("[data-testid=regrades]").inner_text()
    shot(page, "emergency-city-console-province")
    page.goto(page.base + f"/console/emergency/incidents/{incident.pk}/")
    assert page.locator("[data-testid=send-province]").count() == 1
    shot(page, "emergency-city-incident")
    page.goto(page.base + "/console/emergency/incidents/")
    page.wait_for_selector("[data-testid=map][data-ready='1']")
    assert "英德市英城街道某建材厂厂房坍塌" in page.locator("[data-testid=incident-list]").inner_text()
    shot(page, "emergency-incident-list")
    page.click("[data-testid=lang-en]")
    page.wait_for_load_state("networkidle")
    page.goto(page.base + "/console/emergency/")
    assert "Duty desk" in page.locator("h1").inner_text()
    shot(page, "emergency-city-console-en")
    page.click("[data-testid=lang-zh]")
    page.wait_for_load_state("networkidle")
    province = incident.reports.get(receiver_level="province")
    page.goto(page.base + f"/console/emergency/reports/{province.pk}/")
    assert "事故发生单位概况" in page.content()
    shot(page, "emergency-report-print")


def test_roster_calculator_and_sanfang_pages(page, login, shot):
    from pingan.emergency import actions
    from pingan.emergency.models import RotationTemplate, Shift

    world = make_world()
    posts = make_duty(world)
    post = posts["yingde"]
    Shift.objects.filter(post=post).delete()
    leader, officer = world.user("duty_leader", "yingde"), world.user("duty_officer", "yingde")
    rot = RotationTemplate.objects.create(
        post=post,
        name="24小时两班轮换",
        starts_on=timezone.localdate(),
        crews=[{"leader": leader.pk, "officers": [officer.pk]}, {"leader": leader.pk, "officers": []}],
    )
    actions.do_generate_shifts(leader, rot, days=6, start=timezone.now() - dt.timedelta(days=1))
    resp = actions.do_start_sanfang(
        world.user("city_admin", "city"),
        kind="wind",
        level="3",
        headquarters=world.departments["city_em"],
        members=[world.departments["qc_em"], world.departments["yd_em"]],
    )
    # the response has been running for a day: past slots are owed; 清城 reported, 英德 did not
    from pingan.emergency.models import SanfangResponse

    SanfangResponse.objects.filter(pk=resp.pk).update(started_at=timezone.now() - dt.timedelta(hours=20))
    resp.member_reports.all().delete()
    actions.reconcile_sanfang()
    for item in resp.member_reports.filter(department=world.departments["qc_em"], due_at__lte=timezone.now()):
        actions.do_submit_sanfang(world.user("dept_staff", "qingcheng"), item, text="巡查转移群众12人,无险情")

    login(page, leader.username)
    page.goto(page.base + f"/console/emergency/posts/{post.pk}/")
    assert page.locator("[data-testid=gap-warning]").count() == 1  # crew 2 has no officer
    shot(page, "emergency-roster")
    # the month view, as it prints on A4 (menus and buttons left out)
    page.click("[data-testid=roster-month-link]")
    page.wait_for_load_state("networkidle")
    this_month = [
        sh
        for sh in Shift.objects.filter(post=post)
        if timezone.localtime(sh.starts_at).month == timezone.localdate().month
    ]
    assert page.locator("[data-testid=month-shift]").count() == len(this_month) >= 1
    page.emulate_media(media="print")
    assert not page.locator(".sidenav").is_visible()
    shot(page, "emergency-roster-month-print")
    page.emulate_media(media="screen")

    page.goto(page.base + "/console/emergency/grade/?deaths=-1&serious_injuries=0&direct_loss=abc")
    assert "人数不能为负数" in page.locator("[data-testid=error-deaths]").inner_text()
    assert "数字" in page.locator("[data-testid=error-direct_loss]").inner_text()
    page.goto(page.base + "/console/emergency/grade/?deaths=0&serious_injuries=10&direct_loss=0")
    assert "较大" in page.locator("[data-testid=result]").inner_text()
    shot(page, "emergency-calculator")
    logout(page)

    login(page, world.user("city_admin", "city").username)
    page.goto(page.base + "/console/emergency/sanfang/")
    page.locator("table a").first.click()
    page.wait_for_load_state("networkidle")
    missing = page.locator("[data-testid=not-reported]").inner_text()
    assert "英德市应急管理局" in missing and "清城区应急管理局" not in missing
    shot(page, "emergency-sanfang")
    # the city changes its own response's level, with the reason it is asked for
    page.select_option("#sf-level", "2")
    page.fill("#sf-reason", "北江水位超警戒0.5米")
    page.get_by_role("button", name="调整级别").click()
    page.wait_for_load_state("networkidle")
    assert SanfangResponse.objects.get(pk=resp.pk).level == "2"
    shot(page, "emergency-sanfang-changed")
    logout(page)

    # a district member unit sees the city's response and reports to it, but is offered no change
    login(page, world.user("duty_leader", "qingcheng").username)
    page.goto(page.base + f"/console/emergency/sanfang/{resp.pk}/")
    assert page.locator("[data-testid=sanfang-change]").count() == 0
    assert page.get_by_role("button", name="终止响应").count() == 0
    shot(page, "emergency-sanfang-district-member")

"""Browser: the command centre by district with its trend and the large screen; an analyst marks an
alarm false with a reason and the false-alarm rate changes; the township balance map and a
recommendation for a budget."""

from __future__ import annotations

import time

import pytest

from pingan.core.testing import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_command_centre_by_district_trend_and_large_screen(page, login, shot):
    from pingan.hazards.defaults import ensure_defaults
    from pingan.hazards.tests.factories import submit

    world = make_world()
    ensure_defaults()
    for area in ("qingcheng", "qingcheng", "yingde"):
        submit(world, area=area)
    login(page, world.user("city_admin", "city").username)
    page.goto(page.base + "/console/command/?figure=hazards.found&step=week")
    table = page.wait_for_selector("[data-testid=kpi-table]")
    text = table.inner_text()
    assert "清城区" in text and "英德市" in text
    assert page.locator("tr[data-code='441802'] td").first.inner_text().startswith("2")
    title = page.locator("[data-testid='def-hazards.found']").get_attribute("title")
    assert "期间内上报并受理的隐患数" in title
    page.wait_for_selector("#cc-trend[data-ready='1']")
    page.wait_for_selector("#cc-map[data-ready='1']")
    shot(page, "command-centre-by-district")

    page.select_option("[data-testid=kpi-form] select[name=area]", "441802")
    page.click("[data-testid=kpi-form] button")
    page.wait_for_selector("tr[data-code='441802006']")
    shot(page, "command-centre-townships")

    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(page.base + "/console/command/screen/?figure=hazards.found")
    page.wait_for_selector("[data-testid=big-screen]")
    page.wait_for_selector("#screen-map[data-ready='1']")
    assert "当前态势" in page.inner_text("[data-testid=big-screen]")
    assert page.locator("[data-testid=legend] span").count() >= 4
    page.screenshot(path="var/screenshots/command-centre-large-screen.png")


def test_analyst_marks_an_alarm_false_and_the_rate_changes(page, login, shot):
    from pingan.monitoring.ingest import Pipeline
    from pingan.monitoring.models import Alarm
    from pingan.monitoring.tests.helpers import make_plant

    world = make_world()
    plant = make_plant(world)
    Pipeline().ingest_payload(
        [{"sensor": "g1", "ts": time.time() - 60, "value": 30.0}], device=plant.devices["QC-GAS-01"]
    )
    alarm = Alarm.objects.get(is_active=True)
    login(page, world.user("duty_officer").username)
    page.goto(page.base + "/console/monitoring/triage/")
    assert page.inner_text("[data-testid=false-rate]") == "—"
    page.click(f"[data-testid=claim-{alarm.pk}]")
    page.wait_for_load_state("networkidle")
    form = f"[data-testid=verdict-{alarm.pk}]"
    page.select_option(form + " select[name=verdict]", "false")
    page.select_option(form + " select[name=reason]", "sensor_fault")
    page.fill(form + " input[name=note]", "探头进水,已通知企业更换")
    shot(page, "triage-queue")
    page.click(form + " button")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("[data-testid=false-rate]") == "100.0%"
    assert "没有待研判的报警" in page.inner_text("[data-testid=triage-queue]")
    shot(page, "triage-false-rate")
    alarm.refresh_from_db()
    assert not alarm.is_active and alarm.triage.reason == "sensor_fault"


def test_township_balance_map_and_recommendation(page, login, shot):
    from pingan.monitoring.tests.helpers import make_plant

    world = make_world()
    world.towns["qingcheng"].__class__.objects.filter(pk=world.towns["qingcheng"].pk).update(population=50000)
    world.towns["yingde"].__class__.objects.filter(pk=world.towns["yingde"].pk).update(population=80000)
    make_plant(world)  # two devices in 凤城街道, one in 英城街道
    login(page, world.user("city_admin", "city").username)
    page.goto(page.base + "/console/command/balance/")
    page.fill("[data-testid=budget]", "4")
    page.click("[data-testid=balance-form] button")
    page.wait_for_selector("[data-testid=recommendation] li")
    page.wait_for_selector("#balance-map[data-ready='1']")
    assert "英城街道" in page.inner_text("[data-testid=balance-table]")
    recommendation = page.inner_text("[data-testid=recommendation]")
    assert "监测设备" in recommendation and "英城街道" in recommendation, recommendation
    shot(page, "township-balance")

"""Browser: an alarm appears on the console from simulated readings (sent through the real HTTP
door), is acknowledged there, and is turned into a hazard case from its page."""

import time

import pytest

from pingan.core.testing import make_world
from pingan.monitoring.simulator import HttpSender, SimSensor, Simulator

from .helpers import make_plant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_alarm_appears_is_acknowledged_and_becomes_a_hazard_case(page, login, shot, live_server):
    from pingan.hazards.defaults import ensure_defaults

    world = make_world()
    plant = make_plant(world)
    ensure_defaults()
    login(page, world.user("duty_officer").username)
    page.goto(page.base + "/console/monitoring/")
    page.wait_for_selector("[data-testid=alarm-table]")
    assert page.locator("[data-testid=alarm-row]").count() == 0
    shot(page, "monitoring-console-empty")

    gas = SimSensor("QC-GAS-01", "g1", "gas_lel")
    sim = Simulator([gas, SimSensor("QC-RAIN-01", "w1", "water_level")], seed=11, excursion_chance=0.0)
    t0 = time.time() - 300
    gas.excursion_start, gas.excursion_until = t0, t0 + 600
    sender = HttpSender(live_server.url + "/api/v1/ingest/readings/", plant.tokens)
    for i in range(30):
        for code, items in sim.round(t0 + i * 10, 10).items():
            sender.send(code, items)
    assert sender.sent == 60 and sender.failed == 0

    # htmx polls every 5 s: the alarm shows up without reloading the page
    row = page.wait_for_selector("[data-testid=alarm-row]", timeout=20000)
    assert "罐区可燃气体" in row.inner_text() or "可燃气体" in row.inner_text()
    assert page.locator("[data-testid=kpi-unack]").inner_text() == "1"
    assert "二级报警" in row.inner_text()  # raised in place from 一级 to 二级, with its title
    shot(page, "monitoring-console-alarm")

    page.click("[data-testid=ack]")
    page.wait_for_function("document.querySelector('[data-testid=kpi-unack]').innerText === '0'")
    assert "已确认" in page.locator("[data-testid=alarm-row]").first.inner_text()
    shot(page, "monitoring-console-acknowledged")

    page.click("[data-testid=alarm-row] a")
    page.wait_for_selector("[data-testid=alarm-title]")
    page.click("[data-testid=open-case]")
    page.wait_for_selector("[data-testid=alarm-links] li")
    links = page.locator("[data-testid=alarm-links]").inner_text()
    assert "隐患" in links, links
    shot(page, "monitoring-alarm-case")

    page.click("[data-testid=alarm-links] a")
    page.wait_for_load_state("networkidle")
    shot(page, "monitoring-hazard-case")

    page.goto(page.base + f"/console/monitoring/sensors/{plant.sensors['gas'].pk}/?hours=6")
    page.wait_for_selector("[data-testid=chart][data-ready='1']")
    shot(page, "monitoring-sensor")
    page.goto(page.base + "/console/monitoring/map/")
    page.wait_for_selector("[data-testid=map][data-ready='1']")
    page.wait_for_timeout(1000)
    shot(page, "monitoring-map")


def test_enterprise_user_handles_its_own_alarm(page, login, shot):
    """The enterprise's safety officer opens its alarm (as the workspace panel links it), is offered
    acknowledge, comment and clear — not "open a case" — and acknowledges it."""
    from pingan.monitoring import workspace
    from pingan.monitoring.ingest import Pipeline

    world = make_world()
    plant = make_plant(world)
    Pipeline().ingest_payload(
        [{"sensor": "g1", "ts": time.time() - 60, "value": 30}], device=plant.devices["QC-GAS-01"]
    )
    user = world.user("enterprise")
    _sensors, alarms = workspace.panels(user)
    login(page, user.username)
    page.goto(page.base + alarms["items"][0]["url"])
    page.wait_for_selector("[data-testid=alarm-title]")
    assert page.locator("[data-testid=acknowledge]").count() == 1
    assert page.locator("[data-testid=open-case]").count() == 0
    assert page.locator("[data-testid=open-incident]").count() == 0
    assert page.locator("[data-testid=monitoring-tabs]").count() == 0  # the console is not theirs
    shot(page, "monitoring-enterprise-alarm")
    page.click("[data-testid=acknowledge]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=acknowledge]").count() == 0
    assert "已确认" in page.locator("[data-testid=alarm-state]").inner_text()
    shot(page, "monitoring-enterprise-alarm-acknowledged")

"""The warnings loop in a browser: a rainstorm computed from rainfall becomes a draft; it is submitted,
approved at the city level (orange) and published; the portal shows it on the map, the Atom feed and
the CAP XML carry it, a township subscriber is notified; it is updated, then cancelled."""

import json
import time

import pytest

from pingan.core.testing import PASSWORD, make_world
from pingan.monitoring.tests.helpers import make_plant
from pingan.notify.models import Message
from pingan.warnings import cap, rules
from pingan.warnings.models import EarlyWarning

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(page, login, username, phone=False):
    size = {"width": 390, "height": 844} if phone else {"width": 1366, "height": 900}
    ctx = page.context.browser.new_context(locale="zh-CN", viewport=size)
    pg = ctx.new_page()
    pg.set_default_timeout(30000)  # a loaded CI machine
    pg.base = page.base
    login(pg, username, PASSWORD)
    return pg


def _step(pg, warning_pk, testid):
    pg.goto(f"{pg.base}/console/warnings/{warning_pk}/")
    pg.click(f"[data-testid={testid}]")
    pg.wait_for_load_state("networkidle")


def _through(officer, leader, pk):
    _step(officer, pk, "submit")
    _step(leader, pk, "approve")
    _step(officer, pk, "publish")


def test_rainstorm_to_published_updated_cancelled(page, login, shot):
    world = make_world()
    town = world.towns["qingcheng"]

    # A citizen on a phone subscribes to their township.
    citizen = _as(page, login, "citizen", phone=True)
    citizen.goto(citizen.base + "/warnings/")
    citizen.select_option("[data-testid=subscribe-form] select", town.code)
    citizen.click("[data-testid=subscribe-form] button")
    citizen.wait_for_load_state("networkidle")
    assert town.name in citizen.inner_text("[data-testid=my-subscriptions]")

    # A rain gauge posts its readings to monitoring's ingest door; monitoring computes the national
    # signal from the rainfall (50 mm within 3 h: orange) and, once the batch commits, its hydromet
    # signal makes warnings propose a draft.
    plant = make_plant(world)
    t0 = int(time.time()) - 11 * 900
    readings = [{"sensor": "r1", "ts": t0 + i * 900, "value": 5} for i in range(11)]
    r = page.request.post(
        page.base + "/api/v1/ingest/readings/",
        data=json.dumps(readings),
        headers={"Authorization": f"Device {plant.tokens['QC-RAIN-01']}", "Content-Type": "application/json"},
    )
    assert r.status == 200, r.text()
    draft = EarlyWarning.objects.get(source="monitoring")
    assert (draft.colour, draft.state, draft.division_id) == (rules.rainstorm_signal(50, 3), "draft", town.pk)

    officer = _as(page, login, "qingcheng_duty")
    leader = _as(page, login, "cityadmin")  # orange: approved at the city level
    officer.goto(f"{officer.base}/console/warnings/{draft.pk}/")
    shot(officer, "warnings-1-proposed-draft")
    _through(officer, leader, draft.pk)
    draft.refresh_from_db()
    assert draft.state == "published" and draft.identifier
    shot(officer, "warnings-2-published")
    # The 三防 headquarters sees who received what.
    officer.goto(f"{officer.base}/console/warnings/{draft.pk}/receipts/")
    assert str(world.user("public", "city")) in officer.inner_text("[data-testid=receipt-people]")
    shot(officer, "warnings-2b-who-received")

    # The portal's map and list, the Atom feed and the CAP XML carry it.
    anon = page
    anon.goto(anon.base + "/warnings/")
    anon.wait_for_selector("#warning-map[data-ready='1']")
    # The map draws on a canvas: count the features of the warnings layer instead of SVG paths.
    anon.wait_for_function("""() => { const m = document.getElementById('warning-map')._pingan;
        return m && Object.values(m.layers).some(l => l.getLayers().length > 0); }""")
    assert draft.headline in anon.inner_text("[data-testid=active-warnings]")
    shot(anon, "warnings-3-portal-map")
    feed = anon.request.get(anon.base + "/warnings/feed.atom").text()
    assert f"urn:cap:{draft.identifier}" in feed
    xml = anon.request.get(f"{anon.base}/warnings/cap/{draft.identifier}.xml").text()
    assert cap.validate(xml.split("?>", 1)[1].strip()) == [] and "<severity>Severe</severity>" in xml

    # The township subscriber is notified.
    assert Message.objects.filter(recipient=world.user("public", "city"), event="warnings.alert").count() == 1

    # Update, then Cancel, each through the same steps; the chain is kept.
    _step(officer, draft.pk, "update")
    update = EarlyWarning.objects.get(original=draft)
    _through(officer, leader, update.pk)
    update.refresh_from_db()
    assert update.state == "published" and draft.identifier in update.references
    _step(officer, update.pk, "cancel")
    cancel = EarlyWarning.objects.get(original=update)
    _through(officer, leader, cancel.pk)
    cancel.refresh_from_db()
    assert cancel.msg_type == "Cancel" and update.identifier in cancel.references
    officer.goto(f"{officer.base}/console/warnings/{cancel.pk}/")
    shot(officer, "warnings-4-cancelled")
    anon.goto(anon.base + "/warnings/")
    assert "目前没有生效的预警" in anon.inner_text("[data-testid=active-warnings]")
    shot(anon, "warnings-5-portal-after-cancel")
    assert (
        Message.objects.filter(recipient=world.user("public", "city"), event="warnings.cancel").count() == 1
    )

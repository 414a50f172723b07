"""Each role's console in a real browser (screenshots in var/screenshots/): the grid worker's phone,
the enterprise workspace, the duty officer's landing on the duty desk, the citizen's reports, the audit
log filtered to one object, and the friendly 403 page in English."""

import pytest

from pingan.core.testing import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_grid_worker_phone_console(page, login, shot):
    make_world()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "qingcheng_grid")
    assert page.url.endswith("/console/")
    tiles = page.locator("[data-testid=home-shortcuts] a")
    assert tiles.count() >= 2 and "上报隐患" in tiles.first.inner_text()
    page.wait_for_selector("[data-testid=map][data-ready='1']")
    page.wait_for_timeout(800)
    assert page.locator("[data-testid=home-admin]").count() == 0
    shot(page, "console-grid-worker-phone-zh")


def test_enterprise_user_lands_in_the_workspace(page, login, shot):
    world = make_world()
    login(page, "qingcheng_ent")
    assert page.url.endswith("/console/org/workspace/")
    assert world.enterprises["qingcheng"].name in page.locator("[data-testid=workspace-title]").inner_text()
    assert page.locator(".sidenav a[href='/console/org/workspace/']").count() == 1
    shot(page, "console-enterprise-workspace-zh")
    # A government page answers with the friendly 403 in the person's language, and a way back.
    page.click("[data-testid=lang-en]")
    page.wait_for_load_state("networkidle")
    page.goto(page.base + "/console/org/enterprises/")
    assert "You do not have permission to open this page" in page.content()
    page.click("[data-testid=error-home]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/console/org/workspace/")
    page.goto(page.base + "/console/command/")
    shot(page, "console-403-enterprise-en")


def test_duty_officer_lands_on_the_duty_desk(page, login, shot):
    make_world()
    login(page, "qingcheng_duty")
    assert page.url.endswith("/console/emergency/")
    shot(page, "console-duty-officer-desk-zh")
    page.goto(page.base + "/console/")
    assert page.locator("[data-testid=home-desk]").count() == 1


def test_citizen_lands_on_their_reports(page, login, shot):
    make_world()
    login(page, "citizen")
    assert page.url.endswith("/report/mine/")
    shot(page, "console-citizen-my-reports-zh")


def test_audit_log_filtered_to_one_object(page, login, shot):
    from pingan.org.actions import do_update_enterprise

    world = make_world()
    ent = world.enterprises["qingcheng"]
    admin = world.user("city_admin", "city")
    for phone in ("0763-1111", "0763-2222"):
        do_update_enterprise(admin, ent, {"contact_phone": phone})
    do_update_enterprise(admin, world.enterprises["yingde"], {"contact_phone": "0763-3333"})
    login(page, "cityadmin")
    page.goto(page.base + f"/console/audit/?type=org.enterprise&object={ent.pk}")
    rows = page.locator("[data-testid=audit-table] tbody tr")
    assert rows.count() == 2 and "修改单位信息" in rows.first.inner_text()
    assert page.locator("[data-testid=audit-one-object]").count() == 1
    shot(page, "console-audit-one-enterprise-zh")

"""In a browser: the office draws a plan from the console and anyone verifies the draw by re-running it
on the public page; a covert inspection stays invisible to its target until the inspector starts it."""

import json

import pytest

from pingan.core.testing import PASSWORD, make_world
from pingan.inspections import actions
from pingan.inspections.models import Inspection

from .factories import registers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(page, login, username):
    ctx = page.context.browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    pg = ctx.new_page()
    pg.set_default_timeout(15000)
    pg.base = page.base
    login(pg, username, PASSWORD)
    return pg


def _api_ids(pg, path):
    pg.goto(pg.base + path)
    return [row["id"] for row in json.loads(pg.locator("body").inner_text())["results"]]


def test_draw_verify_and_covert_reveal(page, login, shot):
    world = make_world()
    registers(world)
    staff = world.user("dept_staff", "qingcheng")
    plan = actions.do_create_plan(
        staff,
        name="浏览器测试抽查计划",
        year=2026,
        division=world.districts["qingcheng"],
        mode="random",
        ratio="1",
    )
    covert = actions.do_create_plan(
        staff,
        name="浏览器测试暗查计划",
        year=2026,
        division=world.districts["qingcheng"],
        mode="covert",
        ratio="1",
    )
    actions.do_draw(staff, covert, seed="covert-seed")
    hidden = Inspection.objects.get(plan=covert)

    office = _as(page, login, staff.username)
    office.goto(page.base + "/console/inspections/plans/")
    office.click(f"[data-testid=draw-{plan.pk}]")
    office.wait_for_load_state("networkidle")
    shot(office, "inspections-plans-drawn")
    office.click(f"a[href$='/inspections/draws/{Inspection.objects.get(plan=plan).plan.draw.pk}/']")
    office.wait_for_load_state("networkidle")
    assert "复算结果与公布结果一致" in office.locator("[data-testid=verify-result]").inner_text()
    shot(office, "inspections-draw-verified")

    target = _as(page, login, world.user("enterprise", "qingcheng").username)
    assert hidden.pk not in _api_ids(target, "/api/v1/inspections/")
    inspector = _as(page, login, world.user("inspector", "qingcheng").username)
    inspector.goto(page.base + f"/console/inspections/{hidden.pk}/")
    inspector.fill("input[name=representative]", "企业代表")
    inspector.click("[data-testid=start]")
    inspector.wait_for_load_state("networkidle")
    assert "检查中" in inspector.locator("[data-testid=state]").inner_text()
    shot(inspector, "inspections-covert-started")
    assert hidden.pk in _api_ids(target, "/api/v1/inspections/")

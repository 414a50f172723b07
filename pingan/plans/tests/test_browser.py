"""Emergency plans in a browser: an incident matches a plan, the duty leader activates it, two
departments (the district's emergency bureau and fire brigade) complete their tasks on the live board,
and the leader stands the response down and records the review."""

import pytest

from pingan.core.testing import PASSWORD, make_world
from pingan.plans.models import Activation

from .factories import effective_plan, incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(page, login, username):
    ctx = page.context.browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    pg = ctx.new_page()
    pg.set_default_timeout(30000)
    pg.base = page.base
    login(pg, username, PASSWORD)
    return pg


def _finish(pg, board_url, task, feedback):
    pg.goto(board_url)
    pg.fill(f"[data-testid=feedback-{task.pk}]", feedback)
    pg.click(f"[data-testid=done-{task.pk}]")
    pg.wait_for_load_state("networkidle")
    assert pg.get_attribute(f"[data-testid=task-{task.pk}]", "data-state") == "done"


def test_incident_matches_plan_activated_tasks_done_stood_down(page, login, shot):
    world = make_world()
    plan = effective_plan(world)
    inc = incident(world, title="凤城街道化工厂火灾")

    leader = _as(page, login, "qingcheng_leader")
    leader.goto(f"{leader.base}/console/emergency/incidents/{inc.pk}/")
    leader.click("[data-testid=plans-link]")
    leader.wait_for_load_state("networkidle")
    assert plan.title in leader.inner_text("[data-testid=match-table]")
    shot(leader, "plans-1-match")
    leader.fill("[data-testid=match-row] input[name=note]", "火势较大,启动Ⅳ级响应")
    leader.click("[data-testid=activate]")
    leader.wait_for_load_state("networkidle")
    activation = Activation.objects.get(plan=plan, incident=inc)
    board_url = f"{leader.base}/console/plans/activations/{activation.pk}/"
    assert leader.url == board_url
    assert "0/2" in leader.inner_text("[data-testid=board-rows] h2")
    shot(leader, "plans-2-board-activated")

    em_task = activation.tasks.get(department=world.departments["qc_em"])
    fire_task = activation.tasks.get(department=world.departments["qc_fire"])
    em = _as(page, login, "qingcheng_dept")
    _finish(em, board_url, em_task, "已核实,已向市应急管理局电话报告")
    fire = _as(page, login, "qingcheng_rescue")
    # the brigade sees no button on the bureau's task, only on its own
    fire.goto(board_url)
    assert fire.locator(f"[data-testid=done-{em_task.pk}]").count() == 0
    _finish(fire, board_url, fire_task, "明火已扑灭,无人员被困")

    # the leader's board refreshes by itself (htmx) and shows both done
    leader.wait_for_function(
        "document.querySelector('[data-testid=board-rows] h2').innerText.includes('2/2')", timeout=20000
    )
    shot(leader, "plans-3-board-done")
    leader.fill("textarea[name=note], input[name=note]", "火灾扑灭,险情解除")
    leader.click("[data-testid=stand-down]")
    leader.wait_for_load_state("networkidle")
    leader.fill("textarea[name=lessons]", "首报用时 12 分钟;消防到场前的警戒需由街道先行设置。")
    leader.click("[data-testid=save-review]")
    leader.wait_for_load_state("networkidle")
    activation.refresh_from_db()
    assert activation.state == "stood_down" and activation.lessons
    assert "首报用时" in leader.inner_text("[data-testid=lessons]")
    shot(leader, "plans-4-stood-down")

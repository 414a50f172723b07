"""In a browser: an enterprise applies for a licence online, is told the missing materials once,
completes them, and receives the decision within the statutory limit; the portal tracks it."""

import pytest
from django.utils import timezone

from pingan.core.testing import PASSWORD, make_world
from pingan.licensing.models import Application, Licence

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(page, login, username):
    ctx = page.context.browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    pg = ctx.new_page()
    pg.set_default_timeout(15000)
    pg.base = page.base
    login(pg, username, PASSWORD)
    return pg


def test_apply_missing_once_complete_decide(page, login, shot):
    world = make_world()
    ent = _as(page, login, world.user("enterprise").username)
    ent.goto(ent.base + "/console/licensing/?kind=fireworks_trade")
    ent.fill("[data-testid=scope]", "烟花爆竹批发(不含储存)")
    ent.check("[data-testid=m-application_form]")
    ent.check("[data-testid=m-business_licence]")
    ent.click("[data-testid=submit-application]")
    ent.wait_for_selector("[data-testid=state]")
    app = Application.objects.get()
    assert app.number in ent.content()
    shot(ent, "licensing-1-applied")

    office = _as(page, login, world.user("dept_staff").username)
    office.goto(office.base + f"/console/licensing/{app.pk}/")
    assert office.locator("[data-testid=accept]").count() == 0  # incomplete: not offered
    office.click("[data-testid=request-materials]")
    office.wait_for_selector("[data-testid=missing]")
    assert office.locator("[data-testid=request-materials]").count() == 0  # told once only
    shot(office, "licensing-2-missing-told-once")

    ent.goto(ent.base + f"/console/licensing/{app.pk}/")
    missing = ent.locator("[data-testid=missing] li")
    assert missing.count() == 3
    for code in ("principal_certificate", "safety_rules", "storage_evaluation"):
        ent.check(f"[data-testid=s-{code}]")
    shot(ent, "licensing-3-supplementing")
    ent.click("[data-testid=supplement]")
    ent.wait_for_load_state("networkidle")

    office.goto(office.base + f"/console/licensing/{app.pk}/")
    office.click("[data-testid=accept]")
    office.wait_for_selector("[data-testid=approve]")
    due = office.locator("[data-testid=due]").inner_text()
    assert "20" in due
    office.click("[data-testid=approve]")
    office.wait_for_selector("[data-testid=licence]")
    shot(office, "licensing-4-decided")

    app.refresh_from_db()
    assert app.state == "approved" and timezone.localdate(app.decided_at) <= app.due_on
    licence = Licence.objects.get(application=app)
    ent.goto(ent.base + "/console/org/workspace/")
    assert licence.number in ent.content()
    shot(ent, "licensing-5-workspace")
    public = page
    public.goto(public.base + "/licensing/track/")
    public.fill("[data-testid=number]", app.number)
    public.fill("[data-testid=uscc]", world.enterprises["qingcheng"].uscc)
    public.click("[data-testid=track]")
    public.wait_for_selector("[data-testid=progress]")
    assert "准予许可" in public.locator("[data-testid=state]").inner_text()
    shot(public, "licensing-6-portal-track")

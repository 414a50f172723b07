"""The inbox and the notification settings in a real browser, on a desktop and on a phone."""

import pytest

from pingan.core.testing import make_world
from pingan.notify.models import Message, Preference
from pingan.notify.services import notify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_inbox_and_preferences(page, login, shot):
    world = make_world()
    duty = world.user("duty_officer", "qingcheng")
    duty.email = "duty@example.cn"
    duty.save()
    for i in range(33):
        notify(
            [duty],
            event="t.browser",
            title=f"第 {i + 1} 条:凤城街道燃气管道巡查提醒",
            body="请于今日 17:00 前反馈巡查结果。",
        )
    notify(
        [duty], event="t.browser", title="紧急:英德市某建材厂粉尘报警", body="请立即核实并上报。", urgent=True
    )

    login(page, duty.username)
    page.click("[data-testid=inbox-link]")
    assert page.locator("[data-testid=inbox-row]").count() == 30
    assert "紧急" in page.locator("[data-testid=inbox-row]").first.inner_text()
    shot(page, "notify-inbox-zh")

    page.locator("[data-testid=inbox-mark-read]").first.click()
    page.wait_for_load_state("networkidle")
    page.click("[data-testid=inbox-unread-filter]")
    page.wait_for_load_state("networkidle")
    assert "紧急" not in page.locator("[data-testid=inbox-table]").inner_text()
    page.click("text=下一页")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=inbox-row]").count() == 3

    page.click("[data-testid=inbox-preferences]")
    page.select_option("#id_webhook_kind", "webhook")
    page.fill("#id_webhook_url", "https://hooks.example.cn/pingan")
    page.fill("#id_webhook_secret", "short")
    page.click("[data-testid=preferences-save]")
    page.wait_for_load_state("networkidle")
    assert "至少 16 个字符" in page.locator("[data-testid=preferences-form]").inner_text()
    shot(page, "notify-preferences-error-zh")

    page.fill("#id_webhook_secret", "a-long-enough-shared-secret")
    page.uncheck("input[name=sms]")
    page.click("[data-testid=preferences-save]")
    page.wait_for_load_state("networkidle")
    assert "通知设置已保存" in page.locator(".flash").inner_text()
    pref = Preference.objects.get(user=duty)
    assert (pref.webhook_kind, pref.sms, pref.webhook_secret) == (
        "webhook",
        False,
        "a-long-enough-shared-secret",
    )
    assert page.locator("[data-testid=preferences-deliveries] tr").count() > 1  # earlier email deliveries
    shot(page, "notify-preferences-zh")

    page.click("[data-testid=lang-en]")
    page.wait_for_load_state("networkidle")
    assert "Notification settings" in page.locator("h1").inner_text()
    shot(page, "notify-preferences-en")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base + "/console/inbox/")
    page.click("[data-testid=inbox-read-all]")
    page.wait_for_load_state("networkidle")
    assert not Message.objects.filter(recipient=duty, read_at=None).exists()
    shot(page, "notify-inbox-phone-en")

"""Browser: the alarm console filtered by a date range and paged (page 2), then a rule edited in the
console (the thresholds table, the saved message and the rule's history)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from pingan.core.testing import make_world
from pingan.monitoring.choices import AlarmState
from pingan.monitoring.models import Alarm, Rule

from .helpers import make_plant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SH = ZoneInfo("Asia/Shanghai")


def test_console_page_two_with_a_date_filter_and_a_rule_edit(page, login, shot):
    world = make_world()
    plant = make_plant(world)
    gas = Rule.objects.get(code="gas-lel", sensor=None)
    rows = []
    for day, n in ((1, 5), (2, 35), (3, 35), (4, 5)):  # 70 alarms on the 2nd and 3rd, 10 around them
        for i in range(n):
            a = Alarm(
                sensor=plant.sensors["gas"],
                rule=gas,
                severity=4 if i % 7 == 0 else 2,
                level=0,
                title=f"1号罐区可燃气体 · 可燃气体浓度 · {day}日第{i + 1}次",
                division=plant.sensors["gas"].division,
                enterprise=plant.sensors["gas"].enterprise,
                department=plant.sensors["gas"].department,
                raised_at=dt.datetime(2026, 11, day, 8, 0, tzinfo=SH) + dt.timedelta(minutes=20 * i),
                trigger_value=26.0,
                last_value=3.0,
            )
            a.set_state(AlarmState.CLEARED_UNACK)
            rows.append(a)
    Alarm.objects.bulk_create(rows)

    login(page, world.user("city_admin", "city").username)
    page.goto(page.base + "/console/monitoring/")
    page.wait_for_selector("[data-testid=alarm-table]")
    page.select_option("select[name=show]", "all")
    page.fill("[data-testid=filter-from]", "2026-11-02")
    page.fill("[data-testid=filter-to]", "2026-11-03")
    page.click("[data-testid=filter-submit]")
    page.wait_for_selector("[data-testid=page-next]")
    assert "70" in page.locator("[data-testid=alarm-count]").inner_text()
    assert page.locator("[data-testid=alarm-row]").count() == 50
    page.click("[data-testid=page-next]")
    page.wait_for_selector("[data-testid=page-prev]")
    assert page.locator("[data-testid=page-number]").inner_text().replace(" ", "") == "2/2"
    assert page.locator("[data-testid=alarm-row]").count() == 20
    assert "from=2026-11-02" in page.url and "page=2" in page.url
    # The filter form keeps the dates, every row is inside them, severities read as colour names.
    assert page.input_value("[data-testid=filter-from]") == "2026-11-02"
    text = page.locator("[data-testid=alarm-table]").inner_text()
    assert "1日" not in text and "4日" not in text
    assert "黄色" in text  # reds sort first: page 2 holds the yellows, by their colour name
    shot(page, "monitoring-console-page2-dates")

    # Edit the rule from the rules tab: lower the yellow line, save, see its history.
    page.goto(page.base + "/console/monitoring/rules/")
    page.click(f"[data-rule='{gas.pk}'] [data-testid=edit-rule]")
    page.wait_for_selector("[data-testid=rule-levels]")
    page.fill("input[name=on_2]", "20")
    page.fill("input[name=off_2]", "18")
    page.click("[data-testid=save-rule]")
    page.wait_for_selector("[data-testid=timeline] li:has-text('修改监测规则')")
    assert page.input_value("input[name=on_2]") == "20"
    shot(page, "monitoring-rule-edited")
    gas.refresh_from_db()
    assert gas.params["levels"][0]["on"] == 20

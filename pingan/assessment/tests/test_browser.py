"""In a browser: the holder signs their responsibility list; the city admin looks at the ranking,
publishes it and downloads the report (PDF, Chinese text read back)."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from pingan.assessment import actions
from pingan.core.testing import make_world, pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_list_then_ranking_published_and_report_downloaded(page, login, shot):
    from pingan.core.pdf import FontMissing, cjk_font

    try:
        cjk_font(sans=True)
    except FontMissing:
        pytest.skip("no CJK font on this machine (fonts-noto-cjk)")
    world = make_world()
    admin = world.user("city_admin", "city")
    year = timezone.localdate().year
    lst = actions.do_create_list(
        admin,
        {
            "year": year,
            "post": "清城区区长",
            "kind": "government",
            "division": world.districts["qingcheng"],
            "holder": world.user("area_staff"),
            "items": ["组织制定年度安全生产工作要点", "保障安全生产投入", "每年组织一次综合演练"],
            "sign_by": timezone.localdate() + dt.timedelta(days=7),
        },
    )
    assessment = actions.do_open(admin, year)
    for item in assessment.items.filter(source="manual", unit_kind="district"):
        actions.do_score(admin, assessment, item=item.pk, unit="441802", score="92")
        actions.do_score(admin, assessment, item=item.pk, unit="441881", score="78")

    login(page, "qingcheng_area")
    page.goto(page.base + f"/console/assessment/lists/{lst.pk}/")
    page.click("[data-testid=sign]")
    page.wait_for_selector("[data-testid=signed]")
    shot(page, "assessment-1-list-signed")

    page.context.clear_cookies()
    login(page, "cityadmin")
    page.goto(page.base + f"/console/assessment/?year={year}")
    page.wait_for_selector("[data-testid=ranking-district]")
    rows = page.locator("[data-testid=ranking-district] tbody tr")
    assert rows.count() == 2
    assert "清城区" in rows.nth(0).inner_text()  # signed its list and scored higher
    shot(page, "assessment-2-ranking")
    page.click("[data-testid=publish]")
    page.wait_for_selector("text=已公布")
    with page.expect_download() as info:
        page.click("[data-testid=report]")
    body = Path(info.value.path()).read_bytes()
    text = pdf_text(body)
    assert f"{year} 年度安全生产责任制考核结果" in text and "清城区" in text and "英德市" in text
    Path("var/screenshots").mkdir(parents=True, exist_ok=True)
    Path("var/screenshots/assessment-3-report.pdf").write_bytes(body)
    Path("var/screenshots/assessment-3-report.txt").write_text(text, encoding="utf-8")

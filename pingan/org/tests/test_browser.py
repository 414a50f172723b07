"""geo/org console pages in a real browser, on the Qingyuan demo data."""

import pytest

from pingan.core.demo_accounts import DEMO_PASSWORD
from pingan.geo import demo as geo_demo
from pingan.org import demo as org_demo
from pingan.org.models import Enterprise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    geo_demo.seed(lambda m: None)
    org_demo.seed(lambda m: None)


def test_division_browser_and_enterprises(page, login, shot, demo):
    login(page, "qingcheng_staff", DEMO_PASSWORD)
    page.goto(page.base + "/console/geo/d/441800/")
    page.wait_for_selector("[data-testid=map][data-ready='1']")
    page.wait_for_timeout(800)  # let Leaflet finish the zoom animation before the screenshot
    assert page.locator("[data-testid=division-children] tbody tr").count() == 8
    assert page.locator(".leaflet-overlay-pane path, .leaflet-overlay-pane canvas").count() >= 1
    shot(page, "geo-city-zh")
    page.goto(page.base + "/console/geo/d/441802/")
    page.wait_for_selector("[data-testid=map][data-ready='1']")
    page.wait_for_timeout(800)  # let Leaflet finish the zoom animation before the screenshot
    assert page.locator("[data-testid=division-children] tbody tr").count() == 10
    assert "合成" in page.locator("[data-testid=division-children]").inner_text()
    shot(page, "geo-district-qingcheng-zh")

    page.goto(page.base + "/console/org/enterprises/?key=1")
    page.wait_for_selector("[data-testid=map][data-ready='1']")
    page.wait_for_timeout(800)  # let Leaflet finish the zoom animation before the screenshot
    text = page.locator("[data-testid=enterprise-list]").inner_text()
    assert "重点监管" in text
    shot(page, "org-enterprise-list-zh")
    visible = Enterprise.objects.filter(division__path__startswith="441802").order_by("name")
    assert all(e.name in page.content() for e in visible.filter(key_supervision=True)[:3])
    ent = visible.filter(key_supervision=True).first()
    page.goto(page.base + f"/console/org/enterprises/{ent.pk}/")
    page.wait_for_selector("[data-testid=map][data-ready='1']")
    page.wait_for_timeout(800)  # let Leaflet finish the zoom animation before the screenshot
    assert ent.uscc in page.locator("[data-testid=enterprise-facts]").inner_text()
    shot(page, "org-enterprise-detail-zh")
    other = Enterprise.objects.filter(division__path__startswith="441881").first()
    assert page.goto(page.base + f"/console/org/enterprises/{other.pk}/").status == 404


def test_enterprise_import_report_and_phone(page, login, shot, demo, tmp_path):
    login(page, "qingcheng_em", DEMO_PASSWORD)
    page.goto(page.base + "/console/org/enterprises/import/")
    bad = tmp_path / "register.csv"
    bad.write_text(
        "单位名称,统一社会信用代码,行业,区划代码,纬度,经度\n"
        "清远某化工有限公司,91350100M000100Y44,危险化学品,441802,23.70,113.02\n"
        "清远某养殖有限公司,9144030071526726XG,养殖,441881,24.18,113.40\n",
        encoding="utf-8",
    )
    page.set_input_files("input[name=file]", str(bad))
    page.click("[data-testid=enterprise-import-form] button[type=submit]")
    page.wait_for_selector("[data-testid=import-problems]")
    text = page.locator("[data-testid=import-problems]").inner_text()
    assert "uscc_check" in text and "unknown_industry" in text and "out_of_scope" in text
    shot(page, "org-enterprise-import-errors-zh")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base + "/console/org/departments/?division=441802")
    assert "清城区应急管理局" in page.locator("[data-testid=department-list]").inner_text()
    shot(page, "org-departments-phone-zh")
    page.click("[data-testid=lang-en]")
    page.wait_for_load_state("networkidle")
    shot(page, "org-departments-phone-en")

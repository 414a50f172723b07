"""The console shell in a real browser: log in, the map of districts, the inbox, the language switch;
and a person of another district cannot open the first district's objects."""

import pytest

from pingan.core.testing import make_world
from pingan.notify.services import notify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QINGYUAN_DISTRICTS = {
    "441802": "清城区",
    "441803": "清新区",
    "441821": "佛冈县",
    "441823": "阳山县",
    "441825": "连山壮族瑶族自治县",
    "441826": "连南瑶族自治县",
    "441881": "英德市",
    "441882": "连州市",
}


def with_real_districts(world):
    """Give the test world Qingyuan's eight districts with their real (package) boundaries."""
    from pingan.geo import lookup
    from pingan.geo.demo import district_geometry, division_fields
    from pingan.geo.models import Division

    for code, name in QINGYUAN_DISTRICTS.items():
        fields = division_fields(district_geometry(code))
        Division.objects.update_or_create(
            code=code, defaults={"name": name, "level": "district", "parent": world.city, **fields}
        )
    lookup.invalidate()
    return world


def test_district_staff_console(page, login, shot):
    world = with_real_districts(make_world())
    staff = world.user("area_staff", "qingcheng")
    notify([staff], event="core.test", title="清城区:请核查凤城街道燃气隐患", body="测试消息", url="")

    login(page, staff.username)
    page.wait_for_selector("[data-testid=map][data-ready='1']")
    # The district boundaries are drawn (Leaflet renders them as paths in its overlay pane).
    assert page.locator(".leaflet-overlay-pane path, .leaflet-overlay-pane canvas").count() >= 1
    # Names sit in their own label layer (map.js), shown where they hide no point and no other name.
    page.wait_for_selector(".map-label")
    labels = [t.strip() for t in page.locator(".map-label:visible").all_inner_texts()]
    # The home map is the person's own area: their district and its towns, not the other districts.
    assert {"清城区", "凤城街道"} <= set(labels) and "英德市" not in labels, labels
    assert page.locator("[data-testid=unread-count]").inner_text() == "1"
    shot(page, "core-home-zh")

    page.click("[data-testid=inbox-link]")
    assert "清城区:请核查凤城街道燃气隐患" in page.locator("[data-testid=inbox-table]").inner_text()
    shot(page, "core-inbox-zh")

    page.click("[data-testid=lang-en]")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Messages" in page.locator("h1").inner_text()
    shot(page, "core-inbox-en")
    page.click("[data-testid=lang-zh]")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "zh-hans"


def test_other_district_cannot_open_first_districts_objects(page, login, shot):
    world = make_world()
    qc_enterprise = world.enterprises["qingcheng"]
    login(page, world.user("area_staff", "yingde").username)
    response = page.goto(page.base + f"/api/v1/enterprises/{qc_enterprise.pk}/")
    assert response.status == 404
    own = page.goto(page.base + f"/api/v1/enterprises/{world.enterprises['yingde'].pk}/")
    assert own.status == 200
    detail = page.goto(page.base + f"/console/org/enterprises/{qc_enterprise.pk}/")
    assert detail.status == 404
    own_detail = page.goto(page.base + f"/console/org/enterprises/{world.enterprises['yingde'].pk}/")
    assert own_detail.status == 200
    shot(page, "core-other-district-404")


def test_phone_layout(page, login, shot):
    world = make_world()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, world.user("grid_worker", "qingcheng").username)
    page.wait_for_selector("[data-testid=map][data-ready='1']")
    assert page.locator(".sidenav").bounding_box()["x"] < 0  # the menu is folded away on a phone
    shot(page, "core-home-phone")
    page.click(".menu-toggle")
    page.wait_for_timeout(400)  # the menu slides in
    assert page.locator(".sidenav").bounding_box()["x"] == 0
    shot(page, "core-home-phone-menu")
    assert page.locator(".menu-toggle").get_attribute("aria-expanded") == "true"

    # The hazard list on a phone is a stack of cards: no header row, each cell labelled with its
    # column's name; the table is captioned for screen readers; the menu marks the current page.
    from pingan.hazards.defaults import ensure_defaults
    from pingan.hazards.tests.factories import submit

    ensure_defaults()
    submit(world, reporter=world.user("grid_worker", "qingcheng"), source="grid", title="楼道堆放杂物")
    page.goto(page.base + "/console/hazards/")
    table = page.locator("table.list").first
    assert not table.locator("thead").is_visible()
    first = table.locator("tbody tr").first.locator("td").first
    assert (
        first.get_attribute("data-label") and first.evaluate("td => getComputedStyle(td).display") == "block"
    )
    caption = table.locator("caption")
    assert caption.count() == 1 and caption.get_attribute("class") == "visually-hidden"
    assert caption.text_content().startswith("隐患") and "导出" not in caption.text_content()
    assert page.locator('.sidenav a[aria-current="page"]').count() == 1
    # Every pill on the page is readable: contrast of its text on its background ≥ 4.5:1.
    ratios = page.evaluate(
        """() => Array.from(document.querySelectorAll('.pill')).map(el => {
          const rgb = s => s.match(/\\d+/g).slice(0, 3).map(Number).map(c => c / 255)
            .map(c => c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4));
          const lum = s => { const [r, g, b] = rgb(s); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
          const st = getComputedStyle(el), a = lum(st.color), b = lum(st.backgroundColor);
          return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        })"""
    )
    assert ratios and min(ratios) >= 4.5, ratios
    shot(page, "core-hazard-list-phone-cards")

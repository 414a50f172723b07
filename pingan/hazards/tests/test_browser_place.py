"""Done-when of issue 11: the public report map without tiles, on a phone: the county and township
boundaries with names, the searchable township list, the place written back in words, and a click
in 清城区 that lands in 清城区 and is routed to its fire brigade."""

import pytest

from pingan.core.testing import make_world
from pingan.geo import basemap, lookup
from pingan.hazards.actions.routing import route_case
from pingan.hazards.defaults import ensure_defaults
from pingan.hazards.models import HazardCase

pytestmark = pytest.mark.browser


def _click_map_at(pg, map_id, lat, lon):
    """A real mouse click where the map draws (lat, lon), the map first scrolled to the middle of the
    screen as a person would (on a phone the point can sit below the fold: a click there hits nothing)."""
    pg.evaluate("id => document.getElementById(id).scrollIntoView({block: 'center'})", map_id)
    x, y = pg.evaluate(
        "([id, lat, lon]) => { const m = document.getElementById(id)._pingan.map;"
        " const p = m.latLngToContainerPoint([lat, lon]); const r = m.getContainer().getBoundingClientRect();"
        " return [r.left + p.x, r.top + p.y]; }",
        [map_id, lat, lon],
    )
    pg.mouse.click(x, y)


def test_offline_report_map_and_township_picker_on_a_phone(page, shot):
    ensure_defaults()
    world = make_world()
    basemap.invalidate()
    lookup.invalidate()
    ctx = page.context.browser.new_context(
        locale="zh-CN", viewport={"width": 375, "height": 812}, is_mobile=True
    )
    pg = ctx.new_page()
    pg.set_default_timeout(15000)
    pg.goto(page.base + "/report/")
    pg.wait_for_selector("#pick-map[data-ready='1'][data-basemap='full']")
    # The base map: boundaries, names, a labelled layer checkbox and a legend that says what it is.
    assert pg.locator("#pick-map .map-label.county").filter(has_text="清城区").count() == 1
    assert "行政区划" in pg.text_content("#pick-map .leaflet-control-layers-overlays")
    assert pg.get_attribute("#pick-map .leaflet-control-layers-toggle", "aria-label") == "图层"
    assert "区县界" in pg.inner_text("[data-testid=map-legend]")
    assert pg.inner_text("[data-testid=place-words]").strip() == "尚未选择位置"

    # The township from the searchable list (no map needed): written back in words.
    pg.select_option("#id_category", label="— 疏散通道堵塞")
    pg.fill("#id_title", "楼道堆放杂物")
    search = pg.locator("[data-testid=picker-division] input[role=combobox]")
    search.click()
    search.type("凤城")
    assert pg.locator("[data-testid=picker-division] li[role=option]").all_inner_texts() == [
        "清城区 · 凤城街道"
    ]
    search.press("ArrowDown")
    search.press("Enter")
    assert pg.input_value("#id_division") == str(world.towns["qingcheng"].pk)
    assert "清城区 · 凤城街道" in pg.inner_text("[data-testid=place-words]")

    # A click on the map inside 清城区 lands in 清城区: the marker, the same words, the point set.
    _click_map_at(pg, "pick-map", 23.705, 113.055)
    pg.wait_for_function("document.getElementById('id_lat').value !== ''")
    assert pg.inner_text("[data-testid=place-words]").strip() == "清城区 · 凤城街道"
    assert pg.locator("#pick-map img.leaflet-marker-icon").count() == 1
    pg.locator("#pick-map").scroll_into_view_if_needed()
    pg.wait_for_function("!document.querySelector('#pick-map').classList.contains('leaflet-zoom-anim')")
    # Two frames: the canvas is redrawn after the zoom.
    pg.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    shot(pg, "maps-01-phone-report-offline-map")

    pg.click("[data-testid=submit-report]")
    pg.wait_for_selector("[data-testid=tracking-code]")
    case = HazardCase.objects.get()
    assert (
        case.division.is_within(world.towns["qingcheng"]) and abs(case.lat - 23.705) < 0.005
    )  # one screen pixel at this zoom is ~150 m
    assert route_case(case)[0] == world.departments["qc_fire"]
    ctx.close()

"""In Chromium on a phone-sized screen: an inspector makes the field app available offline, loses the
network, records the inspection (a finding with a photo, signatures drawn on screen), sees it waiting
in the outbox, gets the network back and syncs; the record, its hazard case and the 责令限期整改指令书
are then on the server."""

import io

import pytest
from PIL import Image

from pingan.core.testing import PASSWORD, make_world
from pingan.hazards.defaults import ensure_defaults
from pingan.hazards.models import HazardCase
from pingan.inspections.models import EnforcementDocument, FieldRecord, Finding
from pingan.inspections.tests.factories import drawn_plan, registers, the_inspection

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (180, 40, 40)).save(buf, "JPEG")
    return buf.getvalue()


def _sign(pg, testid):
    pad = pg.locator(f"[data-testid={testid}]")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    x, y = box["x"] + 20, box["y"] + box["height"] / 2
    pg.mouse.move(x, y)
    pg.mouse.down()
    for step in range(1, 8):
        pg.mouse.move(x + step * 25, y + (12 if step % 2 else -12))
    pg.mouse.up()


def test_offline_inspection_record_syncs_into_record_case_and_order(page, login, shot, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the live server's files in this test's own folder
    # A transactional test elsewhere in the run flushes the hazard categories of the data migration;
    # a finding becomes a hazard case of one of them.
    ensure_defaults()
    world = make_world()
    reg = registers(world)
    inspection = the_inspection(drawn_plan(world))
    inspector = world.user("inspector", "qingcheng")

    ctx = page.context.browser.new_context(
        locale="zh-CN",
        viewport={"width": 375, "height": 740},
        device_scale_factor=2,
        service_workers="allow",
        geolocation={"latitude": 23.7, "longitude": 113.05},
        permissions=["geolocation"],
    )
    pg = ctx.new_page()
    pg.set_default_timeout(15000)
    pg.base = page.base
    login(pg, inspector.username, PASSWORD)
    pg.goto(page.base + "/field/")
    pg.click("[data-testid=make-offline]")
    pg.wait_for_selector("[data-testid=bundle-state]:has-text('已可离线使用')")
    pg.evaluate("navigator.serviceWorker.ready.then(() => true)")
    shot(pg, "field-online-ready")

    ctx.set_offline(True)
    # The shell comes from the phone's cache now, and the data from IndexedDB.
    reloaded = pg.reload()
    assert reloaded is not None and reloaded.from_service_worker
    # The page's script writes the network state once it has run: wait for it, don't read it at once.
    pg.wait_for_selector("[data-testid=net]:has-text('离线')")
    pg.click(f"[data-testid=inspection-{inspection.pk}]")
    pg.check(f"[data-testid=answer-{reg['item'].pk}-ok]")
    pg.check(f"[data-testid=answer-{reg['major_item'].pk}-fail]")
    pg.fill("[data-testid=finding-description]", "动火作业前未进行气体分析")
    pg.set_input_files(
        "[data-testid=finding-photos]", files=[{"name": "p.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}]
    )
    pg.wait_for_selector(".thumbs img")
    pg.fill("[data-testid=representative]", "王经理")
    for i in inspection.inspectors.all():
        _sign(pg, f"sign-inspector-{i.pk}")
    _sign(pg, "sign-representative")
    shot(pg, "field-offline-record")
    pg.click("[data-testid=save]")
    pg.wait_for_selector("[data-testid=pending]:has-text('未发送 1')")
    assert "未能发送" not in pg.locator("[data-testid=queue]").inner_text()
    shot(pg, "field-offline-pending")
    assert not FieldRecord.objects.exists()

    ctx.set_offline(False)
    pg.click("[data-testid=sync]")
    # The sync does real work on the server (the case, the inspection, two PDFs set in a CJK font):
    # under a loaded CI machine that takes more than the default 15 s.
    pg.wait_for_selector("[data-testid=pending]:has-text('全部已发送')", timeout=90_000)
    pg.wait_for_selector("[data-testid=document-link]:has-text('责令限期整改指令书')")
    shot(pg, "field-synced")

    record = FieldRecord.objects.get(inspection=inspection)
    assert record.present.count() == 2 and set(record.signatures) == {
        *(f"inspector:{i.pk}" for i in inspection.inspectors.all()),
        "representative",
    }
    assert record.lat == pytest.approx(23.7)
    finding = Finding.objects.get(inspection=inspection)
    case = HazardCase.objects.get(pk=finding.hazard_case_id)
    assert case.grade == "major" and case.photos.count() == 1
    order = EnforcementDocument.objects.get(inspection=inspection, kind="rectify_order")
    pdf = pg.request.get(page.base + f"/console/inspections/documents/{order.pk}.pdf")
    assert pdf.status == 200 and pdf.body()[:4] == b"%PDF"
    ctx.close()

"""The public pages: anonymous report with a code, tracking without reporter identity or internal
notes, photos served without location metadata, feedback reopening."""

import io

import pytest
from django.test import Client
from PIL import Image

from pingan.hazards import actions
from pingan.hazards.models import HazardCase

from .factories import jpeg_with_gps, submit, to_state

pytestmark = pytest.mark.django_db

SECRET_NAME = "李秘密"
SECRET_PHONE = "13900001111"
INTERNAL = "内部意见:此人多次举报"


def test_anonymous_report_returns_tracking_code_and_is_idempotent(world):
    c = Client()
    r = c.get("/report/")
    assert r.status_code == 200 and "client_token" in r.content.decode()
    from pingan.hazards.models import Category

    data = {
        "category": Category.objects.get(code="fire_exit").pk,
        "title": "楼道堵塞",
        "description": "三楼",
        "address": "凤城街道",
        "lat": "23.7",
        "lon": "113.05",
        "reporter_phone": SECRET_PHONE,
        "client_token": "tok-xyz",
        "photos": jpeg_with_gps(),
    }
    r = c.post("/report/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    case = HazardCase.objects.get()
    assert r["Location"].startswith(f"/report/track/{case.tracking_code}/")
    assert case.reporter is None and case.source == "public" and case.reporter_phone == SECRET_PHONE
    page = c.get(r["Location"]).content.decode()
    assert case.tracking_code in page
    data["photos"] = jpeg_with_gps()
    c.post("/report/", data)
    assert HazardCase.objects.count() == 1


def test_report_form_errors(world):
    c = Client()
    r = c.post("/report/", {"title": "", "lat": "", "lon": ""})
    assert r.status_code == 200 and "errorlist" in r.content.decode()
    from pingan.hazards.models import Category

    r = c.post(
        "/report/", {"category": Category.objects.get(code="gas").pk, "title": "x", "lat": "40", "lon": "100"}
    )
    assert "该位置不在本市范围内" in r.content.decode()


def test_public_views_leak_no_reporter_and_no_internal_note(world):
    citizen = world.user("public", "city")
    citizen.display_name = SECRET_NAME
    citizen.save()
    case = submit(
        world,
        reporter=citizen,
        source="public",
        reporter_name=SECRET_NAME,
        reporter_phone=SECRET_PHONE,
        photos=[jpeg_with_gps()],
        description=f"楼道堵塞,有事打我 {SECRET_PHONE}",
    )
    dispatcher = world.user("dept_staff", "city")
    actions.do_comment(dispatcher, case, body=INTERNAL, is_public=False)
    case = to_state(world, case, "assigned")
    actions.do_comment(dispatcher, case, body="已派消防大队处理", is_public=True)
    c = Client()
    outputs = [
        c.get(f"/report/track/{case.tracking_code}/").content.decode(),
        c.get(f"/api/v1/hazard-tracking/{case.tracking_code}/").content.decode(),
        c.get("/open311/v2/requests.json").content.decode(),
        c.get("/open311/v2/requests.xml").content.decode(),
    ]
    for text in outputs:
        assert SECRET_NAME not in text and SECRET_PHONE not in text and "citizen" not in text
        assert INTERNAL not in text and "dispatcher" not in text
    assert "已派消防大队处理" in outputs[0] and "已派消防大队处理" in outputs[1]
    # Even signed in as the reporter, the public page shows the same public view.
    c.force_login(citizen)
    mine = c.get("/report/mine/").content.decode()
    assert case.title in mine


def test_photo_with_gps_is_served_publicly_without_it(world):
    case = submit(world, source="public", photos=[jpeg_with_gps()])
    photo = case.photos.get()
    c = Client()
    r = c.get(f"/report/track/{case.tracking_code}/photo/{photo.public_id}/")
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    data = b"".join(r.streaming_content)
    img = Image.open(io.BytesIO(data))
    assert not img.getexif() and b"Exif" not in data and b"PhoneMaker" not in data
    assert c.get(f"/report/photo/{photo.public_id}/").status_code == 200
    # A wrong code, or an internal case's photo without the code, is not served.
    assert c.get(f"/report/track/AAAAAAAAAAAA/photo/{photo.public_id}/").status_code == 404
    internal = submit(world, source="console", photos=[jpeg_with_gps()])
    assert c.get(f"/report/photo/{internal.photos.get().public_id}/").status_code == 404
    # Staff get the original (with its metadata) from the console.
    staff = Client()
    staff.force_login(world.user("dept_staff", "city"))
    orig = b"".join(staff.get(f"/console/hazards/{case.pk}/photos/{photo.pk}/").streaming_content)
    assert b"Exif" in orig


def test_feedback_on_tracking_page_reopens(world):
    case = to_state(world, submit(world, source="public"), "closed")
    c = Client()
    page = c.get(f"/report/track/{case.tracking_code}/").content.decode()
    assert 'data-testid="feedback-form"' in page
    r = c.post(f"/report/track/{case.tracking_code}/", {"answer": "not_fixed", "note": "还是堵着"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.state == "rectifying" and case.reopened_count == 1


def test_unknown_code_is_404(world):
    assert Client().get("/report/track/NOPE/").status_code == 404
    assert Client().get("/report/track/?code=ab-cd").status_code == 302


def test_portal_lists_hazard_entries(world):
    page = Client().get("/").content.decode()
    assert "/report/" in page and "/report/track/" in page


def test_english_translation(world):
    from django.utils import translation

    from pingan.hazards.choices import State

    with translation.override("en"):
        assert str(State.AWAITING_ACCEPTANCE.label) == "Awaiting acceptance"
    c = Client()
    c.cookies["django_language"] = "en"
    page = c.get("/report/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Report a safety hazard" in page

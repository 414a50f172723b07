"""Lesson media uploaded in the console by staff (not only /admin/): images and videos checked by type
(extension and content) and size, each save audited; who may."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from pingan.core.models import AuditEvent
from pingan.core.testing import MATRIX_PEOPLE
from pingan.culture.models import Lesson

pytestmark = pytest.mark.django_db

EDITORS = {
    ("city_admin", "city"),
    ("dept_staff", "qingcheng"),
    ("area_staff", "qingcheng"),
    ("dept_staff", "yingde"),
    ("area_staff", "yingde"),
}
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64
WEBM = b"\x1a\x45\xdf\xa3" + b"\x00" * 64


def png(name="a.png", fmt="PNG"):
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def web(world, role="dept_staff", area="qingcheng"):
    c = Client()
    c.force_login(world.user(role, area))
    return c


def form(the_course, **over):
    base = {"course": the_course.pk, "order": 9, "title": "暴雨天气出行安全", "body": "遇到积水绕行。"}
    base.update(over)
    return base


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("role,area", MATRIX_PEOPLE, ids=[f"{r}-{a}" for r, a in MATRIX_PEOPLE])
def test_who_may_upload(world, course, role, area):
    c = web(world, role, area)
    allowed = (role, area) in EDITORS
    assert c.get("/console/culture/lessons/new/").status_code == (200 if allowed else 403)
    r = c.post("/console/culture/lessons/new/", form(course, image=png()))
    assert r.status_code == (302 if allowed else 403)
    assert Lesson.objects.filter(title="暴雨天气出行安全").exists() == allowed
    home = c.get("/console/culture/")
    if home.status_code == 200:
        assert ('data-testid="new-lesson"' in home.content.decode()) == allowed


def test_upload_image_and_video_then_edit_keeps_them(world, course):
    c = web(world)
    r = c.post(
        "/console/culture/lessons/new/", form(course, image=png(), video=SimpleUploadedFile("v.mp4", MP4))
    )
    assert r.status_code == 302
    lesson = Lesson.objects.get(title="暴雨天气出行安全")
    assert lesson.image.name.endswith(".png") and lesson.video.name.endswith(".mp4")
    ev = AuditEvent.objects.get(action="culture.lesson.create", object_id=str(lesson.pk))
    assert ev.after["video"] == lesson.video.name and ev.actor == world.user("dept_staff")
    r = c.post(
        f"/console/culture/lessons/{lesson.pk}/",
        form(course, title="暴雨出行", video=SimpleUploadedFile("w.webm", WEBM)),
    )
    assert r.status_code == 302
    lesson.refresh_from_db()
    assert (
        lesson.title == "暴雨出行"
        and lesson.image.name.endswith(".png")
        and lesson.video.name.endswith(".webm")
    )
    ev = AuditEvent.objects.get(action="culture.lesson.update", object_id=str(lesson.pk))
    assert ev.before["title"] == "暴雨天气出行安全" and ev.after["video"].endswith(".webm")
    assert c.get(f"/console/culture/lessons/{lesson.pk}/").status_code == 200


@pytest.mark.parametrize(
    "field,upload,code",
    [
        ("image", lambda: SimpleUploadedFile("a.exe", b"MZ\x90\x00"), "invalid_extension"),
        ("image", lambda: SimpleUploadedFile("a.png", b"not an image at all"), "invalid_image"),
        ("image", lambda: png("a.png", fmt="JPEG"), "invalid_image"),  # a JPEG named .png
        ("video", lambda: SimpleUploadedFile("v.avi", MP4), "invalid_extension"),
        ("video", lambda: SimpleUploadedFile("v.mp4", b"plain text, not a video"), "invalid_video"),
        ("video", lambda: SimpleUploadedFile("v.webm", MP4), "invalid_video"),
    ],
)
def test_bad_files_refused_with_reason(world, course, field, upload, code):
    r = web(world).post("/console/culture/lessons/new/", form(course, **{field: upload()}))
    assert r.status_code == 200
    assert r.context["form"].errors.as_data()[field][0].code == code
    assert not Lesson.objects.filter(title="暴雨天气出行安全").exists()


def test_size_limits(world, course, settings):
    settings.CULTURE_IMAGE_MAX_MB = 0
    settings.CULTURE_VIDEO_MAX_MB = 0
    c = web(world)
    for field, upload in (("image", png()), ("video", SimpleUploadedFile("v.mp4", MP4))):
        r = c.post("/console/culture/lessons/new/", form(course, **{field: upload}))
        assert r.context["form"].errors.as_data()[field][0].code == "file_too_large"


def test_bad_form_values(world, course):
    c = web(world)
    for over, field in (({"course": 999999}, "course"), ({"title": ""}, "title"), ({"order": 0}, "order")):
        r = c.post("/console/culture/lessons/new/", form(course, **over))
        assert r.status_code == 200 and field in r.context["form"].errors
    assert c.get("/console/culture/lessons/999999/").status_code == 404

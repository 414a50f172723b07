"""Abuse of the public doors: oversized images (pixels and decoded memory), too many photos, Open311
acting on a browser session, over-long descriptions, non-finite coordinates, JSON bombs."""

from __future__ import annotations

import io
import json
import time
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from PIL import Image

from pingan.core.actions import ActionError
from pingan.hazards.models import HazardCase, Photo
from pingan.hazards.photos import strip_metadata

from .factories import png, submit

OPEN311 = "/open311/v2/requests.json"


def big_png(width: int, height: int, mode: str = "RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, (width, height)).save(buf, format="PNG", optimize=False, compress_level=9)
    return buf.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    data = big_png(6300, 6300, "L")
    assert len(data) < 400_000  # small on the wire, ~160 MB once decoded as RGBA
    return data


def report(**extra):
    return {
        "service_code": "fire_exit",
        "lat": "23.7",
        "long": "113.05",
        "description": "楼道堆满杂物",
        **extra,
    }


def test_a_6300_square_png_is_refused_fast_before_decoding(bomb):
    started = time.perf_counter()
    with pytest.raises(ActionError) as refused:
        strip_metadata(bomb, "PNG")
    assert refused.value.code == "too_many_pixels" and refused.value.field == "photos"
    assert time.perf_counter() - started < 0.5


def test_decoded_memory_is_bounded_too(settings):
    """Within the pixel limit but over the memory limit (pixels × bytes per pixel): refused."""
    settings.HAZARDS_PHOTO_MAX_DECODED_BYTES = 3_000_000
    with pytest.raises(ActionError) as refused:
        strip_metadata(big_png(1000, 1000, "RGBA"), "PNG")  # 4 MB decoded
    assert refused.value.code == "too_many_pixels"
    body, w, h = strip_metadata(big_png(800, 800, "RGB"), "PNG")  # 1.9 MB: fine
    assert (w, h) == (800, 800) and body


def test_open311_bomb_is_a_400_naming_photos(world, bomb):
    r = Client().post(OPEN311, report(media=SimpleUploadedFile("b.png", bomb, content_type="image/png")))
    assert r.status_code == 400 and r.json()[0]["description"].startswith("photos")
    assert not Photo.objects.exists()


def test_photos_per_case_are_capped(world, settings):
    settings.HAZARDS_PHOTOS_PER_CASE = 2
    with pytest.raises(ActionError) as refused:
        submit(world, photos=[png("a.png"), png("b.png"), png("c.png")])
    assert refused.value.code == "too_many_photos" and refused.value.field == "photos"


def test_files_per_request_are_capped(world, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    r = Client().post(OPEN311, report(media=[png(f"{i}.png") for i in range(4)]))
    assert r.status_code == 400
    assert not HazardCase.objects.exists()


def test_open311_post_does_not_act_on_a_browser_session(world):
    """Cross-site: a signed-in officer's browser posts a form to Open311 without a CSRF token. The
    report is accepted as anonymous — the session gives it no author."""
    officer = world.user("area_staff")
    c = Client(enforce_csrf_checks=True)
    c.force_login(officer)
    r = c.post(OPEN311, report())
    assert r.status_code == 201
    case = HazardCase.objects.get()
    assert case.reporter is None
    assert not case.subscriptions.filter(user=officer).exists() if hasattr(case, "subscriptions") else True


def test_open311_description_has_a_length_cap(world):
    r = Client().post(OPEN311, report(description="险" * 4001))
    assert r.status_code == 400 and "description" in r.json()[0]["description"]
    assert Client().post(OPEN311, report(description="险" * 4000)).status_code == 201


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf", "NaN"])
def test_open311_non_finite_coordinates_are_a_400(world, bad):
    r = Client().post(OPEN311, report(lat=bad))
    assert r.status_code == 400 and "lat" in r.json()[0]["description"]


@pytest.mark.parametrize("depth", [40, 5000, 100_000])
def test_api_json_nested_deep_is_a_400(login_api, depth):
    api = login_api("city_admin", "city")
    body = "[" * depth + "]" * depth
    r = api.generic("POST", "/api/v1/hazards/", body, content_type="application/json")
    assert r.status_code == 400
    assert "JSON" in json.dumps(r.json(), ensure_ascii=False)


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(db, settings):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cur:
        cur.execute("PRAGMA journal_mode")
        mode = cur.fetchone()[0]
    # The in-memory test database cannot be WAL; the setting is what production gets.
    assert mode in ("wal", "memory")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert "journal_mode=WAL" in options["init_command"] and options["timeout"] >= 5


def _middle_digits_shown(text: str) -> bool:
    from pingan.hazards.selectors import mask_phones

    return "1234" in unicodedata.normalize("NFKC", mask_phones(f"联系 {text} 张"))


def test_public_phone_mask_catches_plain_digits():
    assert not _middle_digits_shown("13812345678")


@pytest.mark.parametrize(
    "text", ["138-1234-5678", "138 1234 5678", "+86 138 1234 5678", "１３８１２３４５６７８"]
)
def test_public_phone_mask_catches_separated_numbers(text):
    assert not _middle_digits_shown(text)


# --- One description cap on every channel (rules.TEXT_RULE), the error naming the field ---------------
CAP = 4000


def _form(world, **extra):
    from pingan.hazards.models import Category

    return {
        "category": Category.objects.get(code="fire_exit").pk,
        "title": "楼道堵塞",
        "lat": "23.7",
        "lon": "113.05",
        "source": "console",
        "grade": "general",
        **extra,
    }


def test_description_cap_is_one_rule():
    from pingan.hazards import rules

    assert rules.TEXT_RULE["description_max_chars"] == CAP and rules.TEXT_RULE["source"]


def test_description_cap_in_the_action(world):
    with pytest.raises(ActionError) as refused:
        submit(world, description="险" * (CAP + 1))
    assert refused.value.field == "description" and "4000" in str(refused.value.message)
    assert submit(world, description="险" * CAP).description == "险" * CAP


def test_description_cap_in_the_portal_report_form(world):
    r = Client().post("/report/", _form(world, description="险" * (CAP + 1)))
    page = r.content.decode()
    assert r.status_code == 200 and "详细描述不能超过 4000 字" in page and not HazardCase.objects.exists()


def test_description_cap_in_the_console_report_form(world):
    c = Client()
    c.force_login(world.user("grid_worker", "qingcheng"))
    r = c.post("/console/hazards/new/", _form(world, description="险" * (CAP + 1)))
    assert r.status_code == 200 and "详细描述不能超过 4000 字" in r.content.decode()
    assert not HazardCase.objects.exists()


def test_description_cap_in_the_api(login_api):
    api = login_api("grid_worker", "qingcheng")
    body = {
        "title": "x",
        "category": "fire_exit",
        "lat": 23.7,
        "lon": 113.05,
        "description": "险" * (CAP + 1),
    }
    r = api.post("/api/v1/hazards/", body, format="json")
    assert r.status_code == 400
    error = r.json()["errors"][0]
    assert error["field"] == "description" and "4000" in error["message"]

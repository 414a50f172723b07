"""Rate limits (django-ratelimit) on the shared cache, keyed by the real client address: the public
report form, tracking pages, Open311 (with or without api_key), login and photo retrieval answer 429
with a friendly message past their rate; another address is not affected."""

from __future__ import annotations

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token

from pingan.hazards.tests.factories import jpeg_with_gps, submit

A, B = "203.0.113.7", "198.51.100.8"


@pytest.fixture
def low(settings):
    settings.RATELIMITS = {
        **settings.RATELIMITS,
        "report": "2/m",
        "track": "3/m",
        "photo": "2/m",
        "open311_read": "3/m",
        "open311_write": "2/m",
        "login": "3/m",
    }
    return settings


def _hammer(send, n: int) -> list[int]:
    return [send().status_code for _ in range(n)]


def test_the_counters_live_in_the_shared_database_cache(world, low):
    backend = type(caches["default"]).__name__
    assert backend in ("AtomicDatabaseCache", "RedisCache")  # never per-process memory
    Client().get("/report/track/", REMOTE_ADDR=A)
    if backend == "AtomicDatabaseCache":
        with connection.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM pingan_cache")
            assert cur.fetchone()[0] >= 1


def test_atomic_increment_of_the_database_cache(world):
    cache.add("k", 1, 60)
    assert cache.incr("k") == 2 and cache.incr("k", 5) == 7 and cache.get("k") == 7
    with pytest.raises(ValueError):
        cache.incr("missing")


def test_public_report_form(world, low):
    c = Client()
    codes = _hammer(lambda: c.post("/report/", {"title": ""}, REMOTE_ADDR=A), 3)
    assert codes == [200, 200, 429]
    r = c.post("/report/", {"title": ""}, REMOTE_ADDR=A)
    assert "请求过于频繁" in r.content.decode() and r["Retry-After"]
    assert c.get("/report/", REMOTE_ADDR=A).status_code == 200  # reading the form is not a submission
    assert c.post("/report/", {"title": ""}, REMOTE_ADDR=B).status_code == 200  # another address


def test_tracking_pages(world, low):
    case = submit(world, source="public")
    c = Client()
    url = f"/report/track/{case.tracking_code}/"
    assert _hammer(lambda: c.get(url, REMOTE_ADDR=A), 4) == [200, 200, 200, 429]
    assert c.get("/report/track/?code=AAAA", REMOTE_ADDR=A).status_code == 429  # one bucket for code guessing
    assert c.get(url, REMOTE_ADDR=B).status_code == 200


def test_photo_retrieval(world, low):
    case = submit(world, source="public", photos=[jpeg_with_gps()])
    photo = case.photos.get()
    c = Client()
    url = f"/report/track/{case.tracking_code}/photo/{photo.public_id}/"
    assert _hammer(lambda: c.get(url, REMOTE_ADDR=A), 3) == [200, 200, 429]
    assert c.get(f"/report/photo/{photo.public_id}/", REMOTE_ADDR=A).status_code == 429


def test_open311_with_or_without_api_key(world, low):
    token = Token.objects.create(user=world.user("city_admin", "city"))
    c = Client()
    data = {"service_code": "nope", "lat": "23.7", "long": "113.05", "description": "x"}
    assert c.post("/open311/v2/requests.json", data, REMOTE_ADDR=A).status_code == 404
    assert (
        c.post("/open311/v2/requests.json", {**data, "api_key": token.key}, REMOTE_ADDR=A).status_code == 404
    )
    # A personal token does not lift the public limit.
    r = c.post("/open311/v2/requests.json", {**data, "api_key": token.key}, REMOTE_ADDR=A)
    assert r.status_code == 429
    body = r.json()
    assert body[0]["code"] == 429 and "频繁" in body[0]["description"]
    assert c.post("/open311/v2/requests.json", data, REMOTE_ADDR=B).status_code == 404
    # Reading has its own, higher limit.
    assert _hammer(lambda: c.get("/open311/v2/services.json", REMOTE_ADDR=A), 4) == [200, 200, 200, 429]


def test_login_posts_per_address_across_usernames(world, low):
    c = Client()
    codes = [
        c.post("/accounts/login/", {"username": f"user{i}", "password": "x"}, REMOTE_ADDR=A).status_code
        for i in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    assert c.post("/admin/login/", {"username": "other", "password": "x"}, REMOTE_ADDR=A).status_code == 429
    assert c.get("/accounts/login/", REMOTE_ADDR=A).status_code == 200  # the page itself stays readable
    assert c.post("/accounts/login/", {"username": "u", "password": "x"}, REMOTE_ADDR=B).status_code == 200


def test_behind_the_proxy_each_citizen_has_a_bucket(world, low):
    low.TRUSTED_PROXY_COUNT = 1
    c = Client()
    for _ in range(3):
        c.get("/report/track/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=A)
    assert c.get("/report/track/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=A).status_code == 429
    assert c.get("/report/track/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=B).status_code == 200

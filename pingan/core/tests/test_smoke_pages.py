"""Every person opens every page of their navigation, the first few links found on it, and the
portal, without a server error (and with the page in the right language)."""

import re

import pytest
from django.test import Client

from pingan.core.nav import nav_for
from pingan.core.testing import MATRIX_PEOPLE

LINK = re.compile(r'href="(/(?:console|report)/[^"#?]*)"')


def seed_some_of_everything(world):
    """A little data in each module, so that list pages have rows and detail links to follow."""
    from pingan.emergency.services import create_incident_from_source
    from pingan.hazards.defaults import ensure_defaults
    from pingan.hazards.services import create_case_from_source

    ensure_defaults()
    staff = world.user("area_staff", "qingcheng")
    create_case_from_source(actor=staff, source="console", title="楼道堆放杂物", description="消防通道堵塞",
                            lat=23.7, lon=113.05)
    create_incident_from_source(actor=world.user("duty_officer", "qingcheng"), source="phone", title="厂房起火",
                                description="冒烟", lat=23.7, lon=113.05, occurred_at=None)


@pytest.mark.django_db
@pytest.mark.parametrize("role,area", MATRIX_PEOPLE)
def test_navigation_pages_open_for_every_role(world, role, area):
    seed_some_of_everything(world)
    user = world.user(role, area)
    client = Client()
    client.force_login(user)
    pages = [item["url"] for group in nav_for(user) for item in group["items"]]
    if user.is_staff_role:
        assert len(pages) >= 10, pages  # the console's modules are all reachable
    seen: set[str] = set()
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 302), (url, response.status_code)
        seen.add(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        fresh = [u for u in dict.fromkeys(LINK.findall(response.content.decode())) if u not in seen]
        for link in fresh[:15]:
            if "/export" in link or link.endswith((".xlsx", ".docx", ".ics")):
                continue
            seen.add(link)
            followed = client.get(link)
            assert followed.status_code in (200, 302, 403, 404, 405), (url, link, followed.status_code)
    if user.is_staff_role:
        assert len(seen) > len(pages)  # links on the pages were followed too


@pytest.mark.django_db
def test_portal_and_public_pages_in_both_languages(world):
    client = Client()
    for lang, word in (("zh-hans", "平安清远"), ("en", "Ping'an")):
        client.cookies["django_language"] = lang
        response = client.get("/")
        assert response.status_code == 200 and word in response.content.decode()
        for link in set(re.findall(r'href="(/[^"#?]*)"', response.content.decode())):
            if link.startswith(("/static/", "/admin/", "/i18n/")):
                continue
            assert client.get(link).status_code in (200, 302), link

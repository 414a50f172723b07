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
    create_case_from_source(
        actor=staff, source="console", title="楼道堆放杂物", description="消防通道堵塞", lat=23.7, lon=113.05
    )
    create_incident_from_source(
        actor=world.user("duty_officer", "qingcheng"),
        source="phone",
        title="厂房起火",
        description="冒烟",
        lat=23.7,
        lon=113.05,
        occurred_at=None,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role,area", MATRIX_PEOPLE)
def test_navigation_pages_open_for_every_role(world, role, area):
    seed_some_of_everything(world)
    user = world.user(role, area)
    client = Client()
    client.force_login(user)
    pages = [item["url"] for group in nav_for(user) for item in group["items"]]
    if user.is_staff_role:
        assert "/console/" in pages, pages  # each role's navigation is its own; the home is in every one
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


# --- Offered means allowed -----------------------------------------------------------------------------
# Every POST form (and every named submit button of it) offered on a page of a person's navigation, or on
# the first pages linked from there, is submitted — filled in minimally where a field is required — and
# must not be refused (403) nor fail (500). 400 (bad data), 404 (gone since) and 409 are fine.
SKIP_ACTIONS = ("/accounts/logout/", "/i18n/setlang/")
LINKS_PER_PAGE = 8

# Forms of apps still being converted to the permission model when this test was written (issue 9):
# a refusal there is listed and expected to fail (xfail). The integrator removes each entry once the
# app's branch is merged; an entry that no longer fails is reported so it can be removed.
PENDING: dict[str, str] = {}


def _pending(action: str) -> str | None:
    return next((why for prefix, why in PENDING.items() if action.startswith(prefix)), None)


@pytest.mark.django_db
@pytest.mark.parametrize("role,area", MATRIX_PEOPLE)
def test_every_offered_form_is_allowed(world, role, area):
    from pingan.core.tests.forms_html import post_forms

    seed_some_of_everything(world)
    user = world.user(role, area)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    pages = [item["url"] for group in nav_for(user) for item in group["items"]]
    queue, seen_pages, seen_forms = list(pages), set(), set()
    refused, pending, submitted = [], [], 0
    while queue:
        url = queue.pop(0)
        if url in seen_pages:
            continue
        seen_pages.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        if url in pages:  # follow a few links from the navigation's own pages
            links = [
                u
                for u in dict.fromkeys(LINK.findall(html))
                if u not in seen_pages
                and u not in pages
                and "/export" not in u
                and not u.endswith((".xlsx", ".docx", ".ics"))
            ]
            queue.extend(links[:LINKS_PER_PAGE])
        for form in post_forms(html, url):
            if form.action.startswith(SKIP_ACTIONS) or not form.action.startswith("/"):
                continue
            for body in form.submissions():
                key = (
                    form.action.rstrip("/").rsplit("/", 1)[0]
                    if form.action[-2:-1].isdigit()
                    else form.action,
                    tuple(sorted(k for k in body if k != "csrfmiddlewaretoken")),
                )
                if key in seen_forms:
                    continue
                seen_forms.add(key)
                answer = client.post(form.action, body)
                submitted += 1
                if answer.status_code in (403, 500):
                    entry = (url, form.action, sorted(body), answer.status_code)
                    (pending if _pending(form.action) else refused).append(entry)
    assert not refused, f"{role}/{area}: offered but refused or failing: {refused}"
    print(f"{role}/{area}: {len(seen_pages)} pages, {submitted} submissions")
    if user.is_staff_role:
        assert submitted >= 3, (role, submitted)  # the walk really reached forms (language, inbox, …)
    if pending:
        pytest.xfail(f"{role}/{area}: refused in apps still being converted: {pending}")

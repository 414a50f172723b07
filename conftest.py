"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from pingan.core.testing import PASSWORD, World, make_world


@pytest.fixture
def world(db) -> World:
    # The default hazard categories come with a data migration; a transactional test elsewhere in
    # the run flushes them, so every test world puts back what is missing (idempotent).
    from pingan.hazards.defaults import ensure_defaults

    ensure_defaults()
    return make_world()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def login_api(world):
    """login_api(role, area='qingcheng') → an APIClient signed in as that person (None: anonymous)."""

    def make(role: str | None, area: str = "qingcheng") -> APIClient:
        client = APIClient()
        if role is not None:
            client.force_authenticate(world.user(role, area))
        return client

    return make


@pytest.fixture
def password() -> str:
    return PASSWORD


# --- Browser tests -----------------------------------------------------------------------------
# Playwright drives Debian's Chromium (/usr/bin/chromium); never `playwright install`.
SCREENSHOTS = __import__("pathlib").Path(__file__).resolve().parent / "var" / "screenshots"


@pytest.fixture(scope="session")
def _chromium():
    import os

    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; Django refuses ORM calls from async contexts
    # unless told that this is a test process.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(_chromium, live_server):
    """A fresh browser page (zh-hans, desktop size); `page.base` is the live server's URL."""
    context = _chromium.new_context(locale="zh-CN", viewport={"width": 1366, "height": 860})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.base = live_server.url
    yield pg
    context.close()


@pytest.fixture
def shot():
    """shot(page, name): save a full-page screenshot under var/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(pg, name: str) -> str:
        path = SCREENSHOTS / f"{name}.png"
        pg.screenshot(path=str(path), full_page=True)
        return str(path)

    return take


def browser_login(pg, username: str, password: str = PASSWORD) -> None:
    pg.goto(pg.base + "/accounts/login/")
    pg.fill("#id_username", username)
    pg.fill("#id_password", password)
    pg.click("[data-testid=login-form] button[type=submit]")
    pg.wait_for_load_state("networkidle")


@pytest.fixture
def login():
    """login(page, username) signs in through the real login form."""
    return browser_login

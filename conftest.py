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


# --- pytest-xdist: the schema-coverage check over all workers --------------------------------------
class _SchemaCoverageAcrossWorkers:
    """Collects each worker's API calls (pingan/core/tests/conftest.py) and judges, at the end of the
    run on the controller, that every operation listed in a matrix.py was called by its app's tests."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.complete: set[str] | None = None
        self.heard = False

    def pytest_testnodedown(self, node, error):
        output = getattr(node, "workeroutput", {})
        if "pingan_api_calls" not in output:
            return
        self.heard = True
        self.calls.extend(tuple(call) for call in output["pingan_api_calls"])
        apps = set(output["pingan_complete_apps"])
        # Every worker collects the whole run, so they agree; intersect to be safe.
        self.complete = apps if self.complete is None else self.complete & apps

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session, exitstatus):
        if not self.heard or not self.complete:
            return
        from pingan.core.tests.test_schema_coverage import unexercised

        never = unexercised(self.calls, self.complete)
        if never:
            reporter = session.config.pluginmanager.get_plugin("terminalreporter")
            message = "listed in a matrix.py but never called by that app's tests:\n" + "\n".join(never)
            if reporter is not None:
                reporter.write_sep("=", "test_every_matrix_operation_is_exercised FAILED", red=True)
                reporter.write_line(message)
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_configure(config):
    if config.pluginmanager.hasplugin("xdist") and not hasattr(config, "workerinput"):
        config.pluginmanager.register(_SchemaCoverageAcrossWorkers(), "pingan-schema-coverage-xdist")

"""The recorder behind test_schema_coverage.py: which API operations the suite really calls.

Loaded whenever core's tests are collected. It listens to `request_started` (sent by Django's test
client, DRF's APIClient included) from collection on, so it hears every API request of the session,
with the test that made it; it notes which apps' test folders are run in full, and moves the
coverage check to the end of the run so that it judges a finished session.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.signals import request_started

ROOT = Path(__file__).resolve().parents[3]
CHECK = "test_schema_coverage.py::test_every_matrix_operation_is_exercised"

# (method, path, test node id) of every API request of the session.
API_CALLS: list[tuple[str, str, str]] = []
# pingan/<app>/tests items left out by -k / -m / node ids (browser tests do not call the API).
DESELECTED: set[str] = set()


def _record(sender, environ=None, scope=None, **kwargs):
    if environ is None:
        return
    path = environ.get("PATH_INFO", "")
    if path.startswith("/api/"):
        test = os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0]
        API_CALLS.append((environ.get("REQUEST_METHOD", "GET").upper(), path, test))


request_started.connect(_record, dispatch_uid="pingan-schema-coverage-recorder", weak=False)


def pytest_deselected(items):
    for item in items:
        if item.get_closest_marker("browser") is None:
            DESELECTED.add(item.nodeid)


def _app_of(nodeid: str) -> str | None:
    parts = nodeid.split("/")
    return parts[1] if len(parts) > 3 and parts[0] == "pingan" and parts[2] == "tests" else None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    # An app's matrix is judged only when every test file of the app runs and none of its API-calling
    # tests was left out; a partial run (one file, -k) judges nothing for that app.
    ran_files = {item.nodeid.split("::")[0] for item in items}
    complete = set()
    for folder in sorted(ROOT.glob("pingan/*/tests")):
        files = {str(p.relative_to(ROOT)) for p in folder.glob("test_*.py")}
        app = folder.parent.name
        if files and files <= ran_files and not any(_app_of(n) == app for n in DESELECTED):
            complete.add(app)
    config.pingan_complete_apps = complete
    checks = [item for item in items if item.nodeid.endswith(CHECK)]
    for item in checks:
        items.remove(item)
        items.append(item)


def pytest_sessionfinish(session):
    # Under pytest-xdist: hand this worker's calls and complete apps to the controller, which judges
    # test_every_matrix_operation_is_exercised over the whole run (root conftest.py).
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["pingan_api_calls"] = [list(call) for call in API_CALLS]
        output["pingan_complete_apps"] = sorted(getattr(session.config, "pingan_complete_apps", set()))

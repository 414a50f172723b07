"""Every operation in the OpenAPI schema is covered by some app's permission matrix, truly.

Each app lists the operations its matrix tests exercise in `pingan/<app>/tests/matrix.py` as
`COVERED = {("GET", "/api/v1/things/"), ("GET", "/api/v1/things/{id}/"), ...}` (paths exactly as
in the schema). A new endpoint without matrix tests fails here; and an operation listed but never
called by that app's tests fails too (the recorder in this folder's conftest.py hears every API
request of the session). That second check runs last and judges only the apps whose tests ran in
full, so running one file or `-k` does not make it fail.
"""

import importlib
import re

import pytest
from django.apps import apps
from drf_spectacular.generators import SchemaGenerator

METHODS = {"get", "post", "put", "patch", "delete"}


def matrices() -> dict[str, set[tuple[str, str]]]:
    """App label → the operations its matrix lists."""
    out: dict[str, set[tuple[str, str]]] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("pingan."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.matrix")
        except ModuleNotFoundError:
            continue
        out[config.name.split(".")[1]] = {(m.upper(), p) for m, p in module.COVERED}
    return out


def covered_operations() -> set[tuple[str, str]]:
    return set().union(*matrices().values())


def operation_of(method: str, path: str, operations: set[tuple[str, str]]) -> tuple[str, str] | None:
    """The schema operation a request path belongs to; a literal segment beats a placeholder
    (/api/v1/hazards/map/ is the map, not the case with id "map")."""
    candidates = []
    for op_method, template in operations:
        if op_method != method:
            continue
        pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path):
            candidates.append((template.count("{"), template))
    return (method, min(candidates)[1]) if candidates else None


def schema_operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (method.upper(), path) for path, ops in schema["paths"].items() for method in ops if method in METHODS
    }


@pytest.mark.django_db
def test_every_schema_operation_is_in_a_permission_matrix():
    missing = sorted(schema_operations() - covered_operations())
    assert not missing, "operations without permission-matrix tests: " + ", ".join(
        f"{m} {p}" for m, p in missing
    )


def test_operation_of_prefers_literal_segments():
    ops = {
        ("GET", "/api/v1/hazards/{id}/"),
        ("GET", "/api/v1/hazards/map/"),
        ("POST", "/api/v1/hazards/{id}/"),
    }
    assert operation_of("GET", "/api/v1/hazards/map/", ops) == ("GET", "/api/v1/hazards/map/")
    assert operation_of("GET", "/api/v1/hazards/12/", ops) == ("GET", "/api/v1/hazards/{id}/")
    assert operation_of("DELETE", "/api/v1/hazards/12/", ops) is None
    assert operation_of("GET", "/api/v1/hazards/12/comments/", ops) is None


def unexercised(calls: list[tuple[str, str, str]], complete: set[str]) -> list[str]:
    """Operations an app's matrix lists that its tests never called, judged for `complete` apps."""
    listed = {app: ops for app, ops in matrices().items() if app in complete}
    called: dict[str, set[tuple[str, str]]] = {}
    for method, path, test in calls:
        app = test.split("/")[1] if test.startswith("pingan/") else ""
        if app in listed:
            op = operation_of(method, path, listed[app])
            if op is not None:
                called.setdefault(app, set()).add(op)
    never = sorted((app, m, p) for app, ops in listed.items() for m, p in ops - called.get(app, set()))
    return [f"  {app}: {m} {p}" for app, m, p in never]


def test_every_matrix_operation_is_exercised(request):
    """Runs last (see conftest.py): each app's listed operations were called by that app's tests.

    Under pytest-xdist each worker hears only its own requests, so the workers hand their calls to
    the controller, which judges the whole run at its end (root conftest.py); here it is skipped."""
    from .conftest import API_CALLS

    if hasattr(request.config, "workerinput"):
        pytest.skip("judged by the xdist controller at the end of the run")
    complete = getattr(request.config, "pingan_complete_apps", set())
    if not any(app in complete for app in matrices()):
        pytest.skip("no app's tests ran in full in this session")
    never = unexercised(API_CALLS, complete)
    assert not never, "listed in a matrix.py but never called by that app's tests:\n" + "\n".join(never)


@pytest.mark.django_db
def test_schema_is_valid_openapi():
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)

"""Every operation in the OpenAPI schema is covered by some app's permission matrix.

Each app lists the operations its matrix tests exercise in `pingan/<app>/tests/matrix.py` as
`COVERED = {("GET", "/api/v1/things/"), ("GET", "/api/v1/things/{id}/"), ...}` (paths exactly as
in the schema). A new endpoint without matrix tests fails here.
"""

import importlib

import pytest
from django.apps import apps
from drf_spectacular.generators import SchemaGenerator

METHODS = {"get", "post", "put", "patch", "delete"}


def covered_operations() -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for config in apps.get_app_configs():
        if not config.name.startswith("pingan."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.matrix")
        except ModuleNotFoundError:
            continue
        out |= {(m.upper(), p) for m, p in module.COVERED}
    return out


def schema_operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops if method in METHODS}


@pytest.mark.django_db
def test_every_schema_operation_is_in_a_permission_matrix():
    missing = sorted(schema_operations() - covered_operations())
    assert not missing, "operations without permission-matrix tests: " + ", ".join(f"{m} {p}" for m, p in missing)


@pytest.mark.django_db
def test_schema_is_valid_openapi():
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)

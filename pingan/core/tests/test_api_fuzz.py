"""Schemathesis over the whole OpenAPI schema, as a city administrator, a district officer and a citizen.

Every operation of /api/schema/ is called with generated requests (valid ones and ones that break
the schema: wrong types, missing fields, huge numbers) through the WSGI application, in-process.
Checks: no server error (5xx), every status code the API answers is declared for the operation, and
every response body conforms to its declared schema (nullable fields declared nullable, pages where
pages are promised). A fixed seed and a bound on examples per operation keep the run reproducible
and short; it runs in `make test`.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

# Examples per operation and mode (~164 operations × 3 people, and invalid input as one of them).
MAX_EXAMPLES = 3
SEED = 20261130

# A city administrator, a district duty officer (清城区) and a citizen, from make_world().
FUZZ_PEOPLE = ["cityadmin", "qingcheng_duty", "citizen"]
NEGATIVE_AS = "cityadmin"

CONFIG = {
    "seed": SEED,
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    "phases": {
        "examples": {"enabled": False},
        "coverage": {"enabled": False},
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": False},
    },
    "checks": {
        "not_a_server_error": {"enabled": True},
        "status_code_conformance": {"enabled": True},
        "content_type_conformance": {"enabled": True},
        "response_schema_conformance": {"enabled": True},
        "response_headers_conformance": {"enabled": False},
        "negative_data_rejection": {"enabled": False},
        "positive_data_acceptance": {"enabled": False},
        "use_after_free": {"enabled": False},
        "ensure_resource_availability": {"enabled": False},
        "ignored_auth": {"enabled": False},
        "missing_required_header": {"enabled": False},
        "unsupported_method": {"enabled": False},
    },
}


def _schema():
    config = SchemathesisConfig.from_dict(CONFIG)
    return schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler(), config=config)


def _run_operation(operation, headers: dict[str, str], mode: GenerationMode) -> str | None:
    """Runs one operation's examples; the first failure's report, or None."""

    @seed(SEED)
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failure is reported as is
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        case.call_and_validate(headers=headers)

    try:
        run()
    except Unsatisfiable:  # no way to break this operation's schema (e.g. only an enum parameter)
        return None
    except (Exception, BaseExceptionGroup) as exc:  # a check's failure group, or an error in-process
        return f"{operation.label} ({mode.value}): {str(exc).strip()[:1500]}"
    return None


def _modes(operation, username: str) -> list[GenerationMode]:
    """Valid requests for everyone; requests that break the schema once, as the city administrator
    (who passes every permission check, so the input itself is what the server meets), for
    operations with a query or a body (bad path ids are test_bad_input.py's, on every GET)."""
    modes = [GenerationMode.POSITIVE]
    takes_input = operation.query or operation.body
    if username == NEGATIVE_AS and takes_input:
        modes.append(GenerationMode.NEGATIVE)
    return modes


@pytest.mark.fuzz
@pytest.mark.parametrize("username", FUZZ_PEOPLE)
def test_api_fuzz(world, username):
    user = next(u for u in world.users.values() if u.username == username)
    token, _ = Token.objects.get_or_create(user=user)
    headers = {"Authorization": f"Token {token.key}"}
    failures = []
    # The WSGI handler (unlike Django's test client) sends request_started and request_finished,
    # whose close_old_connections would close the test's connection inside its transaction
    # (PostgreSQL; SQLite's in-memory test database is never closed).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        for result in _schema().get_all_operations():
            operation = result.ok()
            for mode in _modes(operation, username):
                failure = _run_operation(operation, headers, mode)
                if failure:
                    failures.append(failure)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert not failures, f"{len(failures)} operations failed:\n" + "\n\n".join(failures)


def test_options_answers_every_api_path(world):
    """OPTIONS on every path of the schema (ids filled in) is never a server error; it used to be a
    500 on /api/v1/notification-preferences/me/ (DRF's metadata called get_object() without an id)."""
    import re

    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.test import APIClient

    client = APIClient(raise_request_exception=False)
    client.force_authenticate(next(u for u in world.users.values() if u.username == "cityadmin"))
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    failed = []
    for path in paths:
        response = client.options(re.sub(r"\{[^}]+\}", "1", path))
        if response.status_code >= 500:
            failed.append(f"OPTIONS {path}: {response.status_code}")
    assert not failed, failed
    assert client.options("/api/v1/notification-preferences/me/").status_code == 200

"""Bad input never answers a server error: every console and public page, every API list.

Each class of bad value — an integer beyond 64 bits, a non-finite number, a date out of range or not
a date, an absurd count — is put into every query parameter a page reads (the names its GET forms
offer and the names the code reads from `request.GET`) and every filter an API list declares in the
schema, and into the ids of the paths. The answer may be a 400 (naming the field), a 404 or the page
ignoring the value; never a 5xx.
"""

from __future__ import annotations

import re
import sys
import traceback
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.signals import got_request_exception
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

ROOT = Path(__file__).resolve().parents[2]

# One value per class of bad input.
BAD_VALUES = {
    "int64": "99999999999999999999999",
    "inf": "inf",
    "nan": "NaN",
    "year-0": "0000-01-01",
    "year-99999": "99999-01-01",
    "not-a-number": "abc",
    "count": "1000000000000",
}

# Names the code reads from a query string (request.GET / query_params), found in the source.
_READ = re.compile(r"""(?:GET|query_params)(?:\.get|\.getlist|\[)\(?\s*["']([a-z_]+)["']""")
_FORM_NAME = re.compile(r"""<(?:input|select|textarea)[^>]*\bname="([a-z_]+)\"""")
_GET_FORM = re.compile(r"""<form[^>]*method="get"[^>]*>(.*?)</form>""", re.S | re.I)


def names_read_in_code() -> set[str]:
    names: set[str] = set()
    for path in ROOT.glob("*/**/*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        names.update(_READ.findall(path.read_text(encoding="utf-8")))
    # core's audit log reads its filters through a loop over names
    names.update({"actor", "action", "type", "object", "division", "since", "until", "q"})
    return names


def page_urls() -> list[str]:
    """Every page route of the site (not the API, the admin, static files), ids filled with 1."""
    out: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            route = str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern):
                full = prefix + route
                if full.startswith(("api/", "admin/", "static/", "i18n/")) or "^" in full or "(?P" in full:
                    continue
                out.append("/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: _fill(m.group(1)), full))

    walk(get_resolver().url_patterns, "")
    return sorted(set(out))


def _fill(converter: str | None) -> str:
    if converter == "int":
        return "1"
    if converter == "uuid":
        return "00000000-0000-0000-0000-000000000001"
    return "x"


class ServerErrors:
    """Collects the server errors of a run (with where they were raised) instead of stopping at one."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self._last = ""

    def __enter__(self) -> ServerErrors:
        got_request_exception.connect(self._caught)
        return self

    def __exit__(self, *exc: object) -> None:
        got_request_exception.disconnect(self._caught)

    def _caught(self, sender: object, request: object = None, **kwargs: object) -> None:
        exc = sys.exc_info()[1]
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/pingan/" in f.filename]
        where = f"{frames[-1].filename.split('/pingan/')[-1]}:{frames[-1].lineno}" if frames else "?"
        self._last = f"{type(exc).__name__}: {str(exc)[:120]} at {where}"

    def check(self, label: str, response: object) -> None:
        if response.status_code >= 500:  # type: ignore[attr-defined]
            self.errors.append(f"{label}: {response.status_code} {self._last}")  # type: ignore[attr-defined]
        self._last = ""


def _get_form_names(html: str) -> set[str]:
    return {name for form in _GET_FORM.findall(html) for name in _FORM_NAME.findall(form)}


@pytest.fixture
def admin_client(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.user("city_admin", "city"))
    return client


@pytest.mark.django_db
def test_pages_survive_bad_query_values(world, admin_client):
    from .test_smoke_pages import seed_some_of_everything

    seed_some_of_everything(world)
    code_names = names_read_in_code()
    with ServerErrors() as errors:
        for url in page_urls():
            if url.startswith("/accounts/logout"):
                continue
            plain = admin_client.get(url)
            errors.check(f"{url} (no query)", plain)
            names = set(code_names)
            if "text/html" in plain.get("Content-Type", ""):
                names |= _get_form_names(plain.content.decode())
            for label, value in BAD_VALUES.items():
                response = admin_client.get(url + "?" + urlencode({n: value for n in sorted(names)}))
                errors.check(f"{url} ({label})", response)
    assert not errors.errors, "\n".join(errors.errors)


@pytest.mark.django_db
def test_path_ids_beyond_64_bits_are_not_found(world, admin_client):
    with ServerErrors() as errors:
        for url in page_urls():
            if "/1/" in url:
                huge = url.replace("/1/", "/" + BAD_VALUES["int64"] + "/")
                errors.check(huge, admin_client.get(huge))
    assert not errors.errors, "\n".join(errors.errors)


def api_lists() -> list[tuple[str, list[str]]]:
    """(path, query parameter names) of every API GET operation, ids filled with a huge integer."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    out = []
    for path, ops in schema["paths"].items():
        op = ops.get("get")
        if op is None:
            continue
        names = [p["name"] for p in op.get("parameters", []) if p.get("in") == "query"]
        out.append((re.sub(r"\{[^}]+\}", BAD_VALUES["int64"], path), names))
    return out


@pytest.mark.django_db
def test_api_gets_survive_bad_filter_values(world):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(world.user("city_admin", "city"))
    with ServerErrors() as errors:
        for path, names in api_lists():
            for label, value in BAD_VALUES.items():
                query = "?" + urlencode({n: value for n in names}) if names else ""
                response = client.get(path + query)
                errors.check(f"GET {path} ({label})", response)
                if response.status_code == 400 and not {e["field"] for e in response.json()["errors"]} - {
                    None
                }:
                    errors.errors.append(f"GET {path} ({label}): 400 names no field: {response.json()}")
    assert not errors.errors, "\n".join(errors.errors)


# --- Each class of bad input answers 400 and names the field -------------------------------------
HUGE = 10**23


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("get", "/api/v1/risk-tasks/?risk_object=99999999999999999999999", None, "risk_object"),
        ("get", "/api/v1/risk-tasks/?risk_object=abc", None, "risk_object"),
        ("get", "/api/v1/hazards/?division=99999999999999999999999", None, "division"),
        ("get", "/api/v1/hazards/?department=99999999999999999999999", None, "department"),
        ("get", "/api/v1/hazards/map/?bbox=inf,23,114,24", None, "bbox"),
        ("get", "/api/v1/hazards/map/?bbox=NaN,23,114,24", None, "bbox"),
        ("get", "/api/v1/safety-commitments/rate/?day=99999-01-01", None, "day"),
        (
            "post",
            "/api/v1/emergency/grade/",
            {"deaths": 10**12, "serious_injuries": 0, "direct_loss": 0},
            "deaths",
        ),
        (
            "post",
            "/api/v1/emergency/grade/",
            {"deaths": HUGE, "serious_injuries": 0, "direct_loss": 0},
            "deaths",
        ),
        ("post", "/api/v1/hazards/", {"title": "x", "category": "fire", "lat": "inf", "lon": 113.1}, "lat"),
        ("post", "/api/v1/hazards/", {"title": "x", "category": "fire", "lat": 23.7, "lon": "NaN"}, "lon"),
        ("post", "/api/v1/hazards/", '{"title": "x", "category": "fire", "lat": 1e999, "lon": 113.1}', "lat"),
        ("post", "/api/v1/hazards/", {"title": "x", "category": "fire", "enterprise": HUGE}, "enterprise"),
    ],
)
def test_api_bad_values_name_their_field(world, method, path, body, field):
    client = APIClient()
    client.force_authenticate(world.user("city_admin", "city"))
    if isinstance(body, str):
        response = client.post(path, body, content_type="application/json")
    else:
        response = getattr(client, method)(path, body, format="json")
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert field in {e["field"] for e in response.json()["errors"]}, response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/console/hazards/stats/?year=abc", "year"),
        ("/console/hazards/stats/?year=99999", "year"),
        ("/console/hazards/stats/?year=0", "year"),
        ("/console/hazards/stats/export.xlsx?year=abc", "year"),
        ("/console/monitoring/?severity=abc", "severity"),
        ("/console/monitoring/?severity=inf", "severity"),
        ("/console/hazards/?division=99999999999999999999999", "division"),
        ("/console/hazards/?enterprise=99999999999999999999999", "enterprise"),
    ],
)
def test_console_bad_query_values_name_their_field(world, admin_client, url, field):
    response = admin_client.get(url)
    assert response.status_code == 400, (url, response.status_code)
    assert f'data-field="{field}"' in response.content.decode()


@pytest.mark.django_db
def test_bulk_action_with_ids_beyond_64_bits_is_refused(world, admin_client):
    response = admin_client.post("/console/hazards/bulk/", {"action": "register", "ids": [str(HUGE), "1"]})
    assert response.status_code == 400 and 'data-field="ids"' in response.content.decode()
    too_many = [str(i) for i in range(1, 300)]
    response = admin_client.post("/console/hazards/bulk/", {"action": "register", "ids": too_many})
    assert response.status_code == 400


@pytest.mark.django_db
def test_a_nul_byte_in_a_query_string_is_a_400_naming_the_parameter(client, world):
    """PostgreSQL refuses NUL in text parameters: no view gets to send one to the database."""
    client.force_login(world.user("area_staff", "qingcheng"))
    page = client.get("/console/hazards/?q=fire%00exit")
    assert page.status_code == 400 and "q" in page.content.decode()
    api = client.get("/api/v1/hazards/?category=a%00b")
    assert api.status_code == 400 and api.json()["errors"][0]["field"] == "category"

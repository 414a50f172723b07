"""The signed-in person's division path comes with them (pingan.org.auth): no second query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from pingan.core.testing import make_world

pytestmark = pytest.mark.django_db


def _division_reads(ctx: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().startswith('SELECT "geo_division"."path"')
    ]


def test_session_and_token_bring_the_path(client) -> None:  # noqa: ANN001
    w = make_world()
    staff = w.user("dept_staff")
    client.force_login(staff)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/v1/hazards/").status_code == 200
    assert _division_reads(ctx) == []
    client.logout()
    key = Token.objects.create(user=staff).key
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/hazards/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert _division_reads(ctx) == []


def test_the_path_is_the_division_s(client) -> None:  # noqa: ANN001
    from pingan.org.auth import ModelBackend, TokenAuthentication

    w = make_world()
    staff = w.user("dept_staff")
    loaded = ModelBackend().get_user(staff.pk)
    assert loaded is not None and loaded.scope_path == staff.division.path != ""
    key = Token.objects.create(user=staff).key
    user, _token = TokenAuthentication().authenticate_credentials(key)
    assert user.scope_path == staff.division.path


def test_bad_or_inactive_token_refused() -> None:
    from rest_framework.exceptions import AuthenticationFailed

    from pingan.org.auth import ModelBackend, TokenAuthentication

    w = make_world()
    staff = w.user("dept_staff")
    with pytest.raises(AuthenticationFailed):
        TokenAuthentication().authenticate_credentials("nope")
    key = Token.objects.create(user=staff).key
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    with pytest.raises(AuthenticationFailed):
        TokenAuthentication().authenticate_credentials(key)
    assert ModelBackend().get_user(staff.pk) is None

"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from pingan.core.testing import PASSWORD, World, make_world


@pytest.fixture
def world(db) -> World:
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

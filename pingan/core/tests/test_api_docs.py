import re

import pytest
from django.test import Client


@pytest.mark.django_db
def test_api_docs_load_no_asset_from_elsewhere(world):
    client = Client()
    client.force_login(world.user("integration", "city"))
    html = client.get("/api/docs/").content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, "the docs page references its assets"
    assert all(u.startswith("/") for u in urls), urls


@pytest.mark.django_db
def test_schema_is_served(world):
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert b"/api/v1/divisions/" in response.content


def test_media_root_is_not_served_directly(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "secret.jpg").write_bytes(b"x")
    assert client.get("/media/secret.jpg").status_code == 404

import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    from pingan.rescue import engine

    engine._cache.clear()
    engine._team_tables.clear()

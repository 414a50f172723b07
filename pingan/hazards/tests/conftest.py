import pytest


@pytest.fixture(autouse=True)
def _hazard_urls(settings):
    """Mount the public pages and Open311 if config/urls.py does not (yet): see tests/urls.py."""
    settings.ROOT_URLCONF = "pingan.hazards.tests.urls"

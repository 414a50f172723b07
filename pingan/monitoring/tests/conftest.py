import pytest


@pytest.fixture(autouse=True)
def _fresh_ingest_caches():
    """Each test starts with an empty process-wide ingestion pipeline.

    The HTTP pipeline and the division-path cache live for the whole process (in production they
    save a query per batch); across tests the database is rebuilt under them, so ids they hold
    from one test would point at nothing — or at another test's rows — in the next.
    """
    from pingan.monitoring import ingest
    from pingan.monitoring.api import views

    views._pipeline = None
    ingest._path_cache.clear()
    yield
    views._pipeline = None
    ingest._path_cache.clear()

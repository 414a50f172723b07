import pytest


@pytest.fixture
def course(db):
    from pingan.culture.demo import ensure_course

    return ensure_course()

import datetime as dt

import pytest
from django.utils import timezone

from pingan.assessment import actions


@pytest.fixture
def make_list(world):
    """make_list(area="qingcheng", **over) → a list drawn up by the city for that district's staff."""

    def make(area="qingcheng", **over):
        data = {
            "year": timezone.localdate().year,
            "post": f"{world.districts[area].name}区长",
            "kind": "government",
            "division": world.districts[area],
            "department": None,
            "holder": world.user("area_staff", area),
            "items": ["组织制定年度安全生产工作要点", "保障安全投入"],
            "sign_by": timezone.localdate() + dt.timedelta(days=20),
        } | over
        return actions.do_create_list(world.user("city_admin", "city"), data)

    return make

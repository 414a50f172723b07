"""Every command-centre figure computes for the city as a whole (the assessment's viewer)."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.utils import timezone

from pingan.assessment.permissions import CityWide
from pingan.core.testing import make_world
from pingan.dashboard import figures as F

pytestmark = pytest.mark.django_db


def test_every_figure_computes_citywide(caplog: pytest.LogCaptureFixture) -> None:
    make_world()
    end = timezone.now()
    start = end - dt.timedelta(days=365)
    found = F.registered()
    assert len(found) > 5
    with caplog.at_level(logging.ERROR, logger="pingan.dashboard.figures"):
        for figure in found:
            F.compute(figure, CityWide(), start, end)
    assert [r.getMessage() for r in caplog.records] == []

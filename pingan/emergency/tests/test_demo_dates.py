"""The demo's past incidents are backdated after they are recorded: their reports' frozen texts and
their numbers must name the backdated time, not the seeding day (issue #11)."""

import pytest
from django.utils import timezone

from pingan.emergency import demo as emergency_demo
from pingan.emergency.models import Incident, Report
from pingan.geo import demo as geo_demo
from pingan.org import demo as org_demo


@pytest.mark.django_db
def test_demo_report_texts_match_their_incidents_dates():
    for seed in (geo_demo.seed, org_demo.seed, emergency_demo.seed):
        seed(lambda *_: None)
    incidents = list(Incident.objects.filter(is_synthetic=True))
    assert incidents
    texts = 0
    for incident in incidents:
        occurred = timezone.localtime(incident.occurred_at)
        assert occurred.date() < timezone.localdate()  # backdated: none happened "today"
        assert incident.number.startswith(f"YJ{timezone.localtime(incident.received_at):%Y%m%d}-")
        for report in Report.objects.filter(incident=incident).exclude(content={}):
            place = report.content.get("occurred_place_scene", "")
            if place:
                assert place.startswith(f"{occurred:%Y年%m月%d日%H时%M分}"), (incident.number, place)
                texts += 1
            assert report.content.get("number") in ("", None, incident.number)
    assert texts >= len(incidents)

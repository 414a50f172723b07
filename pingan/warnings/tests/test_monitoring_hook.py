"""End to end: rainfall and water levels posted to monitoring's ingest door become warning drafts
(through monitoring's `hydromet` signal, after the batch commits)."""

import json
import time

from pingan.core.models import AuditEvent
from pingan.monitoring.tests.helpers import make_plant
from pingan.warnings.choices import Source, State
from pingan.warnings.models import EarlyWarning

URL = "/api/v1/ingest/readings/"


def _post(api, plant, items):
    return api.generic(
        "POST",
        URL,
        json.dumps(items),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {plant.tokens['QC-RAIN-01']}",
    )


def test_rainfall_becomes_a_rainstorm_draft_after_commit(api, world, django_capture_on_commit_callbacks):
    plant = make_plant(world)
    t0 = int(time.time()) - 3 * 3600 + 60
    # 10 mm every 10 minutes: 50 mm within 3 h (orange), then 100 mm (red, the same draft raised).
    rain = [{"sensor": "r1", "ts": t0 + i * 600, "value": 10} for i in range(11)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert _post(api, plant, rain[:5]).status_code == 200
    assert callbacks, "the signal waits for the commit"
    draft = EarlyWarning.objects.get(source=Source.MONITORING)
    assert (draft.colour, draft.state, draft.event_code) == ("orange", State.DRAFT, "11B03")
    assert draft.division == world.towns["qingcheng"]
    assert "凤城雨量站" in draft.description and "50" in draft.description
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(api, plant, rain[5:]).status_code == 200
    draft.refresh_from_db()
    assert draft.colour == "red"
    assert EarlyWarning.objects.filter(source=Source.MONITORING).count() == 1
    assert AuditEvent.objects.get(action="warnings.warning.propose").actor_label == "system:monitoring"


def test_no_draft_when_the_batch_does_not_commit(api, world, django_capture_on_commit_callbacks):
    plant = make_plant(world)
    t0 = int(time.time()) - 3600
    with django_capture_on_commit_callbacks(execute=False):
        _post(api, plant, [{"sensor": "r1", "ts": t0 + i * 60, "value": 25} for i in range(3)])
    assert not EarlyWarning.objects.exists()


def test_water_level_over_threshold_becomes_a_flood_draft(api, world, django_capture_on_commit_callbacks):
    plant = make_plant(world)
    t0 = int(time.time()) - 600
    levels = [9.0, 10.5, 10.6, 10.7]  # the default rule needs two samples at or over 10 m (超警戒, yellow)
    with django_capture_on_commit_callbacks(execute=True):
        r = _post(api, plant, [{"sensor": "w1", "ts": t0 + i * 60, "value": v} for i, v in enumerate(levels)])
        assert r.status_code == 200
    draft = EarlyWarning.objects.get(source=Source.MONITORING)
    assert (draft.colour, draft.event_code, draft.state) == ("yellow", "11A01", State.DRAFT)
    assert "北江水位" in draft.description

"""Proposed drafts from monitoring and the command-centre layer."""

import pytest

from pingan.core.models import AuditEvent
from pingan.warnings import services
from pingan.warnings.choices import Source, State

pytestmark = pytest.mark.django_db


def test_rainstorm_signal_becomes_a_draft(world):
    w = services.propose_from_rainstorm(
        "orange", world.towns["qingcheng"], rain_mm=55, hours=3, station="凤城站"
    )
    assert (w.state, w.source, w.colour, w.event_code) == (State.DRAFT, Source.MONITORING, "orange", "11B03")
    ev = AuditEvent.objects.get(action="warnings.warning.propose")
    assert ev.actor_label == "system:monitoring" and "凤城站" in ev.note
    assert w.areas.get().division == world.towns["qingcheng"]


def test_a_signal_that_does_not_follow_from_the_rainfall_is_refused(world):
    assert services.propose_from_rainstorm("red", world.towns["qingcheng"], rain_mm=55, hours=3) is None


def test_one_open_proposal_per_division_raised_by_a_stronger_signal(world):
    town = world.towns["qingcheng"]
    first = services.propose_from_rainstorm("yellow", town, rain_mm=55, hours=5)
    same = services.propose_from_rainstorm("blue", town, rain_mm=50, hours=12)
    assert same.pk == first.pk and same.colour == "yellow"
    raised = services.propose_from_rainstorm("red", town, rain_mm=100, hours=3)
    assert raised.pk == first.pk and raised.colour == "red"
    assert AuditEvent.objects.filter(action="warnings.warning.edit", object_id=str(first.pk)).count() == 1


def test_dashboard_layer_and_kpis(world):
    from pingan.dashboard import registry

    from .factories import to_state

    to_state(world, "published")
    layers = registry.layers(world.user("duty_officer"))
    assert any(layer["url"] == "/warnings/active.geojson" for layer in layers)
    kpis = {k["label"]: k["value"] for k in registry.kpis(world.user("duty_officer"))}
    assert kpis["生效预警"] == 1
    assert {k["label"]: k["value"] for k in registry.kpis(world.user("area_staff", "yingde"))}[
        "生效预警"
    ] == 0


def test_the_queued_form_takes_a_division_id(world):
    from pingan.warnings.tasks import propose_rainstorm

    pk = propose_rainstorm.call_local("red", world.towns["qingcheng"].pk, 100, 3, "凤城站")
    assert services.EarlyWarning.objects.get(pk=pk).colour == "red"

"""A real triage verdict continues to a warning draft (研判 → 预警草稿): through warnings' services, written
by the analyst, linked both ways and audited; offered only where it can succeed."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from pingan.core.actions import ActionError, Conflict, Forbidden
from pingan.core.links import linked
from pingan.core.models import AuditEvent
from pingan.monitoring import actions, triage_actions
from pingan.monitoring.models import Alarm, Rule
from pingan.monitoring.triage_models import AlarmTriage
from pingan.warnings.models import EarlyWarning

from .helpers import make_plant


@pytest.fixture
def plant(world):
    return make_plant(world)


def alarm_of(plant, key, level=3):
    s = plant.sensors[key]
    return Alarm.objects.create(
        sensor=s,
        rule=Rule.objects.filter(kind="threshold").first(),
        severity=level,
        level=level,
        title=f"{s.name}超阈值",
        division=s.division,
        enterprise=s.enterprise,
        raised_at=timezone.now(),
        trigger_value=55.0,
    )


def test_real_verdict_to_warning_draft_linked_and_audited(plant, world):
    analyst = world.user("duty_officer")
    alarm = alarm_of(plant, "rain", level=3)
    triage_actions.do_claim(analyst, alarm)
    triage_actions.do_verdict(analyst, alarm, verdict="real", outcome="warning", note="雨量站与气象雷达一致")
    warning = EarlyWarning.objects.get()
    assert (warning.state, warning.source, warning.event_code, warning.colour) == (
        "draft",
        "monitoring",
        "11B03",
        "orange",
    )
    assert warning.created_by == analyst and warning.division == alarm.division
    assert "凤城雨量站" in warning.description and warning.headline.startswith("凤城街道暴雨")
    assert [obj for kind, obj in linked(alarm) if kind == "alarm_warning"] == [warning]
    assert AlarmTriage.objects.get(alarm=alarm).outcome == "warning"
    actions_seen = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "monitoring.triage.verdict",
        "monitoring.alarm.open_warning",
        "warnings.warning.draft_from_alarm",
    } <= actions_seen
    drafted = AuditEvent.objects.get(action="warnings.warning.draft_from_alarm")
    assert drafted.actor_id == analyst.pk
    with pytest.raises(Conflict):  # one draft per alarm
        actions.do_open_warning(analyst, alarm)


def test_water_level_gives_a_flood_draft_in_the_alarm_level_colour(plant, world):
    alarm = alarm_of(plant, "water", level=1)
    triage_actions.do_verdict(world.user("duty_leader"), alarm, verdict="real", outcome="warning")
    assert EarlyWarning.objects.values_list("event_code", "colour").get() == ("11A01", "blue")


def test_refused_or_impossible_leaves_nothing_half_done(plant, world):
    rain = alarm_of(plant, "rain")
    # area staff may triage but not draft warnings: the whole verdict is refused
    with pytest.raises(Forbidden):
        triage_actions.do_verdict(world.user("area_staff"), rain, verdict="real", outcome="warning")
    assert not AlarmTriage.objects.filter(alarm=rain, state="done").exists()
    assert not EarlyWarning.objects.exists()
    # a gas alarm has no public warning event
    gas = alarm_of(plant, "gas")
    with pytest.raises(ActionError) as exc:
        triage_actions.do_verdict(world.user("duty_officer"), gas, verdict="real", outcome="warning")
    assert exc.value.field == "outcome"
    assert (
        not EarlyWarning.objects.exists() and not AlarmTriage.objects.filter(alarm=gas, state="done").exists()
    )
    # only a real alarm continues
    with pytest.raises(ActionError) as exc:
        triage_actions.do_verdict(
            world.user("duty_officer"), rain, verdict="false", reason="test", outcome="warning"
        )
    assert exc.value.field == "outcome"
    # another district's analyst does not reach it at all (404 in the console)
    c = Client()
    c.force_login(world.user("duty_officer", "yingde"))
    r = c.post(f"/console/monitoring/triage/{rain.pk}/verdict/", {"verdict": "real", "outcome": "warning"})
    assert r.status_code == 404


def test_offered_only_where_it_can_succeed(plant, world):
    rain, gas = alarm_of(plant, "rain"), alarm_of(plant, "gas")

    def options(user, alarm):
        c = Client()
        c.force_login(user)
        page = c.get("/console/monitoring/triage/").content.decode()
        row = page.split(f'data-alarm="{alarm.pk}"')[1].split("</tr>")[0]
        return 'value="warning"' in row

    assert options(world.user("duty_officer"), rain)
    assert not options(world.user("duty_officer"), gas)
    assert not options(world.user("area_staff"), rain)  # may triage, may not draft warnings
    c = Client()
    c.force_login(world.user("duty_officer"))
    r = c.post(f"/console/monitoring/triage/{rain.pk}/verdict/", {"verdict": "real", "outcome": "warning"})
    assert r.status_code == 302 and EarlyWarning.objects.filter(source="monitoring").count() == 1

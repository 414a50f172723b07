"""Alarm triage (研判): claim, verdicts and their consequences, per-rule mode, false-alarm rates,
threshold suggestions (vectors) and maintenance tasks for repeated faults."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from pingan.core.actions import ActionError, Conflict, Forbidden
from pingan.core.links import linked
from pingan.core.models import AuditEvent
from pingan.dashboard import figures as F
from pingan.monitoring import triage, triage_actions, triage_rules
from pingan.monitoring.choices import AlarmState
from pingan.monitoring.ingest import Pipeline
from pingan.monitoring.models import Alarm, EscalationPolicy, EscalationStep, Reading, Rule
from pingan.monitoring.triage_models import MaintenanceTask, RuleTriage, TriageMode, TriageState

from .helpers import make_plant


@pytest.fixture
def plant(world):
    return make_plant(world)


def raise_gas(plant, value=30.0, at=None):
    at = at or time.time()
    Pipeline().ingest_payload([{"sensor": "g1", "ts": at, "value": value}], device=plant.devices["QC-GAS-01"])
    return Alarm.objects.filter(sensor=plant.sensors["gas"]).order_by("-raised_at", "-id").first()


def clear_gas(plant, at):
    Pipeline().ingest_payload([{"sensor": "g1", "ts": at, "value": 5.0}], device=plant.devices["QC-GAS-01"])


def test_false_verdict_closes_the_alarm_with_its_reason_and_counts(plant, world):
    analyst = world.user("duty_officer")
    alarm = raise_gas(plant)
    assert list(triage.queue(analyst)) == [alarm]
    triage_actions.do_claim(analyst, alarm)
    with pytest.raises(Conflict):
        triage_actions.do_claim(world.user("duty_leader"), alarm)
    with pytest.raises(ActionError) as exc:
        triage_actions.do_verdict(analyst, alarm, verdict="false")
    assert exc.value.field == "reason"
    triage_actions.do_verdict(analyst, alarm, verdict="false", reason="calibration", note="刚标定")
    alarm.refresh_from_db()
    assert alarm.state == AlarmState.CLEARED_ACK and not alarm.is_active
    assert alarm.triage.state == TriageState.DONE and alarm.triage.reason == "calibration"
    assert list(triage.queue(analyst)) == []
    actions = list(AuditEvent.objects.for_object(alarm).values_list("action", flat=True))
    assert "monitoring.triage.claim" in actions and "monitoring.triage.verdict" in actions
    assert "标定偏差" in alarm.comments.first().text
    rates = triage.rates(analyst)
    assert rates["total"] == {"n": 1, "false": 1, "rate": 100.0}
    assert rates["device"][0]["key"] == "QC-GAS-01" and rates["sensor_type"][0]["key"] == "gas_lel"
    # The command centre's figure, by district.
    now = timezone.now()
    sample = triage.false_alarm_rate(
        world.user("city_admin", "city"), now - timedelta(days=1), now + timedelta(1)
    )
    assert sample == {"441802006": (1, 1)}
    with pytest.raises(Conflict):
        triage_actions.do_verdict(analyst, alarm, verdict="real")


def test_real_verdict_opens_a_hazard_case_and_site_check_stays_queued(plant, world):
    analyst = world.user("duty_officer")
    alarm = raise_gas(plant)
    triage_actions.do_verdict(analyst, alarm, verdict="site_check", note="请企业核实")
    assert list(triage.queue(analyst)) == [alarm]
    with pytest.raises(ActionError):
        triage_actions.do_verdict(analyst, alarm, verdict="false", reason="test", outcome="hazard")
    triage_actions.do_verdict(analyst, alarm, verdict="real", outcome="hazard")
    assert [k for k, obj in linked(alarm) if obj._meta.app_label == "hazards"]
    alarm.refresh_from_db()
    assert alarm.triage.outcome == "hazard" and alarm.is_active  # a real alarm stays until it clears


def test_before_escalation_mode_holds_paging_until_real(plant, world):
    p = EscalationPolicy.objects.create(
        name="p", department=world.departments["qc_em"], division=world.districts["qingcheng"]
    )
    step = EscalationStep.objects.create(policy=p, order=1, delay_minutes=0)
    step.people.add(world.user("duty_leader"))
    rule = (
        Rule.objects.get(code="gas_lel", sensor=None)
        if Rule.objects.filter(code="gas_lel").exists()
        else None
    )
    rule = rule or Rule.objects.filter(sensor_type="gas_lel", kind="threshold").first()
    triage_actions.do_set_mode(world.user("city_admin", "city"), rule, TriageMode.BEFORE)
    alarm = raise_gas(plant)
    alarm.refresh_from_db()
    assert alarm.escalation_step == 0 and alarm.next_escalation_at is None  # nobody paged yet
    triage_actions.do_verdict(world.user("duty_officer"), alarm, verdict="real")
    alarm.refresh_from_db()
    assert alarm.escalation_step == 1  # the first step ran once an analyst found it real
    assert RuleTriage.objects.get(rule=rule).mode == "before"


def test_who_may_triage(plant, world):
    alarm = raise_gas(plant)
    with pytest.raises(Forbidden):
        triage_actions.do_claim(world.user("enterprise", "qingcheng"), alarm)
    with pytest.raises(Forbidden):
        triage_actions.do_set_mode(world.user("inspector"), alarm.rule, "before")
    c = Client()
    c.force_login(world.user("duty_officer", "yingde"))
    assert c.post(f"/console/monitoring/triage/{alarm.pk}/claim/").status_code == 404
    c.force_login(world.user("enterprise", "qingcheng"))
    assert c.get("/console/monitoring/triage/").status_code == 403


def test_repeated_device_faults_make_one_maintenance_task(plant, world):
    analyst = world.user("duty_officer")
    t = time.time() - 3600
    for i in range(4):
        alarm = raise_gas(plant, at=t + i * 60)
        clear_gas(plant, t + i * 60 + 30)  # the sensor returns to normal, so the rule re-arms
        triage_actions.do_verdict(analyst, alarm, verdict="false", reason="sensor_fault")
    tasks = MaintenanceTask.objects.filter(device=plant.devices["QC-GAS-01"])
    assert tasks.count() == 1 and tasks.get().false_alarms == 4


def test_threshold_suggestion_from_readings_and_acceptance(plant, world):
    analyst = world.user("duty_officer")
    t0 = time.time() - 7200
    # Two false alarms peaking at 27 and 28 %LEL, one real alarm at 40: 28.1 would have avoided both.
    for i, (peak, verdict) in enumerate([(27.0, "false"), (28.0, "false"), (40.0, "real")]):
        at = t0 + i * 600
        alarm = raise_gas(plant, value=26.0, at=at)
        Pipeline().ingest_payload(
            [{"sensor": "g1", "ts": at + 10, "value": peak}], device=plant.devices["QC-GAS-01"]
        )
        clear_gas(plant, at + 60)
        triage_actions.do_verdict(
            analyst, alarm, verdict=verdict, reason="environment" if verdict == "false" else ""
        )
    assert Reading.objects.count() >= 9
    [s] = triage.suggestions(analyst)
    assert (s["s"].current, s["s"].suggested, s["s"].avoided, s["s"].real_lost) == (25.0, 28.1, 2, 0)
    rule = s["rule"]
    triage_actions.do_accept_threshold(world.user("city_admin", "city"), rule, level=s["level"], value=28.1)
    rule.refresh_from_db()
    assert rule.params["levels"][0]["on"] == 28.1 and rule.params["levels"][0]["off"] == pytest.approx(23.1)
    assert AuditEvent.objects.for_object(rule).filter(action="monitoring.rule.accept_threshold").exists()


@pytest.mark.parametrize(
    "current,false,real,above,expected",
    [
        (25, [27, 28], [40], True, (28.1, 2, 0)),
        (25, [27, 45], [40], True, (40, 1, 0)),  # keeping the real alarm: 40 avoids one of two
        (25, [], [40], True, (None, 0, 0)),
        (25, [30], [26], True, (None, 0, 0)),  # any higher threshold would miss the real one
        (10, [8, 7], [2], False, (6.9, 2, 0)),  # "below" rules (low level)
    ],
)
def test_suggest_threshold_vectors(current, false, real, above, expected):
    s = triage_rules.suggest_threshold(current, false, real, above=above)
    assert (s.suggested, s.avoided, s.real_lost) == expected


def test_false_alarm_rate_is_a_command_centre_figure(world):
    assert "monitoring.false_alarm_rate" in {f.key for f in F.registered()}


def test_triage_page_queries_do_not_grow_with_alarms(plant, world, django_assert_max_num_queries):
    c = Client()
    c.force_login(world.user("duty_officer"))
    raise_gas(plant, at=time.time() - 600)
    c.get("/console/monitoring/triage/")
    with django_assert_max_num_queries(40) as one:
        assert c.get("/console/monitoring/triage/").status_code == 200
    for i, key in enumerate(("pressure", "smoke")):
        s = plant.sensors[key]
        Alarm.objects.create(
            sensor=s,
            rule=Rule.objects.filter(kind="threshold").first(),
            severity=2,
            title="x",
            division=s.division,
            enterprise=s.enterprise,
            raised_at=timezone.now() - timedelta(minutes=i),
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        r = c.get("/console/monitoring/triage/")
    assert len(r.context["alarms"]) == 3

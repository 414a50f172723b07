"""Alarm actions: acknowledge, comment, clear (each with its audit event), escalation with a frozen
clock, the on-duty adapter's fallback, and opening a hazard case / incident."""

import time
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine

from pingan.core.actions import ActionError, Conflict, Forbidden
from pingan.core.models import AuditEvent
from pingan.monitoring import actions, adapters
from pingan.monitoring.choices import AlarmState
from pingan.monitoring.ingest import Pipeline
from pingan.monitoring.models import Alarm, EscalationPolicy, EscalationStep, Rule
from pingan.notify.models import Message

from .helpers import make_plant

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


@pytest.fixture
def plant(world):
    return make_plant(world)


def raise_gas(plant, value=30.0, at=None):
    at = at or time.time()
    Pipeline().ingest_payload([{"sensor": "g1", "ts": at, "value": value}], device=plant.devices["QC-GAS-01"])
    return Alarm.objects.filter(is_active=True).get(sensor=plant.sensors["gas"])


def policy(world):
    p = EscalationPolicy.objects.create(
        name="清城区应急 气体报警",
        department=world.departments["qc_em"],
        division=world.districts["qingcheng"],
    )
    s1 = EscalationStep.objects.create(policy=p, order=1, delay_minutes=0, notify_on_duty=True)
    s1.people.add(world.user("duty_officer"))
    EscalationStep.objects.create(policy=p, order=2, delay_minutes=10, roles=["duty_leader"])
    s3 = EscalationStep.objects.create(policy=p, order=3, delay_minutes=15)
    s3.people.add(world.user("dept_staff"))
    return p


def test_acknowledge_comment_clear_write_audit_events(plant, world):
    alarm = raise_gas(plant)
    user = world.user("duty_officer")
    actions.do_acknowledge(user, alarm, note="已通知企业")
    alarm.refresh_from_db()
    assert alarm.state == AlarmState.ACTIVE_ACK and alarm.acked_by == user and alarm.acked_at
    with pytest.raises(Conflict):
        actions.do_acknowledge(user, alarm)
    actions.do_comment(user, alarm, "企业已到场")
    with pytest.raises(ActionError) as exc:
        actions.do_comment(user, alarm, "  ")
    assert exc.value.field == "text"
    with pytest.raises(ActionError) as exc:
        actions.do_clear(user, alarm, note="")
    assert exc.value.field == "note"
    actions.do_clear(user, alarm, note="现场处置完毕")
    alarm.refresh_from_db()
    assert alarm.state == AlarmState.CLEARED_ACK and not alarm.is_active
    verbs = list(AuditEvent.objects.for_object(alarm).order_by("id").values_list("action", flat=True))
    assert verbs == [
        "monitoring.alarm.raise",
        "monitoring.alarm.acknowledge",
        "monitoring.alarm.comment",
        "monitoring.alarm.clear_by_hand",
    ]
    assert alarm.comments.count() == 2


def test_four_states(plant, world):
    user = world.user("duty_officer")
    a = raise_gas(plant, at=time.time() - 100)
    assert a.state == AlarmState.ACTIVE_UNACK
    Pipeline().ingest_payload(
        [{"sensor": "g1", "ts": time.time() - 50, "value": 1}], device=plant.devices["QC-GAS-01"]
    )
    a.refresh_from_db()
    assert a.state == AlarmState.CLEARED_UNACK
    actions.do_acknowledge(user, a)
    a.refresh_from_db()
    assert a.state == AlarmState.CLEARED_ACK


def test_public_and_integration_may_not_acknowledge(plant, world):
    alarm = raise_gas(plant)
    for role, area in (("public", "city"), ("integration", "city")):
        with pytest.raises(Forbidden):
            actions.do_acknowledge(world.user(role, area), alarm)


def test_escalation_through_two_steps_with_a_frozen_clock(plant, world):
    policy(world)
    with time_machine.travel(NOW, tick=False):
        alarm = raise_gas(plant, at=NOW.timestamp())
        # step 1 at once: the roster is not available → the step's configured people
        assert Message.objects.filter(recipient=world.user("duty_officer")).count() == 1
        alarm.refresh_from_db()
        assert alarm.escalation_step == 1
        assert alarm.next_escalation_at == NOW + timedelta(minutes=10)
        assert actions.escalate_due() == 0
    with time_machine.travel(NOW + timedelta(minutes=9, seconds=59), tick=False):
        assert actions.escalate_due() == 0
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        assert actions.escalate_due() == 1
        assert actions.escalate_due() == 0  # idempotent
        assert Message.objects.filter(recipient=world.user("duty_leader")).count() == 1
    with time_machine.travel(NOW + timedelta(minutes=25), tick=False):
        assert actions.escalate_due() == 1
        assert Message.objects.filter(recipient=world.user("dept_staff")).count() == 1
        alarm.refresh_from_db()
        assert alarm.escalation_step == 3 and alarm.next_escalation_at is None
    assert AuditEvent.objects.for_object(alarm).filter(action="monitoring.alarm.escalate").count() == 3


def test_acknowledged_alarm_stops_escalating(plant, world):
    policy(world)
    with time_machine.travel(NOW, tick=False):
        alarm = raise_gas(plant, at=NOW.timestamp())
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        actions.do_acknowledge(world.user("duty_officer"), alarm)
    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        assert actions.escalate_due() == 0
    assert not Message.objects.filter(recipient=world.user("duty_leader")).exists()


def test_on_duty_roster_is_used_when_the_emergency_module_offers_it(plant, world):
    policy(world)
    leader = world.user("duty_leader")
    fake = mock.Mock(return_value=[leader])
    with mock.patch("pingan.emergency.services.on_duty", fake):
        raise_gas(plant)
    assert fake.call_args.kwargs["department"] == world.departments["qc_em"]
    assert Message.objects.filter(recipient=leader).count() == 1
    assert not Message.objects.filter(recipient=world.user("duty_officer")).exists()


def test_on_duty_adapter_falls_back_when_missing_or_failing(world):
    with mock.patch.object(adapters, "installed", return_value=False):
        assert adapters.people_on_duty(department=None, division=None, at=NOW) is None
    with mock.patch("pingan.emergency.services.on_duty", mock.Mock(side_effect=RuntimeError("boom"))):
        assert adapters.people_on_duty(department=None, division=None, at=NOW) is None


def test_open_hazard_case_links_both_ways(plant, world):
    from pingan.core.links import linked

    alarm = raise_gas(plant)
    user = world.user("duty_officer")
    case = world.enterprises["qingcheng"]  # any model object stands in for the hazard case
    with mock.patch("pingan.hazards.services.create_case_from_source", mock.Mock(return_value=case)) as svc:
        got = actions.do_open_case(user, alarm)
        kwargs = svc.call_args.kwargs
        assert kwargs["source"] == "monitoring" and kwargs["origin_obj"] == alarm and kwargs["actor"] == user
        assert got == case
        with pytest.raises(ActionError):
            actions.do_open_case(user, alarm)  # already opened
    assert [o for _k, o in linked(alarm)] == [case]
    assert [o for _k, o in linked(case)] == [alarm]
    assert AuditEvent.objects.for_object(alarm).filter(action="monitoring.alarm.open_case").exists()


def test_open_when_module_missing_names_the_field(plant, world):
    alarm = raise_gas(plant)
    with mock.patch.object(adapters, "installed", return_value=False), pytest.raises(ActionError) as exc:
        actions.do_open_incident(world.user("duty_officer"), alarm)
    assert exc.value.field == "incident"


def test_open_real_hazard_case_and_incident(plant, world):
    """Against the real services of the hazards and emergency modules (when they exist)."""

    from pingan.core.links import linked

    pytest.importorskip("pingan.hazards.services")
    pytest.importorskip("pingan.emergency.services")
    from pingan.hazards.defaults import ensure_defaults

    ensure_defaults()
    alarm = raise_gas(plant)
    user = world.user("duty_officer")
    case = actions.do_open_case(user, alarm)
    incident = actions.do_open_incident(user, alarm)
    others = [o for _k, o in linked(alarm)]
    assert case in others and incident in others and len(others) == 2
    assert alarm in [o for _k, o in linked(case)]
    assert alarm in [o for _k, o in linked(incident)]


def test_escalations_of_a_batch_cost_the_same_queries_for_one_alarm_or_many(plant, world):
    """Policies, their steps and the triage modes are read once per batch, one UPDATE for all."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    p = EscalationPolicy.objects.create(name="延时升级", division=world.districts["qingcheng"])
    EscalationStep.objects.create(policy=p, order=1, delay_minutes=30)
    gas = plant.sensors["gas"]
    alarms = [
        Alarm.objects.create(
            sensor=gas,
            rule=Rule.objects.filter(sensor_type=gas.type).first() or Rule.objects.first(),
            severity=3,
            level=3,
            raised_at=NOW,
            updated_at=NOW,
            division=gas.division,
            is_active=i == 0,
            title=f"报警{i}",
        )
        for i in range(3)
    ]
    paths = {gas.division_id: gas.division.path}
    counts = []
    for batch in (alarms[:1], alarms):
        with CaptureQueriesContext(connection) as ctx:
            actions.start_escalations(batch, now=NOW, sensor_types={gas.pk: gas.type}, paths=paths)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 5
    assert {a.next_escalation_at for a in Alarm.objects.filter(pk__in=[a.pk for a in alarms])} == {
        NOW + timedelta(minutes=30)
    }
    # The same answer as the one-alarm look-up that reads everything itself.
    assert actions.find_policy(alarms[0]) == p

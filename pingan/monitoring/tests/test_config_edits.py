"""Rules, escalation policies, silences and devices edited in the console (and devices in the API):
validation, the audit trail (before/after), who may (each role; the other district gets 404),
offered means allowed, and a rule change that takes effect on the ingestion's next batch."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.test import Client
from django.utils import timezone

from pingan.core.models import AuditEvent
from pingan.core.testing import MATRIX_PEOPLE
from pingan.monitoring import ingest
from pingan.monitoring.choices import DeadLetterReason, DeviceState, SilenceKind
from pingan.monitoring.ingest import Pipeline
from pingan.monitoring.models import Alarm, DeadLetter, EscalationPolicy, EscalationStep, Rule, Silence

from .helpers import make_plant

CONSOLE = {"city_admin", "dept_staff", "area_staff", "inspector", "duty_officer", "duty_leader"}
MANAGERS = {"city_admin", "dept_staff", "area_staff", "duty_officer", "duty_leader"}
CONFIG = {"city_admin", "dept_staff"}


def ids(p):
    return "anonymous" if p is None else f"{p[0]}-{p[1]}"


def sees(person) -> bool:
    role, area = person
    return role != "public" and area != "yingde"


def _client(world, person) -> Client:
    c = Client()
    if person is not None:
        c.force_login(world.user(*person))
    return c


def _rule_post(rule: Rule, **levels: object) -> dict[str, object]:
    """The rule form as the page sends it, with the rule's values and `levels` changed
    (on_2=20, off_2=18 …)."""
    data: dict[str, object] = {
        "name": rule.name,
        "enabled": "on" if rule.enabled else "",
        "source": rule.source,
        "effective_from": "",
        "direction": (rule.params or {}).get("direction", "above"),
        "for_seconds": (rule.params or {}).get("for_seconds", ""),
        "for_samples": (rule.params or {}).get("for_samples", ""),
    }
    for lv in (rule.params or {}).get("levels", []):
        n = lv["severity"]
        data[f"on_{n}"] = lv["on"]
        data[f"off_{n}"] = lv.get("off", "")
        data[f"label_{n}"] = lv.get("label", "")
    data.update(levels)
    return {k: v for k, v in data.items() if v != "" or k in ("source", "effective_from")}


@pytest.fixture
def plant(world):
    return make_plant(world)


# --- rules ------------------------------------------------------------------------------------------


def test_a_rule_change_takes_effect_on_the_next_batch(plant, world):
    """Change a threshold in the console, ingest a reading with the same (long-lived) pipeline: the
    new threshold decides. The pipeline compares the rule table's fingerprint before every batch."""
    pipeline = Pipeline()
    device = plant.devices["QC-GAS-01"]
    t0 = time.time() - 600
    pipeline.ingest_payload([{"sensor": "g1", "ts": t0, "value": 22}], device=device)
    assert not Alarm.objects.exists()  # 22 %LEL is below the default 25
    rule = Rule.objects.get(code="gas-lel", sensor=None)
    admin = _client(world, ("city_admin", "city"))
    r = admin.post(f"/console/monitoring/rules/{rule.pk}/", _rule_post(rule, on_2=20, off_2=18))
    assert r.status_code == 302, r.content.decode()[:2000]
    pipeline.ingest_payload([{"sensor": "g1", "ts": t0 + 60, "value": 22}], device=device)
    alarm = Alarm.objects.get()
    assert alarm.is_active and alarm.severity == 2 and alarm.trigger_value == 22
    # …and back up: the next reading of 22 is below the new hysteresis line (28), the alarm clears.
    rule.refresh_from_db()
    admin.post(f"/console/monitoring/rules/{rule.pk}/", _rule_post(rule, on_2=30, off_2=28))
    pipeline.ingest_payload([{"sensor": "g1", "ts": t0 + 120, "value": 22}], device=device)
    alarm.refresh_from_db()
    assert not alarm.is_active
    # Switching a rule off stops it from the next batch too.
    rule.refresh_from_db()
    admin.post(f"/console/monitoring/rules/{rule.pk}/", {**_rule_post(rule), "enabled": ""})
    pipeline.ingest_payload([{"sensor": "g1", "ts": t0 + 180, "value": 90}], device=device)
    assert Alarm.objects.filter(is_active=True).count() == 0


def test_a_rule_edit_is_audited_with_before_and_after(plant, world):
    rule = Rule.objects.get(code="gas-lel", sensor=None)
    c = _client(world, ("city_admin", "city"))
    c.post(f"/console/monitoring/rules/{rule.pk}/", _rule_post(rule, on_2=22, off_2=20, for_samples=3))
    event = AuditEvent.objects.get(action="monitoring.rule.update")
    assert event.before["params"]["levels"][0]["on"] == 25
    assert event.after["params"]["levels"][0]["on"] == 22
    assert event.after["params"]["for_samples"] == 3
    assert event.actor_id == world.user("city_admin", "city").pk
    # The page shows the history; saving without a change writes nothing.
    rule.refresh_from_db()
    page = c.get(f"/console/monitoring/rules/{rule.pk}/").content.decode()
    assert "修改监测规则" in page
    c.post(f"/console/monitoring/rules/{rule.pk}/", _rule_post(rule))
    assert AuditEvent.objects.filter(action="monitoring.rule.update").count() == 1


@pytest.mark.parametrize(
    ("code", "change", "field"),
    [
        ("gas-lel", {"on_2": "abc"}, "on_2"),
        ("gas-lel", {"on_2": "inf"}, "on_2"),
        ("gas-lel", {"on_2": "NaN"}, "on_2"),
        ("gas-lel", {"on_4": 150, "off_4": 140}, "on_4"),  # beyond 100 %LEL
        ("gas-lel", {"off_2": 30}, "off_2"),  # recovery above the alarm value
        ("gas-lel", {"on_4": 20, "off_4": 18}, "on_4"),  # red below yellow
        ("gas-lel", {"on_2": "", "off_2": "", "on_4": "", "off_4": ""}, "on_1"),  # no level at all
        ("gas-lel", {"off_3": 5}, "on_3"),  # a recovery value without an alarm value
        ("gas-lel", {"for_seconds": -1}, "for_seconds"),
        ("gas-lel", {"for_samples": 1000}, "for_samples"),
        ("water-rise", {"on_2": 0, "off_2": ""}, "on_2"),  # a "rise" of 0 m/min is no rise
        ("water-rise", {"on_2": -0.05, "off_2": -0.1}, "on_2"),
        ("water-rise", {"direction": "below", "on_2": 0.05, "off_2": 0.03}, "on_2"),
        ("water-rise", {"on_2": 0.05, "off_2": -0.01}, "off_2"),
        ("water-level", {"direction": "sideways"}, "direction"),
    ],
)
def test_rule_form_refuses_inconsistent_values(plant, world, code, change, field):
    rule = Rule.objects.get(code=code, sensor=None)
    before = dict(rule.params)
    c = _client(world, ("city_admin", "city"))
    r = c.post(f"/console/monitoring/rules/{rule.pk}/", _rule_post(rule, **change))
    assert r.status_code == 200
    assert f'data-testid="error-{field}"' in r.content.decode(), r.context["form"].errors
    rule.refresh_from_db()
    assert rule.params == before
    assert not AuditEvent.objects.filter(action="monitoring.rule.update").exists()


def test_event_and_nodata_rules_take_their_own_fields(plant, world):
    c = _client(world, ("city_admin", "city"))
    smoke = Rule.objects.get(code="smoke", sensor=None)
    r = c.post(
        f"/console/monitoring/rules/{smoke.pk}/",
        {"name": smoke.name, "enabled": "on", "severity": "4", "hold_seconds": 5},
    )
    assert r.status_code == 200 and 'data-testid="error-hold_seconds"' in r.content.decode()
    c.post(
        f"/console/monitoring/rules/{smoke.pk}/",
        {"name": smoke.name, "enabled": "on", "severity": "4", "hold_seconds": 900},
    )
    smoke.refresh_from_db()
    assert smoke.params == {"severity": 4, "hold_seconds": 900}
    nodata = Rule.objects.get(code="nodata", sensor_type="gas_lel")
    c.post(
        f"/console/monitoring/rules/{nodata.pk}/",
        {"name": nodata.name, "enabled": "on", "severity": "3", "nodata_minutes": 30},
    )
    nodata.refresh_from_db()
    assert nodata.params["nodata_minutes"] == 30 and nodata.params["severity"] == 3


def test_a_department_sets_its_own_stations_rule(plant, world):
    """Type rules are the city's; the department responsible for a sensor gives it its own rule."""
    water = plant.sensors["water"]
    base = Rule.objects.get(code="water-rise", sensor=None)
    dept = _client(world, ("dept_staff", "qingcheng"))
    assert dept.get(f"/console/monitoring/rules/{base.pk}/").status_code == 403
    page = dept.get(f"/console/monitoring/sensors/{water.pk}/").content.decode()
    assert 'data-testid="override-water-rise"' in page
    r = dept.post(f"/console/monitoring/sensors/{water.pk}/override/{base.pk}/")
    override = Rule.objects.get(code="water-rise", sensor=water)
    assert r.status_code == 302 and r["Location"].endswith(f"/rules/{override.pk}/")
    assert AuditEvent.objects.filter(action="monitoring.rule.override", object_id=str(override.pk)).exists()
    r = dept.post(f"/console/monitoring/rules/{override.pk}/", _rule_post(override, on_2=0.1, off_2=0.05))
    assert r.status_code == 302
    override.refresh_from_db()
    assert override.params["levels"][0]["on"] == 0.1
    assert base.params == Rule.objects.get(pk=base.pk).params  # the city's rule is unchanged
    # A second override of the same rule is refused; the other district never sees the sensor.
    assert dept.post(f"/console/monitoring/sensors/{water.pk}/override/{base.pk}/").status_code == 302
    assert Rule.objects.filter(code="water-rise", sensor=water).count() == 1
    other = _client(world, ("dept_staff", "yingde"))
    assert other.post(f"/console/monitoring/sensors/{water.pk}/override/{base.pk}/").status_code == 404
    assert other.get(f"/console/monitoring/rules/{override.pk}/").status_code == 404
    # Someone who may not is not offered the button, and pressing it is refused.
    duty = _client(world, ("duty_officer", "qingcheng"))
    gas = plant.sensors["gas"]
    assert 'data-testid="override-' not in duty.get(f"/console/monitoring/sensors/{gas.pk}/").content.decode()
    duty.post(f"/console/monitoring/sensors/{gas.pk}/override/{base.pk}/")
    assert not Rule.objects.filter(sensor=gas).exists()


# --- escalation policies ----------------------------------------------------------------------------


def _policy_post(world, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "清城区燃气报警升级",
        "department": world.departments["qc_em"].pk,
        "division": world.districts["qingcheng"].pk,
        "sensor_type": "gas_lel",
        "min_severity": "2",
        "repeat": 1,
        "is_active": "on",
        "step_1_delay": 0,
        "step_1_on_duty": "on",
        "step_2_delay": 15,
        "step_2_roles": ["duty_leader"],
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def test_policy_create_edit_and_audit(plant, world):
    c = _client(world, ("dept_staff", "qingcheng"))
    r = c.post("/console/monitoring/policies/new/", _policy_post(world))
    assert r.status_code == 302, r.context["form"].errors
    policy = EscalationPolicy.objects.get(name="清城区燃气报警升级")
    assert [(s.order, s.delay_minutes, s.notify_on_duty, s.roles) for s in policy.steps.all()] == [
        (1, 0, True, []),
        (2, 15, False, ["duty_leader"]),
    ]
    created = AuditEvent.objects.get(action="monitoring.policy.create")
    assert created.after["steps"][1]["delay_minutes"] == 15
    r = c.post(
        f"/console/monitoring/policies/{policy.pk}/", _policy_post(world, step_2_delay=30, min_severity="3")
    )
    assert r.status_code == 302
    event = AuditEvent.objects.get(action="monitoring.policy.update")
    assert event.before["steps"][1]["delay_minutes"] == 15 and event.after["steps"][1]["delay_minutes"] == 30
    assert event.before["min_severity"] == 2 and event.after["min_severity"] == 3
    # Removing the second step removes its row.
    c.post(
        f"/console/monitoring/policies/{policy.pk}/",
        _policy_post(world, step_2_delay=None, step_2_roles=None),
    )
    assert EscalationStep.objects.filter(policy=policy).count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"step_1_delay": 5}, "step_1_delay"),  # the first step is at once
        ({"step_2_delay": 0}, "step_2_delay"),  # steps later than the one before
        ({"step_2_roles": None, "step_2_on_duty": None}, "step_2_roles"),  # a step that tells nobody
        (
            {"step_1_delay": None, "step_1_on_duty": None, "step_2_delay": None, "step_2_roles": None},
            "step_1_delay",
        ),
        ({"step_2_delay": "abc"}, "step_2_delay"),
        ({"repeat": 99}, "repeat"),
        ({"min_severity": "7"}, "min_severity"),
        ({"division": ""}, "division"),
        ({"department": "yd_em"}, "department"),  # not the person's own department
    ],
)
def test_policy_form_refuses_bad_values(plant, world, change, field):
    if change.get("department") == "yd_em":
        change = {"department": world.departments["yd_em"].pk}
    c = _client(world, ("dept_staff", "qingcheng"))
    r = c.post("/console/monitoring/policies/new/", _policy_post(world, **change))
    assert r.status_code == 200
    assert f'data-testid="error-{field}"' in r.content.decode(), r.context["form"].errors
    assert not EscalationPolicy.objects.filter(name="清城区燃气报警升级").exists()


# --- silences ----------------------------------------------------------------------------------------


def _local(delta_minutes: int) -> str:
    return timezone.localtime(timezone.now() + dt.timedelta(minutes=delta_minutes)).strftime("%Y-%m-%dT%H:%M")


def test_silence_create_edit_end_and_audit(plant, world):
    c = _client(world, ("duty_officer", "qingcheng"))
    r = c.post(
        "/console/monitoring/silences/new/",
        {"kind": SilenceKind.MAINTENANCE, "device": "QC-GAS-01", "ends_at": _local(120), "reason": "标定"},
    )
    assert r.status_code == 302, r.context["form"].errors
    silence = Silence.objects.get()
    assert silence.device == plant.devices["QC-GAS-01"] and silence.created_by == world.user("duty_officer")
    r = c.post(f"/console/monitoring/silences/{silence.pk}/", {"ends_at": _local(60), "reason": "标定(提前)"})
    assert r.status_code == 302
    event = AuditEvent.objects.get(action="monitoring.silence.update")
    assert event.before["reason"] == "标定" and event.after["reason"] == "标定(提前)"
    assert c.post(f"/console/monitoring/silences/{silence.pk}/end/").status_code == 302
    silence.refresh_from_db()
    assert silence.ends_at <= timezone.now()
    assert AuditEvent.objects.filter(action="monitoring.silence.end").count() == 1
    # An ended silence is no longer offered for editing.
    assert 'data-testid="end-silence"' not in c.get("/console/monitoring/silences/").content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"device": "YD-GAS-01"}, "device"),  # another district's device is not found
        ({"device": ""}, "device"),  # neither a device nor a division
        ({"ends_at": "tomorrow"}, "ends_at"),
        ({"ends_at": "2020-01-01T00:00"}, "ends_at"),  # before it starts
        ({"ends_at": "2099-01-01T00:00"}, "ends_at"),  # longer than 30 days
        ({"reason": ""}, "reason"),
        ({"kind": "forever"}, "kind"),
    ],
)
def test_silence_form_refuses_bad_values(plant, world, data, field):
    c = _client(world, ("duty_officer", "qingcheng"))
    post = {
        "kind": SilenceKind.SILENCE,
        "device": "QC-GAS-01",
        "ends_at": _local(90),
        "reason": "检修",
        **data,
    }
    r = c.post("/console/monitoring/silences/new/", post)
    assert r.status_code == 200
    assert f'data-testid="error-{field}"' in r.content.decode(), r.context["form"].errors
    assert not Silence.objects.exists()


# --- devices -----------------------------------------------------------------------------------------


def test_device_edit_moves_its_sensors_and_the_pipeline_follows(plant, world, monkeypatch):
    monkeypatch.setattr(ingest, "REFRESH_S", 0.0)
    pipeline = Pipeline()
    device = plant.devices["QC-GAS-01"]
    pipeline.ingest_payload([{"sensor": "g1", "ts": time.time() - 300, "value": 1}], device=device)
    c = _client(world, ("city_admin", "city"))
    fire = world.departments["qc_fire"]
    r = c.post(
        f"/console/monitoring/devices/{device.pk}/edit/",
        {
            "name": "1号罐区控制器",
            "model_name": "GT-100",
            "department": fire.pk,
            "lat": 23.7,
            "lon": 113.05,
            "state": "online",
        },
    )
    assert r.status_code == 302, r.context["form"].errors
    assert set(device.sensors.values_list("department", flat=True)) == {fire.pk}
    event = AuditEvent.objects.get(action="monitoring.device.update")
    assert (
        event.before["department"] == world.departments["qc_em"].pk and event.after["department"] == fire.pk
    )
    # The pipeline that was running picks the new department up for the next alarm.
    pipeline.ingest_payload([{"sensor": "g1", "ts": time.time() - 200, "value": 60}], device=device)
    assert Alarm.objects.get().department == fire
    # Retired: the same pipeline refuses its readings (MQTT looks the device up in the registry).
    c.post(
        f"/console/monitoring/devices/{device.pk}/edit/",
        {"name": "1号罐区控制器", "department": fire.pk, "state": DeviceState.RETIRED},
    )
    pipeline.ingest_payload([{"sensor": "g1", "ts": time.time() - 100, "value": 1}], device_code="QC-GAS-01")
    assert DeadLetter.objects.filter(reason=DeadLetterReason.RETIRED).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"lat": "91"}, "lat"),
        ({"lat": "nan"}, "lat"),
        ({"lat": "23.7", "lon": ""}, "lon"),
        ({"state": "offline"}, "state"),
        ({"department": "999999"}, "department"),
        ({"name": ""}, "name"),
    ],
)
def test_device_form_refuses_bad_values(plant, world, data, field):
    device = plant.devices["QC-GAS-01"]
    c = _client(world, ("dept_staff", "qingcheng"))
    post = {"name": "x", "department": world.departments["qc_em"].pk, "state": "online", **data}
    r = c.post(f"/console/monitoring/devices/{device.pk}/edit/", post)
    assert r.status_code == 200
    assert f'data-testid="error-{field}"' in r.content.decode(), r.context["form"].errors
    assert not AuditEvent.objects.filter(action="monitoring.device.update").exists()


# --- who may: every role ------------------------------------------------------------------------------


@pytest.fixture
def objects(plant, world):
    base = Rule.objects.get(code="gas-lel", sensor=None)
    override = Rule.objects.create(
        code="gas-lel",
        name="1号罐区专用",
        sensor=plant.sensors["gas"],
        sensor_type="gas_lel",
        kind="threshold",
        params=dict(base.params),
    )
    policy = EscalationPolicy.objects.create(
        name="清城区策略", department=world.departments["qc_em"], division=world.districts["qingcheng"]
    )
    EscalationStep.objects.create(policy=policy, order=1, delay_minutes=0, notify_on_duty=True)
    silence = Silence.objects.create(
        kind=SilenceKind.SILENCE,
        device=plant.devices["QC-GAS-01"],
        division=plant.devices["QC-GAS-01"].division,
        ends_at=timezone.now() + dt.timedelta(hours=2),
        reason="检修",
    )
    return {"base": base, "override": override, "policy": policy, "silence": silence, "plant": plant}


def _expect(person, *, gate, allowed, scoped=True):
    """302 for anonymous, 403 outside the gate, 404 out of scope, 200 allowed, else 403."""
    if person is None:
        return 302
    role = person[0]
    if role not in gate:
        return 403
    if scoped and not sees(person):
        return 404
    return 200 if role in allowed else 403


@pytest.mark.parametrize("person", MATRIX_PEOPLE + [None], ids=ids)
def test_config_pages_matrix(objects, world, person):
    c = _client(world, person)
    qc_dept = {"city_admin", "dept_staff"}
    device = objects["plant"].devices["QC-GAS-01"]
    expected = {
        "/console/monitoring/rules/": _expect(person, gate=CONSOLE, allowed=CONSOLE, scoped=False),
        "/console/monitoring/policies/": _expect(person, gate=CONSOLE, allowed=CONSOLE, scoped=False),
        "/console/monitoring/silences/": _expect(person, gate=CONSOLE, allowed=CONSOLE, scoped=False),
        "/console/monitoring/policies/new/": _expect(person, gate=CONFIG, allowed=CONFIG, scoped=False),
        "/console/monitoring/silences/new/": _expect(person, gate=MANAGERS, allowed=MANAGERS, scoped=False),
        # a type rule is city-wide configuration: only the city's administrators
        f"/console/monitoring/rules/{objects['base'].pk}/": _expect(
            person, gate=CONSOLE, allowed={"city_admin"}, scoped=False
        ),
        f"/console/monitoring/rules/{objects['override'].pk}/": _expect(
            person, gate=CONSOLE, allowed=qc_dept
        ),
        f"/console/monitoring/policies/{objects['policy'].pk}/": _expect(
            person, gate=CONFIG, allowed=qc_dept
        ),
        f"/console/monitoring/silences/{objects['silence'].pk}/": _expect(
            person, gate=CONSOLE, allowed=MANAGERS
        ),
        f"/console/monitoring/devices/{device.pk}/edit/": _expect(person, gate=MANAGERS, allowed=qc_dept),
    }
    got = {url: c.get(url).status_code for url in expected}
    assert got == expected


@pytest.mark.parametrize("person", [p for p in MATRIX_PEOPLE if p[0] in CONSOLE], ids=ids)
def test_offered_edits_are_allowed(objects, world, person):
    """Every edit link a list offers opens (offered means allowed), and nothing is offered to a
    person it would refuse."""
    import re

    c = _client(world, person)
    offered = []
    for page in ("rules", "policies", "silences", "devices"):
        r = c.get(f"/console/monitoring/{page}/")
        if r.status_code == 403:
            continue
        offered += re.findall(
            r'href="(/console/monitoring/[a-z]+/(?:\d+/(?:edit/)?|new/))"', r.content.decode()
        )
    for url in offered:
        assert c.get(url).status_code == 200, (person, url)
    may_config = person[0] in CONFIG and person[1] != "yingde"
    assert (f"/console/monitoring/policies/{objects['policy'].pk}/" in offered) == may_config
    assert (f"/console/monitoring/rules/{objects['base'].pk}/" in offered) == (person[0] == "city_admin")
    assert ("/console/monitoring/silences/new/" in offered) == (person[0] in MANAGERS)


@pytest.mark.parametrize("person", MATRIX_PEOPLE + [None], ids=ids)
def test_device_patch_api_matrix(objects, login_api, world, person):
    device = objects["plant"].devices["QC-GAS-01"]
    api = login_api(None) if person is None else login_api(*person)
    r = api.patch(f"/api/v1/devices/{device.pk}/", {"name": "改名", "model_name": "GT-2"}, format="json")
    if person is None:
        assert r.status_code in (401, 403)
    elif not sees(person):
        assert r.status_code == 404
    elif person[0] in CONFIG:
        assert r.status_code == 200, r.content
        assert r.json()["name"] == "改名"
        assert AuditEvent.objects.filter(action="monitoring.device.update").count() == 1
    else:
        assert r.status_code == 403
        device.refresh_from_db()
        assert device.name != "改名"


def test_device_patch_api_bad_values_name_the_field(objects, login_api):
    device = objects["plant"].devices["QC-GAS-01"]
    api = login_api("city_admin", "city")
    for body, field in (
        ({"lat": 91, "lon": 113}, "lat"),
        ({"lat": 23.7, "lon": None}, "lon"),
        ({"state": "offline"}, "state"),
        ({"department": 2**70}, "department"),
        ({"name": ""}, "name"),
    ):
        r = api.patch(f"/api/v1/devices/{device.pk}/", body, format="json")
        assert r.status_code == 400, (body, r.content)
        assert field in {e["field"] for e in r.json()["errors"]}, r.json()
    # A department staff member cannot hand the device to another department.
    dept = login_api("dept_staff", "qingcheng")
    r = dept.patch(
        f"/api/v1/devices/{device.pk}/",
        {"department": objects["plant"].devices["YD-GAS-01"].department_id},
        format="json",
    )
    assert r.status_code == 403

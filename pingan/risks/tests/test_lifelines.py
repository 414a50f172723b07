"""City lifelines and the sensors of major hazard sources: registering an asset (it enters the chain
with its check), a monitoring template creating device, sensors and rules in one step, readings
through the ingestion pipeline raising the template's alarms, the live panels, bad inputs naming
their field, and who may see or do what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pingan.core.actions import ActionError, Forbidden
from pingan.core.models import AuditEvent
from pingan.monitoring import services as monitoring
from pingan.monitoring.models import Alarm, Device, Rule, Sensor
from pingan.monitoring.thresholds import ensure_default_rules
from pingan.risks import actions, lifelines
from pingan.risks.models import CheckTask, LifelineAsset

from .factories import mhs

pytestmark = pytest.mark.django_db

LINE = {"type": "LineString", "coordinates": [[113.03, 23.70], [113.04, 23.705], [113.05, 23.71]]}


def asset(world, kind="waterlogging", **kw):
    kw.setdefault("lat", None if kind == "gas_pipeline" else 23.7)
    kw.setdefault("lon", None if kind == "gas_pipeline" else 113.05)
    return actions.do_create_lifeline(
        world.user("area_staff", "qingcheng"),
        kind=kind,
        name=kw.pop("name", "凤城下穿通道"),
        geometry=kw.pop("geometry", LINE if kind == "gas_pipeline" else None),
        **kw,
    )


def feed(device, code, values, start=None):
    start = start or timezone.now() - dt.timedelta(minutes=len(values) + 1)
    items = [
        {"sensor": code, "ts": (start + dt.timedelta(minutes=i)).isoformat(), "value": v}
        for i, v in enumerate(values)
    ]
    return monitoring.ingest(device, items)


def test_asset_enters_the_chain_with_its_check(world):
    a = asset(world, "gas_pipeline")
    assert a.division == world.towns["qingcheng"]
    assert a.geometry["type"] == "LineString" and (a.lat, a.lon) == (23.705, 113.04)  # middle vertex
    assert a.risk_object.point_type == "other" and a.risk_object.kind == "city_point"
    task = CheckTask.objects.get(risk_object=a.risk_object)
    assert task.cycle == "weekly"
    assert AuditEvent.objects.filter(action="risks.lifeline.create", object_id=str(a.pk)).exists()


def test_template_makes_sensors_and_rules_in_one_step_and_they_alarm(world):
    a = asset(world)
    keeper = world.user("area_staff", "qingcheng")
    device = actions.do_apply_template(keeper, a, "waterlogging")
    sensor = Sensor.objects.get(device=device)
    assert (sensor.type, sensor.unit, sensor.department_id) == ("water_level", "m", a.department_id)
    codes = set(Rule.objects.filter(sensor=sensor).values_list("code", flat=True))
    assert codes == {"water-level", "water-rise"}  # the river's type rules are replaced for this sensor
    assert actions.device_ids(a) == [device.pk]
    assert AuditEvent.objects.filter(action="monitoring.device.provision", object_id=str(device.pk)).exists()
    # 0.30 m of water twice: the template's orange level (27 cm), never the river's 10 m warning level.
    feed(device, "wd1", [0.05, 0.30, 0.30])
    alarm = Alarm.objects.get(sensor=sensor, is_active=True, rule__code="water-level")
    assert alarm.severity == 3
    rows = monitoring.sensor_rows(keeper, [device.pk])
    assert rows[0]["value"] == 0.30 and rows[0]["open_alarms"] >= 1
    # A second application of a template gets a new device code; a template of another kind is refused.
    assert actions.do_apply_template(keeper, a, "waterlogging").code.endswith("-2")
    with pytest.raises(ActionError) as exc:
        actions.do_apply_template(keeper, a, "bridge")
    assert exc.value.field == "template"


def test_pressure_drop_and_bridge_rules(world):
    keeper = world.user("area_staff", "qingcheng")
    pipe = asset(world, "gas_pipeline")
    dev = actions.do_apply_template(keeper, pipe, "gas_pressure")
    feed(dev, "p1", [0.35, 0.35, 0.30, 0.24])  # −0.05, −0.06 MPa/min: a burst
    assert Alarm.objects.filter(sensor__device=dev, rule__code="pressure-drop", severity=4).exists()
    bridge = asset(world, "bridge", name="北江大桥")
    dev = actions.do_apply_template(keeper, bridge, "bridge")
    feed(dev, "df1", [10, 45, 46, 47])  # deflection over the orange level three samples running
    alarm = Alarm.objects.get(sensor__device=dev, sensor__code="df1", is_active=True)
    assert (alarm.rule.code, alarm.severity) == ("bridge-deflection", 3)
    assert set(dev.sensors.values_list("type", flat=True)) == {"strain", "deflection"}


BAD = [
    ({"kind": "tram"}, "kind"),
    ({"name": " "}, "name"),
    ({"geometry": '{"type": "Point", "coordinates": [113, 23]}'}, "geometry"),
    ({"geometry": {"type": "LineString", "coordinates": [[113.0, 23.7]]}}, "geometry"),
    ({"geometry": {"type": "LineString", "coordinates": [[413.0, 23.7], [113, 23]]}}, "geometry"),
    ({"geometry": "not json"}, "geometry"),
    ({"lat": "north"}, "lat"),
    ({"lat": None, "lon": None}, "location"),
    ({"lat": 30.0, "lon": 100.0}, "location"),  # outside the city
]


def test_bad_inputs_name_the_field(world):
    for kw, field in BAD:
        args = {"kind": "waterlogging", "name": "易涝点", "lat": 23.7, "lon": 113.05} | kw
        with pytest.raises(ActionError) as exc:
            actions.do_create_lifeline(world.user("area_staff", "qingcheng"), **args)
        assert exc.value.field == field, kw
    assert not LifelineAsset.objects.exists()


def test_who_may_register_and_monitor(world):
    with pytest.raises(Forbidden):  # another district's keeper
        actions.do_create_lifeline(
            world.user("area_staff", "yingde"), kind="bridge", name="桥", lat=23.7, lon=113.05
        )
    with pytest.raises(Forbidden):
        actions.do_create_lifeline(
            world.user("enterprise", "qingcheng"), kind="bridge", name="桥", lat=23.7, lon=113.05
        )
    a = asset(world)
    with pytest.raises(Forbidden):
        actions.do_apply_template(world.user("grid_worker", "qingcheng"), a, "waterlogging")


def test_major_hazard_source_sensors_live(world, django_assert_max_num_queries):
    src = mhs(world)
    ent_user = world.user("enterprise", "qingcheng")
    device = actions.do_apply_template(ent_user, src, "mhs")
    assert device.enterprise_id == src.enterprise_id
    assert set(Sensor.objects.filter(device=device).values_list("type", flat=True)) == {
        "tank_level",
        "pressure",
        "temperature",
        "gas_lel",
    }
    ensure_default_rules()
    feed(device, "l1", [8.0, 9.3])  # high-high level (the type rule, 9.0 m)
    c = Client()
    c.force_login(ent_user)
    page = c.get(reverse("risks:mhs_detail", args=[src.pk])).content.decode()
    assert "live-sensors" in page and "hx-trigger" in page and "储罐液位" in page
    with django_assert_max_num_queries(12):
        live = c.get(reverse("risks:mhs_live", args=[src.pk])).content.decode()
    assert "9.3" in live and 'data-testid="open-alarms"' in live
    # Attaching an existing device of the enterprise; another enterprise's device is refused.
    other = Device.objects.create(code="OTHER-1", name="x", division=world.towns["yingde"])
    with pytest.raises(ActionError) as exc:
        actions.do_attach_device(ent_user, src, other.pk)
    assert exc.value.field == "device"
    own = Device.objects.create(code="OWN-1", name="y", division=src.division, enterprise=src.enterprise)
    r = c.post(reverse("risks:mhs_monitor", args=[src.pk]), {"device": own.pk})
    assert r.status_code == 302 and own.pk in actions.device_ids(src)
    # The other district's enterprise sees nothing of it.
    other_c = Client()
    other_c.force_login(world.user("enterprise", "yingde"))
    assert other_c.get(reverse("risks:mhs_live", args=[src.pk])).status_code == 404
    assert other_c.post(reverse("risks:mhs_monitor", args=[src.pk]), {"template": "mhs"}).status_code == 404


def test_pages_map_and_queries(world, django_assert_max_num_queries):
    keeper = world.user("area_staff", "qingcheng")
    a = asset(world, "gas_pipeline", name="中压干管")
    actions.do_apply_template(keeper, a, "gas_manhole")
    c = Client()
    c.force_login(keeper)
    r = c.post(
        reverse("risks:lifeline_create"),
        {"kind": "bridge", "name": "新桥", "lat": "23.71", "lon": "113.06", "geometry": ""},
    )
    assert r.status_code == 302
    new = LifelineAsset.objects.get(name="新桥")
    r = c.post(reverse("risks:lifeline", args=[new.pk]), {"template": "bridge"})
    assert r.status_code == 302 and len(actions.device_ids(new)) == 1
    lines = c.get(reverse("risks:lifeline_geojson") + "?shape=line").json()["features"]
    assert [f["geometry"]["type"] for f in lines] == ["LineString"]
    points = c.get(reverse("risks:lifeline_geojson")).json()["features"]
    assert len(points) == 2
    for n in range(3):
        asset(world, "bridge", name=f"桥{n}")
    with django_assert_max_num_queries(14):
        assert c.get(reverse("risks:lifelines")).status_code == 200
    with django_assert_max_num_queries(30):
        page = c.get(reverse("risks:lifeline", args=[a.pk])).content.decode()
    assert "窨井可燃气体 1" in page and "apply-template" in page
    # Out of scope: 404; a grid worker has no lifeline pages; a page is offered only to who may use it.
    yd = Client()
    yd.force_login(world.user("area_staff", "yingde"))
    assert yd.get(reverse("risks:lifeline", args=[a.pk])).status_code == 404
    assert yd.get(reverse("risks:lifeline_live", args=[a.pk])).status_code == 404
    gw = Client()
    gw.force_login(world.user("grid_worker", "qingcheng"))
    assert gw.get(reverse("risks:lifelines")).status_code == 403
    duty = Client()
    duty.force_login(world.user("duty_officer", "qingcheng"))
    assert "apply-template" not in duty.get(reverse("risks:lifeline", args=[a.pk])).content.decode()


def test_templates_are_well_formed():
    for code, t in lifelines.TEMPLATES.items():
        specs = lifelines.sensor_specs(code)
        assert specs and t["kinds"]
        for s in specs:
            assert s["min_value"] < s["max_value"]
            for r in s["rules"]:
                assert r["kind"] in ("threshold", "rate") and (r.get("enabled") is False or r["source"])
    assert {k for t in lifelines.TEMPLATES.values() for k in t["kinds"]} >= set(lifelines.KIND_CHAIN)


def test_open_check_day_fills_missing_deadlines_once(world, django_assert_max_num_queries):
    """The day's due checks: a task without an open deadline gets one (same title, scope, data), in
    one statement; a second run opens nothing."""
    from pingan.core.models import Deadline

    a = asset(world)
    task = CheckTask.objects.get(risk_object=a.risk_object)
    Deadline.objects.filter(kind="risks.check").delete()
    day = timezone.localdate(task.next_due_at)
    with django_assert_max_num_queries(3):
        assert actions.open_check_day(day) == 1
    row = Deadline.objects.get(kind="risks.check", object_id=str(task.pk))
    assert row.title == f"排查: {task.name}({a.name})" and row.division_id == a.division_id
    assert row.data == {"task": task.pk, "object": a.risk_object_id} and row.due_at == task.next_due_at
    assert row.remind_at <= row.due_at
    assert actions.open_check_day(day) == 0


def test_console_forms_name_the_field_of_a_bad_input(world):
    """The issue's bad inputs through the pages (the API and the rules have theirs): a negative
    quantity in the calculator and a cycle of zero in a new check task."""
    from .factories import chain, city_point

    c = Client()
    c.force_login(world.user("enterprise", "qingcheng"))
    r = c.post(
        reverse("risks:calculator"),
        {"chemical": ["氯"], "category": [""], "quantity": ["-2"], "population": "10"},
    )
    assert "chemicals[0].quantity" in r.content.decode()
    point = city_point(world, lat=23.7, lon=113.05)
    task = chain(world, point)
    keeper = Client()
    keeper.force_login(world.user("area_staff", "qingcheng"))
    r = keeper.post(
        reverse("risks:detail", args=[point.pk]),
        {"op": "task", "measure": task.measure_id, "name": "x", "cycle": "daily", "every": "0"},
        follow=True,
    )
    assert "every:" in r.content.decode() and task.measure.tasks.count() == 1

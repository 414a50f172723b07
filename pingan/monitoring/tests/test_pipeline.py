"""The ingestion pipeline: HTTP door, idempotency, dead letters, alarms, restart."""

import json
import time

import pytest

from pingan.monitoring.choices import AlarmState, DeadLetterReason, DeviceState
from pingan.monitoring.ingest import Pipeline
from pingan.monitoring.models import Alarm, DeadLetter, Device, Reading, SensorState

from .helpers import make_plant

URL = "/api/v1/ingest/readings/"
T0 = int(time.time()) - 3600


@pytest.fixture
def plant(world):
    return make_plant(world)


def post(api, plant, body, device="QC-GAS-01", raw=False):
    data = body if raw else json.dumps(body)
    return api.generic(
        "POST",
        URL,
        data,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {plant.tokens[device]}",
    )


def batch(values, sensor="g1", start=T0, step=60):
    return [{"sensor": sensor, "ts": start + i * step, "value": v} for i, v in enumerate(values)]


def test_token_required(api, plant):
    assert api.post(URL, [], format="json").status_code == 401
    r = api.generic("POST", URL, "[]", content_type="application/json", HTTP_AUTHORIZATION="Device wrong")
    assert r.status_code == 401
    assert r.json()["errors"][0]["field"] == "Authorization"


def test_token_is_hashed_at_rest(plant):
    d = plant.devices["QC-GAS-01"]
    assert plant.tokens["QC-GAS-01"] not in d.token_hash
    assert len(d.token_hash) == 64


def test_readings_raise_and_clear_an_alarm(api, plant):
    r = post(api, plant, batch([10, 30, 55, 40, 10]))
    assert r.status_code == 200, r.content
    assert r.json()["accepted"] == 5
    assert Reading.objects.count() == 5
    alarm = Alarm.objects.get()
    assert alarm.severity == 4  # raised in place from 一级 to 二级
    assert alarm.state == AlarmState.CLEARED_UNACK and not alarm.is_active
    assert alarm.trigger_value == 30
    device = Device.objects.get(code="QC-GAS-01")
    assert device.last_seen_at is not None and device.state == DeviceState.ONLINE


def test_replaying_a_batch_makes_no_new_readings_or_alarms(api, plant):
    body = batch([10, 30, 55, 40, 10, 35])
    post(api, plant, body)
    readings, alarms = Reading.objects.count(), Alarm.objects.count()
    assert (readings, alarms) == (6, 2)
    r = post(api, plant, body)
    assert r.status_code == 200
    assert (Reading.objects.count(), Alarm.objects.count()) == (readings, alarms)
    # a fresh process (restart) replaying it: the stored state knows the last time too
    Pipeline().ingest_payload(json.dumps(body), device=plant.devices["QC-GAS-01"])
    assert (Reading.objects.count(), Alarm.objects.count()) == (readings, alarms)


def test_late_reading_is_stored_and_does_not_reopen_a_cleared_alarm(api, plant):
    post(api, plant, batch([30, 10]))  # raise at T0, clear at T0+60
    assert Alarm.objects.get().state == AlarmState.CLEARED_UNACK
    post(api, plant, [{"sensor": "g1", "ts": T0 + 30, "value": 60}])
    assert Reading.objects.count() == 3
    assert Alarm.objects.count() == 1 and not Alarm.objects.get().is_active


def test_malformed_input_goes_to_the_dead_letter_table(api, plant):
    r = post(api, plant, "{not json", raw=True)
    assert r.status_code == 400
    body = [
        {"sensor": "nope", "ts": T0, "value": 1},  # unknown sensor
        {"sensor": "g1", "ts": T0, "value": 5, "unit": "ppm"},  # wrong unit
        {"sensor": "g1", "ts": T0 + 1, "value": 250},  # impossible (> 100 %LEL)
        {"sensor": "g1", "ts": time.time() + 3600, "value": 1},  # far future
        {"sensor": "g1", "ts": "yesterday", "value": 1},  # bad timestamp
        {"sensor": "g1", "ts": T0 + 2, "value": "x"},  # not a number
        {"value": 3},  # no sensor
        {"sensor": "g1", "ts": T0 + 3, "value": 12.5, "unit": "%LEL"},  # good
    ]
    r = post(api, plant, body)
    assert r.status_code == 200
    data = r.json()
    assert data["accepted"] == 1 and data["rejected"] == 7
    assert [e["index"] for e in data["errors"]] == [0, 1, 2, 3, 4, 5, 6]
    reasons = list(DeadLetter.objects.order_by("id").values_list("reason", flat=True))
    assert reasons == [
        DeadLetterReason.BAD_JSON,
        DeadLetterReason.UNKNOWN_SENSOR,
        DeadLetterReason.WRONG_UNIT,
        DeadLetterReason.IMPOSSIBLE_VALUE,
        DeadLetterReason.FUTURE_TS,
        DeadLetterReason.BAD_TS,
        DeadLetterReason.BAD_SHAPE,
        DeadLetterReason.BAD_SHAPE,
    ]
    assert Device.objects.get(code="QC-GAS-01").dead_letter_count == 8
    assert Reading.objects.count() == 1


def test_unknown_device_on_mqtt_is_dead_lettered(plant):
    result = Pipeline("mqtt").ingest_payload(b'[{"sensor":"g1","value":1}]', device_code="GHOST-9")
    assert result.rejected == 1
    letter = DeadLetter.objects.get()
    assert letter.reason == DeadLetterReason.UNKNOWN_DEVICE and letter.device_code == "GHOST-9"


def test_duration_half_done_survives_a_restart(plant):
    """The pressure rule needs 30 s over the line: half of it in one process, the rest in another."""
    dev = plant.devices["QC-GAS-01"]
    Pipeline().ingest_payload([{"sensor": "p1", "ts": T0, "value": 1.7}], device=dev)
    assert not Alarm.objects.exists()
    state = SensorState.objects.get(sensor=plant.sensors["pressure"])
    assert any("ps" in rs for rs in state.data["r"].values())
    Pipeline().ingest_payload([{"sensor": "p1", "ts": T0 + 31, "value": 1.7}], device=dev)
    assert Alarm.objects.get().severity == 2


def test_two_consumers_share_state_through_the_version(plant):
    dev = plant.devices["QC-GAS-01"]
    a, b = Pipeline(), Pipeline()
    a.ingest_payload(batch([30]), device=dev)
    b.ingest_payload(batch([10], start=T0 + 60), device=dev)  # b loads a's newer state and clears
    a.ingest_payload(batch([35], start=T0 + 120), device=dev)  # a notices b's version: new alarm, no error
    assert Alarm.objects.count() == 2
    assert Alarm.objects.filter(is_active=True).count() == 1


def test_one_active_alarm_per_sensor_and_rule_is_a_database_constraint(plant):
    from django.db import IntegrityError, transaction

    Pipeline().ingest_payload(batch([30]), device=plant.devices["QC-GAS-01"])
    alarm = Alarm.objects.get()
    alarm.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        alarm.save()


def test_rainfall_accumulation_raises_the_rainstorm_signal(plant):
    dev = plant.devices["QC-RAIN-01"]
    # 55 mm in 3 h in 10-minute increments → orange (level 3)
    items = [{"sensor": "r1", "ts": T0 - 3 * 3600 + 600 * (i + 1), "value": 55 / 18} for i in range(18)]
    Pipeline().ingest_payload(items, device=dev)
    alarm = Alarm.objects.get(sensor=plant.sensors["rain"])
    assert alarm.severity == 3


def test_events_and_sweep(plant):
    dev = plant.devices["QC-GAS-01"]
    p = Pipeline()
    p.ingest_payload([{"sensor": "s1", "ts": T0, "event": "smoke"}], device=dev)
    alarm = Alarm.objects.get(sensor=plant.sensors["smoke"])
    assert alarm.is_active and alarm.severity == 3
    p.sweep(now=T0 + 601)
    alarm.refresh_from_db()
    assert alarm.state == AlarmState.CLEARED_UNACK


def test_offline_sweep_marks_device_offline_and_clears_on_data(plant):
    p = Pipeline()
    dev = plant.devices["QC-GAS-01"]
    p.ingest_payload(batch([10]), device=dev)
    now = T0 + 11 * 60
    p.sweep(now=now)
    dev.refresh_from_db()
    assert dev.state == DeviceState.OFFLINE
    nodata = Alarm.objects.get(sensor=plant.sensors["gas"], rule__code="nodata")
    assert nodata.is_active
    p.ingest_payload(
        batch([10], start=now + 10),
        device=dev,
    )
    nodata.refresh_from_db()
    dev.refresh_from_db()
    assert not nodata.is_active and dev.state == DeviceState.ONLINE


def test_maintenance_window_stores_readings_but_raises_nothing(plant, world):
    from datetime import timedelta

    from django.utils import timezone

    from pingan.monitoring import actions

    actions.do_create_silence(
        world.user("dept_staff"),
        kind="maintenance",
        device=plant.devices["QC-GAS-01"],
        ends_at=timezone.now() + timedelta(hours=1),
        reason="检修",
    )
    Pipeline().ingest_payload(batch([60], start=int(time.time()) - 5), device=plant.devices["QC-GAS-01"])
    assert Reading.objects.count() == 1 and not Alarm.objects.exists()


def test_silence_records_alarm_without_notifying(plant, world):
    from datetime import timedelta

    from django.utils import timezone

    from pingan.monitoring import actions

    actions.do_create_silence(
        world.user("dept_staff"),
        kind="silence",
        device=plant.devices["QC-GAS-01"],
        ends_at=timezone.now() + timedelta(hours=1),
        reason="调试",
    )
    Pipeline().ingest_payload(batch([60], start=int(time.time()) - 5), device=plant.devices["QC-GAS-01"])
    assert Alarm.objects.get().silenced


def test_silence_expiry_is_required_and_bounded(plant, world):
    from datetime import timedelta

    from django.utils import timezone

    from pingan.core.actions import ActionError
    from pingan.monitoring import actions

    with pytest.raises(ActionError) as exc:
        actions.do_create_silence(
            world.user("dept_staff"),
            kind="silence",
            device=plant.devices["QC-GAS-01"],
            ends_at=timezone.now() + timedelta(days=60),
            reason="x",
        )
    assert exc.value.field == "ends_at"


def test_clear_and_raise_again_in_one_batch_keeps_one_active_alarm(plant):
    dev = plant.devices["QC-GAS-01"]
    p = Pipeline()
    p.ingest_payload(batch([30]), device=dev)  # active alarm in the database
    p.ingest_payload(batch([10, 30, 10, 40], start=T0 + 60), device=dev)  # clear, raise, clear, raise
    assert Alarm.objects.count() == 3
    assert Alarm.objects.filter(is_active=True).count() == 1


def test_many_sensors_in_one_batch_write_every_state(plant):
    """More than 200 states in one batch take the bulk path (COPY on PostgreSQL)."""
    from pingan.monitoring.models import Sensor

    dev = plant.devices["QC-GAS-01"]
    Sensor.objects.bulk_create(
        [
            Sensor(
                device=dev,
                code=f"m{i}",
                name=f"m{i}",
                type="gas_lel",
                unit="%LEL",
                division=dev.division,
                enterprise=dev.enterprise,
            )
            for i in range(250)
        ]
    )
    p = Pipeline()
    p.ingest_payload(
        [{"sensor": f"m{i}", "ts": T0, "value": 30 if i % 2 else 1} for i in range(250)], device=dev
    )
    p.ingest_payload([{"sensor": f"m{i}", "ts": T0 + 60, "value": 1} for i in range(250)], device=dev)
    states = SensorState.objects.filter(sensor__code__startswith="m")
    assert states.count() == 250 and not states.filter(level__gt=0).exists()
    assert Alarm.objects.filter(sensor__code__startswith="m").count() == 125
    assert not Alarm.objects.filter(is_active=True).exists()

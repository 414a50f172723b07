"""One bad item never loses its batch: every kind of broken reading goes to the dead-letter table with
its reason, and the good readings beside it are stored — on the HTTP door and on the MQTT door."""

import json
import time
from types import SimpleNamespace

import pytest

from pingan.monitoring.choices import DeadLetterReason
from pingan.monitoring.ingest import Pipeline
from pingan.monitoring.models import DeadLetter, Reading

from .helpers import make_plant

URL = "/api/v1/ingest/readings/"
T0 = int(time.time()) - 3600

# (item, expected reason); each is sent beside a good reading.
BAD_ITEMS = [
    pytest.param({"sensor": "g1", "ts": 1e20, "value": 1}, DeadLetterReason.FUTURE_TS, id="ts-overflows"),
    pytest.param({"sensor": "g1", "ts": 10**30, "value": 1}, DeadLetterReason.FUTURE_TS, id="ts-huge-int"),
    pytest.param({"sensor": "g1", "ts": 10**400, "value": 1}, DeadLetterReason.BAD_TS, id="ts-beyond-float"),
    pytest.param({"sensor": "g1", "ts": -86400, "value": 1}, DeadLetterReason.BAD_TS, id="ts-before-1970"),
    pytest.param(
        {"sensor": "g1", "ts": "0001-01-01T00:00:00", "value": 1}, DeadLetterReason.BAD_TS, id="ts-year-1"
    ),
    pytest.param(
        {"sensor": "g1", "ts": "99999-01-01", "value": 1}, DeadLetterReason.BAD_TS, id="ts-year-99999"
    ),
    pytest.param(
        {"sensor": "g1", "ts": "9999-12-31T23:59:59", "value": 1},
        DeadLetterReason.FUTURE_TS,
        id="ts-far-future",
    ),
    pytest.param({"sensor": "g1", "ts": float("nan"), "value": 1}, DeadLetterReason.BAD_TS, id="ts-nan"),
    pytest.param({"sensor": "g1", "ts": float("inf"), "value": 1}, DeadLetterReason.BAD_TS, id="ts-inf"),
    pytest.param({"sensor": "g1", "ts": [T0], "value": 1}, DeadLetterReason.BAD_TS, id="ts-list"),
    pytest.param({"sensor": "g1", "ts": True, "value": 1}, DeadLetterReason.BAD_TS, id="ts-bool"),
    pytest.param(
        {"sensor": "g1", "ts": T0, "value": float("nan")}, DeadLetterReason.BAD_SHAPE, id="value-nan"
    ),
    pytest.param(
        {"sensor": "g1", "ts": T0, "value": float("inf")}, DeadLetterReason.BAD_SHAPE, id="value-inf"
    ),
    pytest.param(
        {"sensor": "g1", "ts": T0, "value": float("-inf")}, DeadLetterReason.BAD_SHAPE, id="value-minus-inf"
    ),
    pytest.param(
        {"sensor": "g1", "ts": T0, "value": 10**400}, DeadLetterReason.BAD_SHAPE, id="value-beyond-float"
    ),
    pytest.param(
        {"sensor": "g1", "ts": T0, "value": {"v": 1}}, DeadLetterReason.BAD_SHAPE, id="value-object"
    ),
    pytest.param({"sensor": "g1", "ts": T0, "value": "12"}, DeadLetterReason.BAD_SHAPE, id="value-string"),
    pytest.param({"sensor": 7, "ts": T0, "value": 1}, DeadLetterReason.BAD_SHAPE, id="sensor-int"),
    pytest.param([1, 2], DeadLetterReason.BAD_SHAPE, id="item-list"),
]

GOOD = {"sensor": "g1", "ts": T0 + 5, "value": 12.5}


@pytest.fixture
def plant(world):
    return make_plant(world)


def _body(bad: object) -> str:
    # allow_nan: the JSON that devices really send (Python's and many firmware encoders write NaN/Infinity).
    return json.dumps([bad, GOOD], allow_nan=True)


@pytest.mark.parametrize(("bad", "reason"), BAD_ITEMS)
def test_http_bad_item_is_dead_lettered_and_the_good_one_stored(api, plant, bad, reason):
    r = api.generic(
        "POST",
        URL,
        _body(bad),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {plant.tokens['QC-GAS-01']}",
    )
    assert r.status_code == 200, r.content
    data = r.json()
    assert (data["accepted"], data["rejected"]) == (1, 1)
    assert data["errors"][0]["index"] == 0
    letter = DeadLetter.objects.get()
    assert letter.reason == reason and letter.detail
    assert list(Reading.objects.values_list("value", flat=True)) == [12.5]


@pytest.mark.parametrize(("bad", "reason"), BAD_ITEMS)
def test_mqtt_bad_item_is_dead_lettered_and_the_good_one_stored(plant, bad, reason):
    result = Pipeline("mqtt").ingest_payload(_body(bad).encode(), device_code="QC-GAS-01")
    assert (result.accepted, result.rejected) == (1, 1)
    assert DeadLetter.objects.get().reason == reason
    assert Reading.objects.count() == 1


def test_mqtt_consumer_batch_with_a_bad_item_keeps_the_other_messages(plant, monkeypatch):
    """The consumer's own loop: one message with a 1e20 timestamp in a batch of three commits on the
    first try (no retries, no one-by-one fallback), stores every good reading and acknowledges all."""
    from pingan.monitoring.mqtt import Consumer

    consumer = Consumer("mqtt://127.0.0.1:1", client_id="test-bad-items", batch_wait=0.01)
    acked = []
    monkeypatch.setattr(consumer.client, "ack", lambda mid, qos: acked.append(mid))
    monkeypatch.setattr(
        consumer, "_one_by_one", lambda batch: pytest.fail("the batch should not have failed")
    )
    payloads = [
        [{"sensor": "g1", "ts": T0, "value": 1}],
        [{"sensor": "g1", "ts": 1e20, "value": 2}, {"sensor": "p1", "ts": T0, "value": 0.5}],
        [
            {"sensor": "g1", "ts": T0 + 60, "value": float("nan")},
            {"sensor": "g1", "ts": T0 + 120, "value": 3},
        ],
    ]
    for mid, items in enumerate(payloads, 1):
        message = SimpleNamespace(
            topic="pingan/v1/QC-GAS-01/readings", payload=json.dumps(items).encode(), qos=1, mid=mid
        )
        consumer.inbox.append((consumer.generation, message))
    assert consumer.step() == 3
    assert acked == [1, 2, 3]
    assert Reading.objects.count() == 3
    assert sorted(DeadLetter.objects.values_list("reason", flat=True)) == [
        DeadLetterReason.BAD_SHAPE,
        DeadLetterReason.FUTURE_TS,
    ]


def test_json_nested_thousands_deep_is_one_dead_letter_not_a_server_error(api, plant):
    body = "[" * 100_000 + "]" * 100_000
    r = api.generic(
        "POST",
        URL,
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {plant.tokens['QC-GAS-01']}",
    )
    assert r.status_code == 400
    assert DeadLetter.objects.get().reason == DeadLetterReason.BAD_JSON

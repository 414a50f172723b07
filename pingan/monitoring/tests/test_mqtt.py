"""MQTT against the real Mosquitto on 127.0.0.1:1883 (started by .ci/run in CI).

Killing the consumer abruptly while the simulator publishes, then starting it again with the same
client id, loses no reading and duplicates none: the persistent session keeps what was published
meanwhile, and messages received but not acknowledged are delivered again."""

import os
import socket
import threading
import time
import uuid

import pytest

from pingan.monitoring.models import DeadLetter, Reading
from pingan.monitoring.mqtt import Consumer
from pingan.monitoring.simulator import MqttSender, SimSensor, Simulator

from .helpers import make_plant

BROKER = os.environ.get("TEST_MQTT_URL", "mqtt://127.0.0.1:1883")

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def broker_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 1883), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(autouse=True)
def need_broker():
    if not broker_up():
        if os.environ.get("CI"):
            pytest.fail("Mosquitto is not running on 127.0.0.1:1883 (.ci/run starts it)")
        pytest.skip("Mosquitto is not running on 127.0.0.1:1883")


def run_consumer(prefix, client_id, group):
    consumer = Consumer(
        BROKER, client_id=client_id, group=group, prefix=prefix, batch_size=50, batch_wait=0.05
    )
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()
    assert consumer.connected.wait(10)
    return consumer, stop, thread


def drop_session(client_id):
    """Leave no persistent session behind in the broker."""
    from pingan.monitoring.mqtt import Broker, make_client

    client = make_client(Broker.parse(BROKER), client_id)
    client.connect("127.0.0.1", 1883, clean_start=True)
    client.disconnect()


def wait_until(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_killing_and_restarting_the_consumer_loses_no_reading(world):
    make_plant(world)
    run = uuid.uuid4().hex[:8]
    prefix, client_id, group = f"pingan-test-{run}/v1", f"pingan-test-consumer-{run}", f"g{run}"
    consumer, stop, thread = run_consumer(prefix, client_id, group)

    sensors = [
        SimSensor("QC-GAS-01", "g1", "gas_lel"),
        SimSensor("QC-GAS-01", "p1", "pressure"),
        SimSensor("QC-RAIN-01", "w1", "water_level"),
        SimSensor("YD-GAS-01", "g1", "gas_lel"),
    ]
    sim = Simulator(sensors, seed=3)
    sender = MqttSender(BROKER, client_id=f"pingan-test-sim-{run}", prefix=prefix)
    rounds, t0 = 120, time.time() - 3600
    published = 0
    for i in range(rounds):
        if i == 40:
            consumer.kill()  # mid-stream: some messages received and not yet acknowledged
            thread.join(5)
        if i == 80:
            consumer, stop, thread = run_consumer(prefix, client_id, group)
        for code, items in sim.round(t0 + i * 10, 10).items():
            sender.send(code, items)
            published += len(items)
        time.sleep(0.01)
    sender.close()
    assert published == rounds * len(sensors)
    assert wait_until(lambda: Reading.objects.count() >= published, timeout=60), Reading.objects.count()
    time.sleep(0.5)  # anything redelivered after that is a duplicate the key must absorb
    stop.set()
    thread.join(10)
    drop_session(client_id)
    assert Reading.objects.count() == published
    assert not DeadLetter.objects.exists()


def test_malformed_mqtt_messages_land_in_the_dead_letter_table(world):
    make_plant(world)
    run = uuid.uuid4().hex[:8]
    prefix = f"pingan-test-{run}/v1"
    consumer, stop, thread = run_consumer(prefix, f"pingan-test-consumer-{run}", f"g{run}")
    sender = MqttSender(BROKER, client_id=f"pingan-test-sim-{run}", prefix=prefix)
    sender.publisher.publish("QC-GAS-01", b"{oops").wait_for_publish(5)
    sender.publisher.publish("NO-SUCH-DEVICE", b"[]").wait_for_publish(5)
    sender.publisher.publish("QC-GAS-01", b'[{"sensor": "g1", "value": 1e9}]').wait_for_publish(5)
    sender.publisher.publish("QC-GAS-01", b'[{"sensor": "g1", "value": 3}]').wait_for_publish(5)
    sender.close()
    assert wait_until(lambda: DeadLetter.objects.count() == 3 and Reading.objects.count() == 1)
    stop.set()
    thread.join(10)
    drop_session(f"pingan-test-consumer-{run}")
    assert sorted(DeadLetter.objects.values_list("reason", flat=True)) == [
        "bad_json",
        "impossible_value",
        "unknown_device",
    ]

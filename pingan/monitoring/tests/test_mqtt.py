"""MQTT against a private Mosquitto started by these tests from bench/mosquitto.conf (the
production-like in-flight and queue settings, persistence on), on a free port — never the system
broker, which other people use.

Killing the consumer abruptly while the simulator publishes, then starting it again with the same
client id, loses no reading and duplicates none: the persistent session keeps what was published
meanwhile, and messages received but not acknowledged are delivered again. Restarting the broker
while a batch is being committed loses and duplicates nothing either."""

import os
import threading
import time
import uuid

import pytest
from django.db import OperationalError

from pingan.monitoring import broker as private
from pingan.monitoring.models import DeadLetter, Reading
from pingan.monitoring.mqtt import Consumer
from pingan.monitoring.simulator import MqttSender, SimSensor, Simulator

from .helpers import make_plant

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def broker():
    if not private.available():
        if os.environ.get("CI"):
            pytest.fail("mosquitto is not installed (.ci/run installs it)")
        pytest.skip("mosquitto is not installed")
    with private.PrivateBroker() as b:
        yield b


def run_consumer(broker, prefix, client_id, group):
    consumer = Consumer(
        broker.url, client_id=client_id, group=group, prefix=prefix, batch_size=50, batch_wait=0.05
    )
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()
    assert consumer.connected.wait(10)
    return consumer, stop, thread


def drop_session(broker, client_id):
    """Leave no persistent session behind in the broker."""
    from pingan.monitoring.mqtt import Broker, make_client

    client = make_client(Broker.parse(broker.url), client_id)
    client.connect("127.0.0.1", broker.port, clean_start=True)
    client.disconnect()


def wait_until(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _holds(predicate):
            return True
        time.sleep(0.1)
    return _holds(predicate)


def _holds(predicate):
    # SQLite's in-memory test database (shared cache) answers "table is locked" instead of waiting
    # while the consumer's thread commits: ask again.
    try:
        return predicate()
    except OperationalError:
        return False


def test_killing_and_restarting_the_consumer_loses_no_reading(world, broker):
    make_plant(world)
    run = uuid.uuid4().hex[:8]
    prefix, client_id, group = f"pingan-test-{run}/v1", f"pingan-test-consumer-{run}", f"g{run}"
    consumer, stop, thread = run_consumer(broker, prefix, client_id, group)

    sensors = [
        SimSensor("QC-GAS-01", "g1", "gas_lel"),
        SimSensor("QC-GAS-01", "p1", "pressure"),
        SimSensor("QC-RAIN-01", "w1", "water_level"),
        SimSensor("YD-GAS-01", "g1", "gas_lel"),
    ]
    sim = Simulator(sensors, seed=3)
    sender = MqttSender(broker.url, client_id=f"pingan-test-sim-{run}", prefix=prefix)
    rounds, t0 = 120, time.time() - 3600
    published = 0
    for i in range(rounds):
        if i == 40:
            consumer.kill()  # mid-stream: some messages received and not yet acknowledged
            thread.join(5)
        if i == 80:
            consumer, stop, thread = run_consumer(broker, prefix, client_id, group)
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
    drop_session(broker, client_id)
    assert Reading.objects.count() == published
    assert not DeadLetter.objects.exists()


def test_malformed_mqtt_messages_land_in_the_dead_letter_table(world, broker):
    make_plant(world)
    run = uuid.uuid4().hex[:8]
    prefix = f"pingan-test-{run}/v1"
    consumer, stop, thread = run_consumer(broker, prefix, f"pingan-test-consumer-{run}", f"g{run}")
    sender = MqttSender(broker.url, client_id=f"pingan-test-sim-{run}", prefix=prefix)
    sender.publisher.publish("QC-GAS-01", b"{oops").wait_for_publish(5)
    sender.publisher.publish("NO-SUCH-DEVICE", b"[]").wait_for_publish(5)
    sender.publisher.publish("QC-GAS-01", b'[{"sensor": "g1", "value": 1e9}]').wait_for_publish(5)
    sender.publisher.publish("QC-GAS-01", b'[{"sensor": "g1", "value": 3}]').wait_for_publish(5)
    sender.close()
    assert wait_until(lambda: DeadLetter.objects.count() == 3 and Reading.objects.count() == 1)
    stop.set()
    thread.join(10)
    drop_session(broker, f"pingan-test-consumer-{run}")
    assert sorted(DeadLetter.objects.values_list("reason", flat=True)) == [
        "bad_json",
        "impossible_value",
        "unknown_device",
    ]


def test_a_broker_restart_mid_batch_loses_and_duplicates_nothing(world, broker):
    """The broker stops (saving its sessions) and comes back while the consumer is inside a batch:
    the batch commits, its acknowledgements are not sent on the new connection (the broker delivers
    those messages again, and ingesting them twice stores nothing twice), and everything published
    before and after the restart is stored exactly once."""
    make_plant(world)
    run = uuid.uuid4().hex[:8]
    prefix, client_id, group = f"pingan-test-{run}/v1", f"pingan-test-consumer-{run}", f"g{run}"
    consumer, stop, thread = run_consumer(broker, prefix, client_id, group)
    in_batch, release = threading.Event(), threading.Event()
    real = consumer.pipeline.ingest_messages
    calls = []

    def held_first_batch(messages, **kw):
        calls.append(len(messages))
        if len(calls) == 1:
            in_batch.set()
            release.wait(30)
        return real(messages, **kw)

    consumer.pipeline.ingest_messages = held_first_batch
    sensors = [SimSensor("QC-GAS-01", "g1", "gas_lel"), SimSensor("YD-GAS-01", "g1", "gas_lel")]
    sim = Simulator(sensors, seed=5)
    t0 = time.time() - 3600
    published = 0

    def publish(rounds, tag):
        nonlocal published
        sender = MqttSender(broker.url, client_id=f"pingan-test-sim-{run}-{tag}", prefix=prefix)
        for i in rounds:
            for code, items in sim.round(t0 + i * 10, 10).items():
                sender.send(code, items)
                published += len(items)
        sender.close()

    publish(range(0, 40), "a")
    assert in_batch.wait(10)
    generation = consumer.generation
    broker.restart()
    assert wait_until(lambda: consumer.connected.is_set() and consumer.generation > generation, 20)
    release.set()  # the held batch commits now, after the restart
    publish(range(40, 80), "b")
    assert wait_until(lambda: Reading.objects.count() >= published, timeout=60), Reading.objects.count()
    time.sleep(0.5)
    stop.set()
    thread.join(10)
    drop_session(broker, client_id)
    assert published == 80 * len(sensors)
    assert Reading.objects.count() == published
    assert not DeadLetter.objects.exists()
    # The held batch's messages came again on the new connection (two devices: two messages a round).
    assert consumer.processed >= 80 * 2 + calls[0]

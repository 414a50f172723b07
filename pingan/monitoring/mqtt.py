"""The MQTT door of the ingestion pipeline.

Topic scheme (documented in README.md of this app)::

    <prefix>/<device_code>/readings      prefix = MQTT_TOPIC_PREFIX, default "pingan/v1"

payload: the same JSON as the HTTP endpoint (an array of readings, or {"readings": [...]}). Devices
publish with QoS 1. The broker authenticates them (per-device user and an ACL that lets user X
publish only to pingan/v1/X/readings — Mosquitto `pattern write pingan/v1/%u/readings`); the
consumer trusts the device code in the topic and dead-letters unknown ones.

The consumer subscribes with MQTT 5 to the shared subscription
`$share/<group>/<prefix>/+/readings`, so several consumers split the load; it connects with
clean_start=False and a session expiry, so the broker keeps what is published while it is down; and
it acknowledges (PUBACK, manual) only after the batch is committed, so a crash before the commit
makes the broker deliver the messages again — harmless, because ingestion is idempotent.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from django.conf import settings
from django.db import close_old_connections, connection
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from pingan.core.context import origin

from .choices import Channel
from .ingest import Pipeline

log = logging.getLogger(__name__)
SESSION_EXPIRY_S = 7 * 24 * 3600


def topic_prefix() -> str:
    return getattr(settings, "MQTT_TOPIC_PREFIX", "pingan/v1").strip("/")


def readings_topic(device_code: str, prefix: str | None = None) -> str:
    return f"{prefix or topic_prefix()}/{device_code}/readings"


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    username: str | None
    password: str | None
    tls: bool

    @classmethod
    def parse(cls, url: str) -> Broker:
        u = urlparse(url if "://" in url else f"mqtt://{url}")
        tls = u.scheme in ("mqtts", "ssl")
        return cls(u.hostname or "127.0.0.1", u.port or (8883 if tls else 1883), u.username, u.password, tls)


def make_client(broker: Broker, client_id: str, *, persistent: bool = True) -> mqtt.Client:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    if broker.username:
        client.username_pw_set(broker.username, broker.password)
    if broker.tls:
        client.tls_set()
    return client


def connect(
    client: mqtt.Client, broker: Broker, *, persistent: bool = True, receive_maximum: int | None = None
) -> None:
    props = Properties(PacketTypes.CONNECT)
    if persistent:
        props.SessionExpiryInterval = SESSION_EXPIRY_S
    if receive_maximum:
        # MQTT 5: how many unacknowledged QoS 1 messages the broker may have in flight to us.
        props.ReceiveMaximum = receive_maximum
    client.connect(broker.host, broker.port, keepalive=30, clean_start=not persistent, properties=props)


class Consumer:
    """Receives on paho's network thread, ingests in batches on the caller's thread, acks after commit.

    A batch is what has arrived, up to `batch_size` messages, gathered for at most `batch_wait`
    seconds after its first message (and no longer than a `gap` of silence): large batches when the
    broker is busy, low latency when it is not. While one batch commits the broker keeps sending up
    to its in-flight window (the consumer asks for `receive_maximum`, the broker's
    `max_inflight_messages` caps it), so the next batch is waiting when the commit returns.
    """

    def __init__(
        self,
        url: str,
        *,
        client_id: str,
        group: str = "pingan-ingest",
        prefix: str | None = None,
        batch_size: int = 1000,
        batch_wait: float = 0.25,
        gap: float = 0.02,
        receive_maximum: int = 2000,
        pipeline: Pipeline | None = None,
    ) -> None:
        self.broker = Broker.parse(url)
        self.prefix = (prefix or topic_prefix()).strip("/")
        self.subscription = f"$share/{group}/{self.prefix}/+/readings"
        self.batch_size = batch_size
        self.batch_wait = batch_wait
        self.gap = gap
        self.receive_maximum = receive_maximum
        self.pipeline = pipeline or Pipeline(Channel.MQTT)
        # (connection generation, message): a message is acknowledged only on the connection that
        # delivered it. After a reconnect the broker redelivers what was unacknowledged under the
        # same packet ids and may reuse an id once it is acknowledged, so an acknowledgement meant
        # for the old connection could otherwise acknowledge a newer, uncommitted message.
        self.inbox: deque[tuple[int, Any]] = deque()
        self.generation = 0
        self.client = make_client(self.broker, client_id)
        self.client.manual_ack_set(True)
        self.client.reconnect_delay_set(min_delay=1, max_delay=10)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message
        self.client.on_disconnect = self._on_disconnect
        self.connected = threading.Event()
        self.processed = 0
        self.batches = 0
        self._killed = False
        self._stopping = False

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if reason.is_failure:
            log.error("MQTT connect refused: %s", reason)
            return
        self.generation += 1
        client.subscribe(self.subscription, options=mqtt.SubscribeOptions(qos=1))
        log.info("MQTT connected (session present: %s), subscribing", flags.session_present)

    def _on_subscribe(self, client: mqtt.Client, userdata: Any, mid: Any, reasons: Any, props: Any) -> None:
        # Ready only once the broker has confirmed the subscription: a shared group with no member
        # yet drops what is published to it.
        self.connected.set()

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        self.connected.clear()
        if not self._killed and not self._stopping:
            log.warning("MQTT disconnected (%s); paho reconnects", reason)

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        self.inbox.append((self.generation, msg))  # deque.append is atomic: no lock needed

    def start(self) -> None:
        # Load the sensors and rules before connecting: the first batch then costs no more than the next.
        self.pipeline.registry.refresh()
        self.pipeline.rulebook.refresh()
        connect(self.client, self.broker, receive_maximum=self.receive_maximum)
        self.client.loop_start()

    def _device_code(self, topic: str) -> str:
        parts = topic.split("/")
        return parts[-2] if len(parts) >= 2 else ""

    def collect(self) -> list[tuple[int, Any]]:
        """The next batch: whatever has arrived, waiting at most `batch_wait` after the first message.

        The inbox is a deque polled in short sleeps rather than a Queue waited on: a Queue wakes this
        thread for every message paho hands over, and that ping-pong for the interpreter lock costs
        more than the messages themselves at thousands per second."""
        inbox = self.inbox
        idle_until = time.monotonic() + 0.5
        while not inbox:
            if time.monotonic() > idle_until or self._killed:
                return []
            time.sleep(0.005)
        deadline = time.monotonic() + self.batch_wait
        batch: list[tuple[int, Any]] = []
        while True:
            while inbox and len(batch) < self.batch_size:
                batch.append(inbox.popleft())
            if len(batch) >= self.batch_size or time.monotonic() >= deadline:
                return batch
            time.sleep(self.gap)
            if not inbox:
                return batch  # the stream paused: commit what there is

    def step(self) -> int:
        """Take one batch from the inbox, ingest it in one transaction, then acknowledge it."""
        batch = self.collect()
        if not batch:
            return 0
        messages = [m for _gen, m in batch]
        began = time.perf_counter()
        failures = 0
        while True:
            try:
                with origin("device"):
                    if failures < 3:
                        self.pipeline.ingest_messages(
                            [(None, self._device_code(m.topic), m.payload) for m in messages],
                            channel=Channel.MQTT,
                        )
                    else:
                        self._one_by_one(messages)
                break
            except Exception:  # noqa: BLE001 - the database is away: keep the batch, do not ack, retry
                if self._killed:
                    return 0
                failures += 1
                log.exception("ingesting an MQTT batch failed (%d); retrying in 2 s", failures)
                close_old_connections()
                time.sleep(2)
        if self._killed:
            return 0  # "crashed" after the commit but before the acks: the broker redelivers
        current = self.generation
        for gen, m in batch:
            # Older connection: the broker delivers it again on this one (ingesting it twice is a no-op).
            if m.qos > 0 and gen == current:
                self.client.ack(m.mid, m.qos)
        self.processed += len(batch)
        self.batches += 1
        log.debug("committed and acknowledged %d messages in %.3f s", len(batch), time.perf_counter() - began)
        return len(batch)

    def _one_by_one(self, batch: list) -> None:
        """A batch that keeps failing: each message alone, so one poisonous message goes to the
        dead-letter table instead of blocking the stream."""
        from .choices import DeadLetterReason
        from .models import DeadLetter

        for m in batch:
            code = self._device_code(m.topic)
            try:
                self.pipeline.ingest_messages([(None, code, m.payload)], channel=Channel.MQTT)
            except Exception as exc:  # noqa: BLE001
                log.exception("MQTT message from %s could not be ingested; dead-lettered", code)
                self.pipeline.invalidate()
                DeadLetter.objects.create(
                    channel=Channel.MQTT,
                    device_code=code[:64],
                    reason=DeadLetterReason.BAD_SHAPE,
                    detail=f"processing error: {exc}"[:300],
                    payload=m.payload.decode("utf-8", "replace")[:2000],
                )

    def run(self, stop: threading.Event) -> None:
        self.start()
        self.serve(stop)

    def serve(self, stop: threading.Event) -> None:
        """Ingest batches until `stop` is set (after `start`)."""
        try:
            while not stop.is_set() and not self._killed:
                self.step()
        finally:
            if not self._killed:
                self._stopping = True
                self.client.disconnect()
                self.client.loop_stop()
            connection.close()  # this thread's database connection

    def kill(self) -> None:
        """Die abruptly (tests): drop the TCP connection with no DISCONNECT and nothing more acknowledged."""
        self._killed = True
        try:
            sock = self.client.socket()
            if sock is not None:
                sock.shutdown(socket.SHUT_RDWR)
                sock.close()
        except OSError:
            pass
        self.client.loop_stop()


class Publisher:
    """A QoS 1 publisher for the simulator and the benchmark."""

    def __init__(self, url: str, client_id: str, prefix: str | None = None) -> None:
        self.broker = Broker.parse(url)
        self.prefix = (prefix or topic_prefix()).strip("/")
        self.client = make_client(self.broker, client_id)
        self.client.max_inflight_messages_set(1000)
        self.client.max_queued_messages_set(0)
        connect(self.client, self.broker, persistent=False)
        self.client.loop_start()

    def publish(self, device_code: str, payload: str | bytes) -> mqtt.MQTTMessageInfo:
        return self.client.publish(readings_topic(device_code, self.prefix), payload, qos=1)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

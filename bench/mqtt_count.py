"""The benchmarks' reference peer: an MQTT subscriber that only counts (run in its own process).

Same protocol, QoS, shared-subscription group and in-flight window as the consumers it is compared
with, acknowledging each message as it arrives — what the broker can deliver, with no work done.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties


def count(url: str, client_id: str, subscription: str, counter: Any, ready: Any, stop: Any) -> None:
    """Count messages on `subscription` into the shared `counter` until `stop` is set."""
    u = urlparse(url)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    seen = [0]

    def on_connect(c: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        c.subscribe(subscription, options=mqtt.SubscribeOptions(qos=1))

    def on_subscribe(c: mqtt.Client, userdata: Any, mid: Any, reasons: Any, props: Any) -> None:
        ready.set()

    def on_message(c: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        seen[0] += 1

    client.on_connect = on_connect
    client.on_subscribe = on_subscribe
    client.on_message = on_message
    props = Properties(PacketTypes.CONNECT)
    props.ReceiveMaximum = 2000
    client.connect(u.hostname or "127.0.0.1", u.port or 1883, clean_start=True, properties=props)
    client.loop_start()
    while not stop.is_set():
        counter.value = seen[0]
        time.sleep(0.005)
    counter.value = seen[0]
    client.disconnect()
    client.loop_stop()

"""Run the MQTT consumer of the ingestion pipeline (started by `make run` when MQTT_URL is set)."""

from __future__ import annotations

import signal
import socket
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pingan.monitoring.mqtt import Consumer


class Command(BaseCommand):
    help = "Consume sensor readings from MQTT (QoS 1, persistent session, MQTT 5 shared subscription)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--url", default=None, help="broker URL (default: MQTT_URL)")
        parser.add_argument(
            "--client-id",
            default=f"pingan-ingest-{socket.gethostname()}",
            help="stable per consumer: the broker keeps this session while it is down",
        )
        parser.add_argument("--group", default="pingan-ingest", help="shared subscription group")
        parser.add_argument("--prefix", default=None, help="topic prefix (default: MQTT_TOPIC_PREFIX)")
        parser.add_argument("--batch", type=int, default=1000, help="most messages committed at once")
        parser.add_argument(
            "--batch-wait",
            type=float,
            default=0.25,
            help="most seconds a batch waits for more messages after its first one (latency bound)",
        )
        parser.add_argument(
            "--receive-maximum",
            type=int,
            default=2000,
            help="unacknowledged messages the broker may send ahead (its max_inflight_messages caps it)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        url = opts["url"] or settings.MQTT_URL
        if not url:
            raise CommandError("MQTT_URL is not set")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        consumer = Consumer(
            url,
            client_id=opts["client_id"],
            group=opts["group"],
            prefix=opts["prefix"],
            batch_size=opts["batch"],
            batch_wait=opts["batch_wait"],
            receive_maximum=opts["receive_maximum"],
        )
        consumer.start()
        consumer.connected.wait(30)
        # One line once connected and subscribed (the benchmarks wait for it).
        self.stdout.write(
            f"consuming {consumer.subscription} from {consumer.broker.host}:{consumer.broker.port} "
            f"as {opts['client_id']}"
        )
        self.stdout.flush()
        consumer.serve(stop)
        self.stdout.write(f"stopped after {consumer.processed} messages in {consumer.batches} batches")

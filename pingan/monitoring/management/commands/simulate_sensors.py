"""Send realistic readings for the demo's (synthetic) sensors over HTTP or MQTT.

    manage.py simulate_sensors --via http --url http://127.0.0.1:8000/api/v1/ingest/readings/
    manage.py simulate_sensors --via mqtt --duration 600 --rate 12

The HTTP door needs device tokens; only their hashes are stored, so the simulator issues fresh
tokens for the synthetic devices it drives (never for real ones).
"""

from __future__ import annotations

import signal
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pingan.monitoring.models import Device, Sensor
from pingan.monitoring.simulator import HttpSender, MqttSender, SimSensor, Simulator, wait_for


class Command(BaseCommand):
    help = "Simulate the demo's sensors (noise, daily cycle, excursions, a device going silent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--via", choices=["http", "mqtt"], default="http")
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000/api/v1/ingest/readings/",
            help="the ingest URL (http) or broker URL (mqtt; default MQTT_URL)",
        )
        parser.add_argument("--duration", type=float, default=0, help="seconds to run (0: until stopped)")
        parser.add_argument("--rate", type=float, default=6, help="readings per sensor per minute")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--silent-after", type=float, default=120, help="one device stops after this many s"
        )
        parser.add_argument(
            "--wait-for-server", action="store_true", help="wait until the web server answers"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        stop = {"now": False}
        signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
        devices = list(Device.objects.filter(is_synthetic=True).exclude(state__in=["retired", "maintenance"]))
        if not devices:
            self.stdout.write("simulator: no synthetic devices (run manage.py seed_demo); idling")
            while not stop["now"]:
                time.sleep(5)
            return
        sensors = [
            SimSensor(d, c, t, lo=lo, hi=hi)
            for d, c, t, lo, hi in Sensor.objects.filter(device__in=devices, is_active=True).values_list(
                "device__code", "code", "type", "min_value", "max_value"
            )
        ]
        silent = sorted(d.code for d in devices if "RAIN" not in d.code)[-1]
        sim = Simulator(sensors, seed=opts["seed"], silent_device=silent, silent_after=opts["silent_after"])
        if opts["via"] == "http":
            if opts["wait_for_server"]:
                # started next to the web server by `make run`: wait for it, however long it takes
                while not wait_for(opts["url"]) and not stop["now"]:
                    self.stdout.write(f"simulator: still waiting for {opts['url']}")
            tokens = {}
            for d in devices:
                tokens[d.code] = d.issue_token()
                d.save(update_fields=["token_hash", "token_hint"])
            sender: Any = HttpSender(opts["url"], tokens)
        else:
            url = opts["url"] if opts["url"].startswith("mqtt") else settings.MQTT_URL
            if not url:
                raise CommandError("--via mqtt needs MQTT_URL or --url mqtt://host:port")
            sender = MqttSender(url)
        step = 60.0 / max(opts["rate"], 0.1)
        self.stdout.write(
            f"simulator: {len(sensors)} sensors on {len(devices)} devices via {opts['via']}, "
            f"every {step:.0f} s; {silent} goes silent after {opts['silent_after']:.0f} s"
        )
        started = time.time()
        sim.kick(started)
        rounds = 0
        while not stop["now"]:
            now = time.time()
            for code, items in sim.round(now, step).items():
                sender.send(code, items)
            rounds += 1
            if hasattr(sender, "flush"):
                sender.flush()
            if opts["duration"] and now - started >= opts["duration"]:
                break
            # Until the next round, waking every half second for a SIGTERM: the platform gives each
            # process 10 s to stop, and a round can be 20 s apart.
            until = now + step
            while not stop["now"] and time.time() < until:
                time.sleep(min(0.5, max(0.0, until - time.time())))
        if hasattr(sender, "close"):
            sender.close()
        self.stdout.write(f"simulator: {rounds} rounds, {sender.sent} readings sent")

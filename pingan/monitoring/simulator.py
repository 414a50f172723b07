"""Realistic synthetic readings for the demo's sensors: noise, a daily cycle, injected excursions
(some hovering at the line, to show hysteresis), rain spells, rare events, and one device that goes
silent (so the offline rule fires). Used by `manage.py simulate_sensors` and by tests."""

from __future__ import annotations

import json
import math
import random
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

# type: (base, noise, daily amplitude, excursion peak)
PROFILES = {
    "gas_lel": (2.0, 0.6, 0.5, 58.0),
    "toxic_gas": (0.8, 0.3, 0.2, 15.0),
    "tank_level": (6.0, 0.01, 0.6, 9.3),
    "temperature": (24.0, 0.4, 5.0, 85.0),
    "pressure": (1.0, 0.02, 0.05, 2.1),
    "water_level": (7.5, 0.004, 0.4, 10.6),
    "wind": (3.0, 1.0, 1.5, 19.0),
    "slope": (0.0, 0.05, 0.0, 0.0),
    "strain": (120.0, 4.0, 25.0, 380.0),
    "deflection": (12.0, 0.3, 3.0, 42.0),
    "rainfall": (0.0, 0.0, 0.0, 0.0),
}
EVENT_TYPES = {"smoke", "fire", "traffic_event", "camera_event"}


@dataclass
class SimSensor:
    device_code: str
    code: str
    type: str
    phase: float = 0.0
    excursion_until: float = 0.0
    excursion_start: float = 0.0
    slope_mm: float = 0.0
    # The sensor's own possible range, where it has one (a waterlogging depth of 0–3 m is a
    # water_level sensor whose river profile, around 7.5 m, would be refused as impossible).
    lo: float | None = None
    hi: float | None = None


@dataclass
class Simulator:
    sensors: list[SimSensor]
    seed: int = 7
    excursion_chance: float = 0.004  # per sensor per reading
    silent_device: str | None = None  # stops reporting after `silent_after` seconds
    silent_after: float = 120.0
    rain_until: float = 0.0
    rng: random.Random = field(init=False)
    started: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        for s in self.sensors:
            s.phase = self.rng.uniform(0, 2 * math.pi)

    def kick(self, now: float, n: int = 3) -> None:
        """Start a few excursions at once (so a new demo shows alarms within a minute)."""
        candidates = [
            s for s in self.sensors if s.type in ("gas_lel", "water_level", "pressure", "temperature")
        ]
        for s in self.rng.sample(candidates, min(n, len(candidates))):
            s.excursion_start, s.excursion_until = now, now + self.rng.uniform(180, 420)
        self.rain_until = now + 1800

    def value(self, s: SimSensor, now: float, step: float) -> float | None:
        if s.type in EVENT_TYPES:
            return 1.0 if self.rng.random() < self.excursion_chance / 4 else 0.0
        if s.type == "rainfall":
            if now < self.rain_until:
                return round(max(0.0, self.rng.gauss(5.5 * step / 600, 1.0 * step / 600)), 2)  # ≈ 33 mm/h
            if self.rng.random() < self.excursion_chance / 10:
                self.rain_until = now + self.rng.uniform(1800, 4 * 3600)
            return 0.0
        base, noise, daily, peak = PROFILES.get(s.type, (1.0, 0.1, 0.0, 2.0))
        if s.hi is not None and peak > s.hi:
            # The type's profile does not fit this sensor's range: near its floor, excursions to a
            # quarter of the range (enough to cross a lifeline template's levels now and then).
            floor = s.lo if s.lo is not None else 0.0
            span = s.hi - floor
            base, noise, daily, peak = floor + 0.02 * span, 0.002 * span, 0.0, floor + 0.25 * span
        if s.type == "slope":
            s.slope_mm += self.rng.gauss(0.001, 0.01) * step / 60
            if now < s.excursion_until:
                s.slope_mm += 1.0 * step / 60
            return round(s.slope_mm, 3)
        day = math.sin(2 * math.pi * ((now + 8 * 3600) % 86400) / 86400 + s.phase)
        v = base + daily * day + self.rng.gauss(0, noise)
        if now < s.excursion_until:
            # ramp up, hover near the peak (and around the first line), ramp down
            span = s.excursion_until - s.excursion_start
            x = (now - s.excursion_start) / span if span else 1.0
            shape = math.sin(math.pi * min(max(x, 0.0), 1.0))
            v = v + (peak - base) * shape + self.rng.gauss(0, noise * 3)
        elif self.rng.random() < self.excursion_chance:
            s.excursion_start, s.excursion_until = now, now + self.rng.uniform(120, 600)
        lo = 0.0 if s.type not in ("temperature",) else -40.0
        if s.lo is not None:
            lo = max(lo, s.lo)
        v = max(lo, v)
        return round(min(v, s.hi) if s.hi is not None else v, 3)

    def round(self, now: float, step: float) -> dict[str, list[dict]]:
        """One reading per sensor, grouped by device code."""
        if not self.started:
            self.started = now
        out: dict[str, list[dict]] = {}
        for s in self.sensors:
            if s.device_code == self.silent_device and now - self.started > self.silent_after:
                continue
            v = self.value(s, now, step)
            if v is None:
                continue
            item = {"sensor": s.code, "ts": round(now, 3), "value": v}
            out.setdefault(s.device_code, []).append(item)
        return out


class HttpSender:
    def __init__(self, url: str, tokens: dict[str, str]) -> None:
        self.url = url
        self.tokens = tokens
        self.sent = 0
        self.failed = 0

    def send(self, device_code: str, items: list[dict]) -> None:
        token = self.tokens.get(device_code)
        if not token:
            return
        req = urllib.request.Request(
            self.url,
            data=json.dumps(items).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Device {token}"},
        )
        try:
            with urllib.request.urlopen(req, timeout=20) as resp:
                resp.read()
            self.sent += len(items)
        except (urllib.error.URLError, OSError) as exc:
            self.failed += len(items)
            if self.failed <= 3 or self.failed % 1000 == 0:
                print(f"simulator: POST failed ({exc}); continuing")


class MqttSender:
    def __init__(self, url: str, client_id: str = "pingan-simulator", prefix: str | None = None) -> None:
        from .mqtt import Publisher

        self.publisher = Publisher(url, client_id, prefix)
        self.sent = 0
        self.pending: list = []

    def send(self, device_code: str, items: list[dict]) -> None:
        self.pending.append(self.publisher.publish(device_code, json.dumps(items)))
        self.sent += len(items)
        if len(self.pending) > 500:
            self.flush()

    def flush(self) -> None:
        for info in self.pending:
            info.wait_for_publish(timeout=30)
        self.pending.clear()

    def close(self) -> None:
        self.flush()
        self.publisher.close()


def wait_for(url: str, timeout: float = 180.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            # OPTIONS: the ingest URL answers it (200) without a 405 warning in the server's log.
            urllib.request.urlopen(urllib.request.Request(url, method="OPTIONS"), timeout=5).read()
            return True
        except urllib.error.HTTPError:
            return True  # it answers
        except (urllib.error.URLError, OSError):
            time.sleep(2)
    return False

"""manage.py soak — a bounded soak of the whole platform (`make soak`; minutes, not hours).

Starts the web (gunicorn, as `make run` does) and the huey worker (and the MQTT consumer when
MQTT_URL is set) on the current database, registers N simulated sensors, then for --seconds runs at
once: citizens reporting through Open311 and reading their tracking page, staff signed in working the
hazard list, map and alarm console, and the sensors sending readings over HTTP (and MQTT for half of
the devices when a broker is configured). With --faults a web worker is killed (gunicorn replaces it)
and the huey worker killed and restarted during the run.

Report: requests served, p95 per endpoint, server errors (5xx), readings sent = readings stored, and
the resident memory of each process at start and end. Exit status 1 on any server error or lost
reading. Rate limits are lifted for the soak's own processes (all load comes from one address).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pingan.core.demo_accounts import DEMO_ACCOUNTS
from pingan.org.choices import STAFF_ROLES

PER_DEVICE = 10
# The staff threads sign in as the demo seed's government accounts (the first five of them).
STAFF_LOGINS = tuple(username for username, role, *_ in DEMO_ACCOUNTS if role in STAFF_ROLES)[:5]


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    try:
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False
        )
    except OSError:
        return []
    return [int(x) for x in out.stdout.split()]


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.status: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.conn_errors = 0
        self.readings_sent = 0

    def add(self, name: str, status: int, seconds: float) -> None:
        with self.lock:
            self.times[name].append(seconds)
            self.status[name][status] += 1

    def server_errors(self) -> int:
        return sum(n for codes in self.status.values() for code, n in codes.items() if code >= 500)


class Browser:
    """A tiny HTTP client with cookies (one per simulated person)."""

    def __init__(self, base: str, stats: Stats) -> None:
        self.base = base
        self.stats = stats
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(
        self,
        name: str,
        path: str,
        data: dict | bytes | None = None,
        headers: dict | None = None,
        retries: int = 2,
    ) -> tuple[int, bytes]:
        body = urllib.parse.urlencode(data).encode() if isinstance(data, dict) else data
        for attempt in range(retries + 1):
            req = urllib.request.Request(
                self.base + path,
                data=body,
                headers=headers or {},
                method="POST" if body is not None else "GET",
            )
            started = time.perf_counter()
            try:
                with self.opener.open(req, timeout=60) as resp:
                    content = resp.read()
                    status = resp.status
            except urllib.error.HTTPError as exc:
                content, status = exc.read(), exc.code
            except (urllib.error.URLError, OSError):
                # A killed worker drops its connections: the client retries, as a browser would.
                with self.stats.lock:
                    self.stats.conn_errors += 1
                if attempt == retries:
                    return 0, b""
                time.sleep(0.5)
                continue
            self.stats.add(name, status, time.perf_counter() - started)
            return status, content
        return 0, b""

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")


class Command(BaseCommand):
    help = "Bounded soak: citizens, staff, N sensors over HTTP/MQTT and background jobs at once; prints the figures."  # noqa: E501

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seconds", type=int, default=120)
        parser.add_argument("--sensors", type=int, default=10000)
        parser.add_argument(
            "--interval", type=float, default=30.0, help="seconds between two readings of a sensor"
        )
        parser.add_argument("--citizens", type=int, default=3)
        parser.add_argument("--staff", type=int, default=3)
        parser.add_argument("--port", type=int, default=8199)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument(
            "--faults", action="store_true", help="kill a web worker and restart the huey worker mid-run"
        )

    def handle(self, *args: Any, **o: Any) -> None:
        tokens = self._sensors(o["sensors"])
        base = f"http://127.0.0.1:{o['port']}"
        env = {
            **os.environ,
            "PINGAN_DEMO": os.environ.get("PINGAN_DEMO", "1"),
            "SIMULATE_SENSORS": "0",
            **{f"RATELIMIT_{k.upper()}": "1000000/m" for k in settings.RATELIMITS},
        }
        manage = [sys.executable, "manage.py"]
        procs: dict[str, subprocess.Popen] = {
            "web": subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "pingan.config.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{o['port']}",
                    "--workers",
                    str(o["workers"]),
                    "--threads",
                    "4",
                    "--worker-class",
                    "gthread",
                    "--timeout",
                    "60",
                    "--log-level",
                    "warning",
                ],
                env=env,
                start_new_session=True,
            ),
            "worker": subprocess.Popen(manage + ["run_huey", "--quiet"], env=env, start_new_session=True),
        }
        mqtt_url = settings.MQTT_URL
        if mqtt_url:
            procs["mqtt"] = subprocess.Popen(manage + ["mqtt_consume"], env=env, start_new_session=True)
        stats = Stats()
        try:
            self._wait(base)
            time.sleep(2)
            mem_start = self._memory(procs)
            self._run(o, base, tokens, stats, procs, env, manage, mqtt_url)
            mem_end = self._memory(procs)
            stored = self._stored_after_drain(stats.readings_sent)
        finally:
            for proc in procs.values():
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGTERM)
            for proc in procs.values():
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
        self._report(stats, mem_start, mem_end, stored, o)
        if stats.server_errors() or stored != stats.readings_sent:
            raise CommandError("soak FAILED: server errors or lost readings (see above)")

    # --- setup -----------------------------------------------------------------------------------
    def _sensors(self, n: int) -> dict[str, str]:
        from pingan.geo.models import Division
        from pingan.monitoring.models import Device, Reading, Sensor
        from pingan.monitoring.thresholds import ensure_default_rules
        from pingan.org.models import Department

        ensure_default_rules()
        city = Division.objects.filter(level="city").first()
        dept = Department.objects.filter(division=city).first()
        if city is None or dept is None:
            raise CommandError("no demo data: run `make demo` (manage.py seed_demo) first")
        old = Sensor.objects.filter(device__code__startswith="SOAK-")
        Reading.objects.filter(sensor__in=old).delete()
        Device.objects.filter(code__startswith="SOAK-").delete()
        tokens: dict[str, str] = {}
        devices = []
        for d in range((n + PER_DEVICE - 1) // PER_DEVICE):
            dev = Device(
                code=f"SOAK-{d:05d}",
                name=f"soak {d}",
                division=city,
                department=dept,
                lat=city.lat,
                lon=city.lon,
            )
            tokens[dev.code] = dev.issue_token()
            devices.append(dev)
        Device.objects.bulk_create(devices, batch_size=1000)
        by_code = dict(Device.objects.filter(code__startswith="SOAK-").values_list("code", "id"))
        types = [("gas_lel", "%LEL", 0, 100), ("water_level", "m", 0, 50), ("pressure", "MPa", 0, 10)]
        sensors = []
        for i in range(n):
            stype, unit, lo, hi = types[i % 3 if i % 10 else 0]
            sensors.append(
                Sensor(
                    device_id=by_code[f"SOAK-{i // PER_DEVICE:05d}"],
                    code=f"s{i % PER_DEVICE}",
                    name=f"soak {i}",
                    type=stype,
                    unit=unit,
                    min_value=lo,
                    max_value=hi,
                    division=city,
                    department=dept,
                    lat=city.lat,
                    lon=city.lon,
                )
            )
        Sensor.objects.bulk_create(sensors, batch_size=1000)
        self.stdout.write(f"soak: {len(devices)} devices, {n} sensors registered")
        return tokens

    def _wait(self, base: str) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/", timeout=5).read()
                return
            except (urllib.error.URLError, OSError):
                time.sleep(1)
        raise CommandError("the web server did not start")

    def _memory(self, procs: dict[str, subprocess.Popen]) -> dict[str, int]:
        out = {}
        for name, proc in procs.items():
            out[name] = rss_kb(proc.pid)
            for i, child in enumerate(children(proc.pid)):
                out[f"{name}[{i}]"] = rss_kb(child)
        return out

    # --- load ------------------------------------------------------------------------------------
    def _run(
        self,
        o: dict,
        base: str,
        tokens: dict[str, str],
        stats: Stats,
        procs: dict,
        env: dict,
        manage: list[str],
        mqtt_url: str,
    ) -> None:
        from pingan.core.demo_accounts import DEMO_PASSWORD
        from pingan.hazards.models import Category

        stop = threading.Event()
        categories = list(Category.objects.filter(is_active=True).values_list("code", flat=True)) or [
            "fire_exit"
        ]
        rng = random.Random(7)

        def citizen(n: int) -> None:
            b = Browser(base, stats)
            while not stop.is_set():
                status, body = b.request(
                    "open311 POST",
                    "/open311/v2/requests.json",
                    {
                        "service_code": rng.choice(categories),
                        "lat": f"{23.6 + rng.random() / 5:.5f}",
                        "long": f"{113.0 + rng.random() / 5:.5f}",
                        "description": f"软测 {n} 楼道堆物 {time.time():.0f}",
                    },
                )
                if status == 201:
                    token = json.loads(body)[0]["token"]
                    b.request("track page", f"/report/track/{token}/")
                b.request("open311 list", "/open311/v2/requests.json")
                stop.wait(1.0)

        def staff(n: int) -> None:
            b = Browser(base, stats)
            b.request("login page", "/accounts/login/")
            who = STAFF_LOGINS[n % len(STAFF_LOGINS)]
            b.request(
                "login POST",
                "/accounts/login/",
                {"username": who, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": b.csrf()},
                headers={"Referer": base + "/accounts/login/"},
            )
            pages = [
                "/console/",
                "/console/hazards/",
                "/console/hazards/map/",
                "/console/monitoring/",
                "/console/monitoring/map/",
                "/api/v1/hazards/?page=1",
                "/api/v1/alarms/",
            ]
            while not stop.is_set():
                path = rng.choice(pages)
                b.request(path.split("?")[0], path)
                stop.wait(0.5)

        devices = sorted(tokens)
        mqtt_devices = set(devices[::2]) if mqtt_url else set()
        sender = None
        if mqtt_url:
            from pingan.monitoring.simulator import MqttSender

            sender = MqttSender(mqtt_url, client_id=f"pingan-soak-{os.getpid()}")

        def sensors(part: int, parts: int) -> None:
            b = Browser(base, stats)
            mine = devices[part::parts]
            while not stop.is_set():
                started = time.time()
                for code in mine:
                    if stop.is_set():
                        return
                    items = [
                        {"sensor": f"s{i}", "ts": round(time.time(), 3), "value": round(rng.uniform(1, 9), 2)}
                        for i in range(PER_DEVICE)
                    ]
                    if code in mqtt_devices and sender is not None:
                        with stats.lock:
                            sender.send(code, items)
                            stats.readings_sent += len(items)
                        continue
                    status, body = b.request(
                        "ingest HTTP",
                        "/api/v1/ingest/readings/",
                        json.dumps(items).encode(),
                        {"Content-Type": "application/json", "Authorization": f"Device {tokens[code]}"},
                    )
                    if status == 200:
                        with stats.lock:
                            stats.readings_sent += json.loads(body)["accepted"]
                stop.wait(max(0.0, o["interval"] - (time.time() - started)))

        threads = (
            [threading.Thread(target=citizen, args=(i,)) for i in range(o["citizens"])]
            + [threading.Thread(target=staff, args=(i,)) for i in range(o["staff"])]
            + [threading.Thread(target=sensors, args=(i, 4)) for i in range(4)]
        )
        for t in threads:
            t.start()
        t0 = time.monotonic()
        faults_done: set[str] = set()
        while time.monotonic() - t0 < o["seconds"]:
            elapsed = time.monotonic() - t0
            if o["faults"] and "web" not in faults_done and elapsed > o["seconds"] / 3:
                workers = children(procs["web"].pid)
                if workers:
                    os.kill(workers[0], signal.SIGKILL)
                    self.stdout.write(f"fault: killed web worker {workers[0]} (gunicorn replaces it)")
                faults_done.add("web")
            if o["faults"] and "worker" not in faults_done and elapsed > o["seconds"] / 2:
                os.killpg(procs["worker"].pid, signal.SIGKILL)
                procs["worker"].wait()
                procs["worker"] = subprocess.Popen(
                    manage + ["run_huey", "--quiet"], env=env, start_new_session=True
                )
                self.stdout.write("fault: killed and restarted the huey worker")
                faults_done.add("worker")
            time.sleep(1)
        stop.set()
        for t in threads:
            t.join(90)
        if sender is not None:
            sender.close()

    def _stored_after_drain(self, sent: int) -> int:
        from pingan.monitoring.models import Reading

        deadline = time.monotonic() + 120
        stored = 0
        while time.monotonic() < deadline:
            stored = Reading.objects.filter(sensor__device__code__startswith="SOAK-").count()
            if stored >= sent:
                break
            time.sleep(2)
        return stored

    # --- report ----------------------------------------------------------------------------------
    def _report(self, stats: Stats, start: dict[str, int], end: dict[str, int], stored: int, o: dict) -> None:
        total = sum(len(v) for v in stats.times.values())
        w = self.stdout.write
        w("")
        w(
            f"soak: {o['seconds']} s, {o['sensors']} sensors every {o['interval']:g} s, {o['citizens']} citizens, "  # noqa: E501
            f"{o['staff']} staff{', with faults' if o['faults'] else ''}"
        )
        w(
            f"requests served: {total}   server errors (5xx): {stats.server_errors()}   "
            f"client connection retries: {stats.conn_errors}"
        )
        w(f"{'endpoint':<28}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}  statuses")
        for name in sorted(stats.times):
            times = sorted(stats.times[name])
            p50 = times[len(times) // 2] * 1000
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))] * 1000
            codes = " ".join(f"{c}×{n}" for c, n in sorted(stats.status[name].items()))
            w(f"{name:<28}{len(times):>7}{p50:>9.0f}{p95:>9.0f}  {codes}")
        w(
            f"readings sent (accepted): {stats.readings_sent}   stored: {stored}   "
            f"{'OK' if stored == stats.readings_sent else 'LOST ' + str(stats.readings_sent - stored)}"
        )
        w("memory (RSS MB) start → end:")
        for name in sorted(set(start) | set(end)):
            w(f"  {name:<12} {start.get(name, 0) / 1024:7.1f} → {end.get(name, 0) / 1024:7.1f}")

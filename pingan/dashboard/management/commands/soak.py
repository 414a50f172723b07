"""manage.py soak — a bounded soak of the whole platform (`make soak`; minutes, not hours).

Starts the web (gunicorn, as `make run` does) and the huey worker (and the MQTT consumer when
MQTT_URL is set) on the current database, registers N simulated sensors, then for --seconds runs at
once: citizens reporting through Open311 and reading their tracking page, staff signed in working the
hazard list, map and alarm console, and the sensors sending readings over HTTP (and MQTT for half of
the devices when a broker is configured).

Faults: `--faults` (= `--faults=processes`) kills a web worker (gunicorn replaces it), and kills and
restarts the huey worker and the MQTT consumer during the run. `--faults=all` also restarts the MQTT
broker (`mosquitto -d -c /etc/mosquitto/mosquitto.conf`) and PostgreSQL once (`pg_ctlcluster`): it
needs a local broker and cluster it may restart, and disturbs everything else using them, so it is
never part of the test suite.

To show that everything catches up, the soak also plants drills: deadlines falling due in the middle
of the faults (each must be reminded and escalated by the reconciler) and a gas spike on some sensors
after the faults (each must raise its alarm, and the alarms' notifications must all be delivered or
waiting for their next retry, none overdue).

Report: requests served, p95 per endpoint, server errors (5xx; those while PostgreSQL was down are
counted apart), readings sent (accepted, or acknowledged by the broker) = readings stored, the
catch-up counts, and the resident memory of each process at start and end. Exit status 1 on any
server error outside the database outage, lost reading or drill not caught up. Rate limits are lifted
for the soak's own processes (all load comes from one address).
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
DRILL_DEADLINES = 20  # deadlines falling due during the faults
SPIKE_DEVICES = 20  # devices whose gas sensor (s0) reads 30 %LEL after the faults: one alarm each
SPIKE_VALUE = 30.0  # over the default gas-lel rule's first level (25 %LEL)
DRILL_KIND = "soak.drill"
FAULT_CHOICES = ("processes", "all")
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
        # 5xx answered while PostgreSQL was being restarted (expected: the database was down).
        self.db_down: list[float] = []  # [start, end] of the restart window, monotonic
        self.errors_during_db_outage = 0
        self.errors_outside = 0

    def add(self, name: str, status: int, seconds: float) -> None:
        with self.lock:
            self.times[name].append(seconds)
            self.status[name][status] += 1
            if status >= 500:
                now = time.monotonic()
                start = self.db_down[0] if self.db_down else None
                end = self.db_down[1] if len(self.db_down) > 1 else None
                # A request started while the database was down (it ran up to `seconds` ago), or
                # within 5 s after it came back (connections being re-made), counts to the outage.
                if (
                    start is not None
                    and now - seconds >= start - 1
                    and (end is None or now - seconds <= end + 5)
                ):
                    self.errors_during_db_outage += 1
                else:
                    self.errors_outside += 1

    def server_errors(self) -> int:
        return sum(n for codes in self.status.values() for code, n in codes.items() if code >= 500)


class AckedSender:
    """MQTT publisher that counts a reading as sent only once the broker acknowledged it (PUBACK):
    what a device would consider delivered. Publishing while the broker is down fails fast."""

    def __init__(self, url: str, client_id: str, prefix: str) -> None:
        from pingan.monitoring.mqtt import Publisher

        self.publisher = Publisher(url, client_id, prefix)
        self.lock = threading.Lock()
        self.pending: list[tuple[Any, int]] = []
        self.acked = 0
        self.unacked = 0

    def send(self, device_code: str, items: list[dict]) -> None:
        with self.lock:
            self.pending.append((self.publisher.publish(device_code, json.dumps(items)), len(items)))
            if len(self.pending) > 500:
                self._flush()

    def _flush(self) -> None:
        until = time.monotonic() + 30  # for the whole batch: a dead broker must not stall for each
        for info, n in self.pending:
            try:
                info.wait_for_publish(timeout=max(0.01, until - time.monotonic()))
            except (RuntimeError, ValueError):
                pass  # not connected: not sent
            if info.is_published():
                self.acked += n
            else:
                self.unacked += n
        self.pending.clear()

    def close(self) -> None:
        with self.lock:
            self._flush()
        self.publisher.close()


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
            "--faults",
            nargs="?",
            const="processes",
            default="",
            choices=FAULT_CHOICES,
            help="processes (the default with --faults): kill a web worker, the huey worker and the MQTT "
            "consumer mid-run; all: also restart the MQTT broker and PostgreSQL once",
        )
        parser.add_argument(
            "--drain", type=int, default=150, help="seconds to wait at the end for everything to catch up"
        )

    def handle(self, *args: Any, **o: Any) -> None:
        from django.utils import timezone

        if o["faults"] == "all" and not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
            raise CommandError("--faults=all restarts PostgreSQL: run it with DATABASE_URL=postgres://…")
        tokens = self._sensors(o["sensors"])
        self._devices = sorted(tokens)
        started_at = timezone.now()
        self._plant_deadlines(o["seconds"])
        base = f"http://127.0.0.1:{o['port']}"
        # The soak's own topic prefix and consumer group: other brokers' users are not disturbed.
        prefix = f"pingan-soak-{o['port']}"
        env = {
            **os.environ,
            "PINGAN_DEMO": os.environ.get("PINGAN_DEMO", "1"),
            "SIMULATE_SENSORS": "0",
            "MQTT_TOPIC_PREFIX": prefix,
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
        consumer = manage + ["mqtt_consume", "--client-id", f"{prefix}-ingest", "--group", prefix]
        if mqtt_url:
            procs["mqtt"] = subprocess.Popen(consumer, env=env, start_new_session=True)
        self.starters = {
            "worker": manage + ["run_huey", "--quiet"],
            "mqtt": consumer,
        }
        stats = Stats()
        try:
            self._wait(base)
            time.sleep(2)
            mem_start = self._memory(procs)
            self._run(o, base, tokens, stats, procs, env, manage, mqtt_url, prefix)
            mem_end = self._memory(procs)
            stored = self._stored_after_drain(stats.readings_sent, o["drain"])
            caught_up = self._catch_up(started_at, o["drain"], procs, env)
        finally:
            for proc in procs.values():
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGTERM)
            for proc in procs.values():
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
        self._report(stats, mem_start, mem_end, stored, o, caught_up)
        if stats.errors_outside or stored < stats.readings_sent or not caught_up["ok"]:
            raise CommandError(
                "soak FAILED: server errors, lost readings or a drill not caught up (see above)"
            )

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
        prefix: str,
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
        sender: AckedSender | None = None
        if mqtt_url:
            sender = AckedSender(mqtt_url, f"pingan-soak-{os.getpid()}", prefix)

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
                        sender.send(code, items)  # counted as sent when acknowledged (AckedSender)
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
        plan = self._fault_plan(o["faults"], bool(mqtt_url))
        while time.monotonic() - t0 < o["seconds"]:
            elapsed = time.monotonic() - t0
            for at, name in plan:
                if name not in faults_done and elapsed > o["seconds"] * at:
                    faults_done.add(name)
                    self._fault(name, procs, env, stats)
            if "spike" not in faults_done and elapsed > o["seconds"] * 0.7:
                faults_done.add("spike")
                self._spike(base, tokens, devices, mqtt_devices, sender, stats)
            self._supervise(procs, env)
            time.sleep(1)
        stop.set()
        for t in threads:
            t.join(90)
        if sender is not None:
            sender.close()
            with stats.lock:
                stats.readings_sent += sender.acked
            self.mqtt_unacked = sender.unacked

    # --- faults ----------------------------------------------------------------------------------
    @staticmethod
    def _fault_plan(faults: str, mqtt: bool) -> list[tuple[float, str]]:
        """(share of the run, fault) in order; the drills' deadlines fall due at 0.55."""
        if not faults:
            return []
        plan = [(0.2, "web"), (0.3, "worker")]
        if mqtt:
            plan.append((0.4, "mqtt"))
        if faults == "all":
            if mqtt:
                plan.append((0.5, "broker"))
            plan.append((0.55, "postgres"))
        return plan

    def _fault(self, name: str, procs: dict, env: dict, stats: Stats) -> None:
        w = self.stdout.write
        if name == "web":
            workers = children(procs["web"].pid)
            if workers:
                os.kill(workers[0], signal.SIGKILL)
                w(f"fault: killed web worker {workers[0]} (gunicorn replaces it)")
        elif name in ("worker", "mqtt"):
            os.killpg(procs[name].pid, signal.SIGKILL)
            procs[name].wait()
            time.sleep(3)  # down for a moment: work piles up (queued tasks, retained MQTT session)
            procs[name] = subprocess.Popen(self.starters[name], env=env, start_new_session=True)
            what = "huey worker" if name == "worker" else "MQTT consumer"
            w(f"fault: killed (SIGKILL) and restarted the {what}")
        elif name == "broker":
            self._restart_broker()
        elif name == "postgres":
            with stats.lock:
                stats.db_down[:] = [time.monotonic()]
            out = self._restart_postgres()
            with stats.lock:
                stats.db_down.append(time.monotonic())
            w(f"fault: restarted PostgreSQL ({out}); down {stats.db_down[1] - stats.db_down[0]:.1f} s")

    def _restart_broker(self) -> None:
        """Kill the system broker by the pid in its pid file and start it again (persistence on)."""
        conf = "/etc/mosquitto/mosquitto.conf"
        pid_file = "/run/mosquitto/mosquitto.pid"
        try:
            with open(pid_file) as fh:
                pid = int(fh.read().strip())
        except (OSError, ValueError):
            self.stdout.write(f"fault: broker not restarted (no pid in {pid_file})")
            return
        os.kill(pid, signal.SIGTERM)
        for _ in range(50):
            if not os.path.exists(f"/proc/{pid}"):
                break
            time.sleep(0.1)
        started = time.monotonic()
        time.sleep(3)
        subprocess.run(["mosquitto", "-d", "-c", conf], check=True)
        down = time.monotonic() - started
        self.stdout.write(
            f"fault: stopped the MQTT broker (pid {pid}) and started it again after {down:.1f} s"
        )

    def _restart_postgres(self) -> str:
        version = sorted(os.listdir("/etc/postgresql"))[-1]
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
            check=True,
            capture_output=True,
        )
        return f"pg_ctlcluster {version} main restart"

    def _supervise(self, procs: dict, env: dict) -> None:
        """A process that died by itself (not by a planted fault) is restarted, as runplatform does,
        and said so: the report then shows it."""
        for name, argv in self.starters.items():
            proc = procs.get(name)
            if proc is not None and proc.poll() is not None:
                self.stdout.write(f"note: {name} exited with {proc.returncode}; restarted")
                procs[name] = subprocess.Popen(argv, env=env, start_new_session=True)

    # --- drills ----------------------------------------------------------------------------------
    def _plant_deadlines(self, seconds: int) -> None:
        """DRILL_DEADLINES deadlines on soak devices, reminded at 45 % of the run and due at 55 %
        (in the middle of the faults): the reconciler must remind and escalate every one."""
        from datetime import timedelta

        from django.utils import timezone

        from pingan.core import deadlines
        from pingan.core.models import Deadline
        from pingan.monitoring.models import Device

        Deadline.objects.filter(kind=DRILL_KIND).delete()
        now = timezone.now()
        due = now + timedelta(seconds=seconds * 0.55)
        for dev in Device.objects.filter(code__startswith="SOAK-").order_by("code")[:DRILL_DEADLINES]:
            deadlines.create(
                dev,
                kind=DRILL_KIND,
                title=f"soak drill {dev.code}",
                due_at=due,
                starts_at=now,
                remind_before=timedelta(seconds=seconds * 0.1),
                division=dev.division,
                department=dev.department,
            )

    def _spike(
        self,
        base: str,
        tokens: dict[str, str],
        devices: list[str],
        mqtt_devices: set[str],
        sender: AckedSender | None,
        stats: Stats,
    ) -> None:
        """One gas reading of SPIKE_VALUE on s0 of the first SPIKE_DEVICES devices (HTTP and MQTT)."""
        b = Browser(base, stats)
        for code in devices[:SPIKE_DEVICES]:
            items = [{"sensor": "s0", "ts": round(time.time(), 3), "value": SPIKE_VALUE}]
            if code in mqtt_devices and sender is not None:
                sender.send(code, items)
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
        self.stdout.write(
            f"drill: gas spike ({SPIKE_VALUE:g} %LEL) on {min(SPIKE_DEVICES, len(devices))} sensors"
        )

    def _catch_up(self, since: Any, drain: int, procs: dict, env: dict) -> dict[str, Any]:
        """Wait (up to `drain` s) until the drills caught up; the counts for the report."""
        from datetime import timedelta

        from django.db import close_old_connections, connection
        from django.db.models import Count
        from django.utils import timezone

        from pingan.core.models import Deadline
        from pingan.monitoring.models import Alarm
        from pingan.notify.choices import DeliveryStatus
        from pingan.notify.models import Delivery, Message

        connection.close()  # the database may have been restarted under this process's connection
        expected_alarms = min(SPIKE_DEVICES, len(self._devices))
        deadline = time.monotonic() + drain
        while True:
            close_old_connections()
            drills = Deadline.objects.filter(kind=DRILL_KIND)
            now = timezone.now()
            counts: dict[str, Any] = {
                "deadlines": drills.count(),
                "reminded": drills.exclude(reminded_at=None).count(),
                "escalated": drills.exclude(escalated_at=None).count(),
                "alarms_expected": expected_alarms,
                "alarms": Alarm.objects.filter(
                    sensor__device__code__startswith="SOAK-", sensor__code="s0", raised_at__gte=since
                ).count(),
                "deliveries": dict(
                    Delivery.objects.filter(created_at__gte=since)
                    .order_by()
                    .values_list("status")
                    .annotate(n=Count("id"))
                    .values_list("status", "n")
                ),
                "inbox": Message.objects.filter(created_at__gte=since).count(),
                "deliveries_overdue": Delivery.objects.filter(
                    created_at__gte=since,
                    status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING, DeliveryStatus.SENDING],
                    next_attempt_at__lt=now - timedelta(seconds=90),
                ).count(),
            }
            counts["ok"] = (
                counts["reminded"] == counts["escalated"] == counts["deadlines"] == DRILL_DEADLINES
                and counts["alarms"] >= expected_alarms
                and counts["deliveries_overdue"] == 0
            )
            if counts["ok"] or time.monotonic() > deadline:
                return counts
            self._supervise(procs, env)
            time.sleep(3)

    def _stored_after_drain(self, sent: int, drain: int) -> int:
        from django.db import close_old_connections, connection

        from pingan.monitoring.models import Reading

        connection.close()  # the database may have been restarted under this process's connection
        deadline = time.monotonic() + drain
        stored = 0
        while time.monotonic() < deadline:
            close_old_connections()
            stored = Reading.objects.filter(sensor__device__code__startswith="SOAK-").count()
            if stored >= sent:
                break
            time.sleep(2)
        return stored

    # --- report ----------------------------------------------------------------------------------
    def _report(
        self, stats: Stats, start: dict[str, int], end: dict[str, int], stored: int, o: dict, caught: dict
    ) -> None:
        total = sum(len(v) for v in stats.times.values())
        w = self.stdout.write
        w("")
        w(
            f"soak: {o['seconds']} s, {o['sensors']} sensors every {o['interval']:g} s, {o['citizens']} citizens, "  # noqa: E501
            f"{o['staff']} staff{', faults: ' + o['faults'] if o['faults'] else ''}"
        )
        w(
            f"requests served: {total}   server errors (5xx): {stats.errors_outside}"
            f" (+ {stats.errors_during_db_outage} while PostgreSQL was restarting)   "
            f"client connection retries: {stats.conn_errors}"
        )
        w(f"{'endpoint':<28}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}  statuses")
        for name in sorted(stats.times):
            times = sorted(stats.times[name])
            p50 = times[len(times) // 2] * 1000
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))] * 1000
            codes = " ".join(f"{c}×{n}" for c, n in sorted(stats.status[name].items()))
            w(f"{name:<28}{len(times):>7}{p50:>9.0f}{p95:>9.0f}  {codes}")
        lost = stats.readings_sent - stored
        extra = (
            f" ({-lost} more stored than counted: retried after a lost answer, or published unacknowledged)"
        )
        w(
            f"readings sent (accepted or acknowledged): {stats.readings_sent}   stored: {stored}   "
            f"{'OK' if lost <= 0 else 'LOST ' + str(lost)}"
            f"{extra if lost < 0 else ''}"
            f"   MQTT not acknowledged (not sent): {getattr(self, 'mqtt_unacked', 0)}"
        )
        w(
            f"catch-up: deadlines reminded {caught['reminded']}/{caught['deadlines']}, escalated "
            f"{caught['escalated']}/{caught['deadlines']}; alarms raised {caught['alarms']}/"
            f"{caught['alarms_expected']}; inbox messages {caught['inbox']}; "
            f"deliveries {caught['deliveries']}, "
            f"overdue {caught['deliveries_overdue']}"
            f"   {'OK' if caught['ok'] else 'NOT CAUGHT UP'}"
        )
        w("memory (RSS MB) start → end:")
        for name in sorted(set(start) | set(end)):
            w(f"  {name:<12} {start.get(name, 0) / 1024:7.1f} → {end.get(name, 0) / 1024:7.1f}")

"""Scale-out check (`make bench-scaleout`): the soak mix with one and with two of each process kind.

For each configuration (1, then 2): that many gunicorn web workers, huey workers and MQTT consumers
(`manage.py mqtt_consume`, one shared-subscription group) against the same PostgreSQL, Redis and a
private Mosquitto started from bench/mosquitto.conf. The load is the soak's (pingan/dashboard/
management/commands/soak.py, reused as is): citizens, staff and sensors over HTTP and MQTT, the
sensors sending as fast as they can. Prints per configuration: HTTP requests served per second (p95
per kind), readings committed per second (HTTP and MQTT, counting the drain after the load stops) and
the ratios two/one — and where the CPU went (bench/cpu.py, from /proc): CPU seconds of the web
workers, the huey workers, the MQTT consumers, the PostgreSQL backends of this database and the load
generator, the box's busy share (every process on it, anyone's), and the work done per CPU-second of
each kind. On a two-core box the sum saturates the cores before k=2 can double anything: the per
CPU-second figures show whether a process kind got slower per unit of work (it would not scale) or
only ran out of cores (it would, on more).

Machines of a fixed size (--cpu-quota, cores per process; default 0.15): on a two-core box the
processes of k=2 would otherwise share the same two cores as k=1's and nothing could double. Each
process runs in its own CPU cgroup capped at that many cores (gunicorn's k workers share a cap of
k × quota), as if each were a machine of that size; PostgreSQL, the broker and the load generator
are not capped, so what stops the doubling is the database or the load generator, as it would be
across machines. Where no cgroup can be made (not root, no cpu controller) the run says so and the
processes run uncapped. --cpu-quota 0 runs uncapped on purpose.

Needs DATABASE_URL (PostgreSQL, a demo database: `make demo` on it first) and REDIS_URL.
Options: --seconds S (per configuration) --sensors N --citizens N --staff N --configs 1,2 --cpu-quota C
"""

from __future__ import annotations

import sys

if sys.path and sys.path[0].endswith("bench"):
    sys.path.pop(0)  # bench/warnings.py would shadow the standard library's warnings

import argparse
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))  # bench/cpu.py, after the standard library
RUN = uuid.uuid4().hex[:6]
# Topics of this run only (the broker is private anyway); set before Django reads its settings.
os.environ["MQTT_TOPIC_PREFIX"] = f"pingan-scaleout-{RUN}/v1"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingan.config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("PINGAN_DEMO", "1")  # the demo settings (secret key, hosts) on any database


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--sensors", type=int, default=2000)
    parser.add_argument("--citizens", type=int, default=6)
    parser.add_argument("--staff", type=int, default=6)
    parser.add_argument("--configs", default="1,2")
    parser.add_argument("--port", type=int, default=8103)
    parser.add_argument("--interval", type=float, default=0.0, help="seconds between a sensor's readings")
    parser.add_argument("--drain", type=float, default=300, help="most seconds to wait for the MQTT backlog")
    parser.add_argument(
        "--cpu-quota", type=float, default=0.15, help="cores per process (its own cgroup); 0: uncapped"
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("bench-scaleout needs DATABASE_URL (PostgreSQL with the demo data) and REDIS_URL")

    from pingan.monitoring.broker import PrivateBroker

    with PrivateBroker() as broker:
        os.environ["MQTT_URL"] = broker.url
        import django

        django.setup()

        from pingan.dashboard.management.commands.soak import Command as Soak
        from pingan.dashboard.management.commands.soak import Stats

        results = []
        for k in [int(x) for x in args.configs.split(",")]:
            soak = Soak(stdout=sys.stdout, stderr=sys.stderr)
            results.append((k, run_config(soak, Stats(), k, args, broker.url)))
    base = results[0][1]
    print()
    print(
        f"{'processes of each kind':<24}{'HTTP req/s':>12}{'readings/s':>12}"
        f"{'MQTT drain s':>14}{'  undrained':>11}"
    )
    for k, r in results:
        print(f"{k:<24}{r['rps']:>12.1f}{r['readings_s']:>12.0f}{r['drain_s']:>14.1f}{r['lost']:>11}")
    for k, r in results[1:]:
        print(
            f"ratio {k}/{results[0][0]}: HTTP requests {r['rps'] / base['rps']:.2f}×, "
            f"readings committed {r['readings_s'] / base['readings_s']:.2f}×"
        )
    print(f"CPU per process: {results[0][1]['quota']}")
    print(f"\nCPU seconds during the load ({os.cpu_count()} cores on this box):")
    kinds = ["web", "huey", "mqtt", "postgres", "load generator"]
    print(f"{'k':<4}" + "".join(f"{kd:>16}" for kd in kinds) + f"{'sum / wall':>12}{'box busy':>10}")
    for k, r in results:
        cpu = r["cpu"]
        print(
            f"{k:<4}"
            + "".join(f"{cpu.get(kd, 0.0):>16.1f}" for kd in kinds)
            + f"{sum(cpu.values()) / r['wall']:>11.2f}c{100 * r['box_busy']:>9.0f}%"
        )
    print("\nwork per CPU-second (of that kind; constant when a kind scales, lower when it contends):")
    for k, r in results:
        cpu = r["cpu"]
        web, mq, pg = cpu.get("web", 0.0), cpu.get("mqtt", 0.0), cpu.get("postgres", 0.0)
        print(
            f"k={k}: HTTP requests per web CPU-s {r['requests'] / web if web else float('nan'):.1f}; "
            f"readings committed per (web + MQTT consumer) CPU-s "
            f"{r['stored'] / (web + mq) if web + mq else float('nan'):,.0f}; "
            f"requests + readings per PostgreSQL CPU-s "
            f"{(r['requests'] + r['stored']) / pg if pg else float('nan'):,.0f}"
        )


def run_config(soak, stats, k: int, args, mqtt_url: str) -> dict:  # noqa: ANN001
    from pingan.monitoring.models import Reading

    tokens = soak._sensors(args.sensors)
    soak.starters = {}  # the soak restarts its own processes; these are this benchmark's, not restarted
    base = f"http://127.0.0.1:{args.port}"
    env = {
        **os.environ,
        "PINGAN_DEMO": os.environ.get("PINGAN_DEMO", "1"),
        "SIMULATE_SENSORS": "0",
        **{f"RATELIMIT_{name.upper()}": "1000000/m" for name in _ratelimits()},
    }
    manage = [sys.executable, "manage.py"]
    gunicorn = [
        sys.executable,
        "-m",
        "gunicorn",
        "pingan.config.wsgi:application",
        "--bind",
        f"127.0.0.1:{args.port}",
    ]
    quota = CpuQuota(args.cpu_quota)
    procs = {
        "web": subprocess.Popen(
            quota.wrap(f"web-{k}", k)
            + gunicorn
            + ["--workers", str(k), "--threads", "4", "--worker-class", "gthread", "--log-level", "warning"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
    }
    for i in range(k):
        procs[f"worker{i}"] = subprocess.Popen(
            quota.wrap(f"huey-{k}-{i}") + manage + ["run_huey", "--quiet"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        procs[f"mqtt{i}"] = subprocess.Popen(
            quota.wrap(f"mqtt-{k}-{i}")
            + manage
            + ["mqtt_consume", "--client-id", f"scaleout-{RUN}-{k}-{i}", "--group", f"scaleout{RUN}{k}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
    o = {
        "seconds": args.seconds,
        # 0: sensors send as fast as they can, so the offered load exceeds what k processes serve and the
        # figures are capacities, not the offered rate.
        "interval": args.interval,
        "citizens": args.citizens,
        "staff": args.staff,
        "faults": False,
    }
    from cpu import CpuMeter
    from django.db import connection

    groups = {"web": procs["web"].pid}
    groups |= {f"huey{i}": procs[f"worker{i}"].pid for i in range(k)}
    groups |= {f"mqtt{i}": procs[f"mqtt{i}"].pid for i in range(k)}
    try:
        soak._wait(base)
        time.sleep(2)
        before = Reading.objects.filter(sensor__device__code__startswith="SOAK-").count()
        meter = CpuMeter(groups, db_name=connection.settings_dict["NAME"])
        with meter:  # from the first request to the end of the MQTT drain
            started = time.monotonic()
            soak._run(o, base, tokens, stats, procs, env, manage, mqtt_url, os.environ["MQTT_TOPIC_PREFIX"])
            load_s = time.monotonic() - started
            t = time.monotonic()
            stored = 0
            while time.monotonic() - t < args.drain:
                stored = Reading.objects.filter(sensor__device__code__startswith="SOAK-").count()
                if stored >= stats.readings_sent:
                    break
                # Not faster: each look counts millions of rows, and that CPU would be charged to the
                # database's column of this configuration.
                time.sleep(2.0)
            drain_s = time.monotonic() - t
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        quota.remove()
    caught = dict.fromkeys(
        ("reminded", "deadlines", "escalated", "alarms", "alarms_expected", "inbox", "deliveries"), "-"
    ) | {"deliveries_overdue": "-", "ok": True}  # the soak's catch-up check is not part of this bench
    soak._report(stats, {}, {}, stored, {**o, "sensors": args.sensors}, caught)
    total = sum(len(v) for v in stats.times.values())
    per_kind: dict[str, float] = {}
    for name, secs in meter.seconds().items():
        kind = name.rstrip("0123456789") if name.startswith(("huey", "mqtt")) else name
        per_kind[kind] = per_kind.get(kind, 0.0) + secs
    return {
        "rps": total / load_s,
        "readings_s": stored / (load_s + drain_s),
        "drain_s": drain_s,
        "lost": stats.readings_sent - stored,
        "requests": total,
        "stored": stored - before,
        "cpu": per_kind,
        "wall": meter.wall(),
        "box_busy": meter.box_busy(),
        "quota": quota.describe(),
    }


class CpuQuota:
    """A CPU cgroup per process (cgroup v1 `cpu` controller, or v2 with `cpu` enabled), each capped at
    `cores` × its share: a command is wrapped so that it enters its group before it execs, and so do
    the children it forks (gunicorn's workers)."""

    V1 = Path("/sys/fs/cgroup/cpu")
    V2 = Path("/sys/fs/cgroup")
    PERIOD_US = 100_000

    def __init__(self, cores: float) -> None:
        self.cores = cores
        self.made: list[Path] = []
        self.root: Path | None = None
        self.why = "uncapped (--cpu-quota 0)" if cores <= 0 else ""
        if cores > 0:
            for base, probe in ((self.V1, "cpu.cfs_quota_us"), (self.V2, "cgroup.controllers")):
                if (base / probe).exists() and os.access(base, os.W_OK):
                    if base == self.V2 and "cpu" not in (base / "cgroup.subtree_control").read_text():
                        continue
                    self.root = base / f"pingan-scaleout-{RUN}"
                    try:
                        self.root.mkdir(exist_ok=True)
                    except OSError as exc:
                        self.root, self.why = None, f"uncapped: no cgroup ({exc})"
                    break
            else:
                self.why = "uncapped: no writable cpu cgroup on this machine"

    def wrap(self, name: str, share: int = 1) -> list[str]:
        if self.root is None:
            return []
        group = self.root / name
        group.mkdir(exist_ok=True)
        self.made.append(group)
        quota = int(self.cores * share * self.PERIOD_US)
        if (group / "cpu.cfs_quota_us").exists():
            (group / "cpu.cfs_period_us").write_text(str(self.PERIOD_US))
            (group / "cpu.cfs_quota_us").write_text(str(quota))
        else:
            (group / "cpu.max").write_text(f"{quota} {self.PERIOD_US}")
        return ["sh", "-c", f'echo $$ > {group / "cgroup.procs"} && exec "$@"', "sh"]

    def describe(self) -> str:
        return f"{self.cores:g} core per process (cgroup)" if self.root is not None else self.why

    def remove(self) -> None:
        for group in reversed(self.made):
            for _ in range(50):  # the processes have exited; the kernel lets go of the group shortly
                try:
                    group.rmdir()
                    break
                except OSError:
                    time.sleep(0.1)
        self.made.clear()
        if self.root is not None:
            try:
                self.root.rmdir()
            except OSError:
                pass


def _ratelimits() -> list[str]:
    from django.conf import settings

    return list(settings.RATELIMITS)


if __name__ == "__main__":
    main()

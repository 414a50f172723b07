"""Ingestion benchmark (`make bench-ingest`): rule evaluation, evaluation + storage against storage
alone, the pipeline against a naive ORM version, and MQTT end to end against a counting subscriber —
each peer run in the same process, the ratios printed.

Workload: 10,000 sensors × 60 readings (one a minute for an hour) with a rule mix of 70 % threshold
(two levels with hysteresis), 20 % rate of change and 10 % duration (three samples over the line),
with injected excursions, flapping around the line (hysteresis keeps it to one alarm) and flapping
across both lines (several alarms). The alarm count of the pipeline must equal the count computed
here independently (a plain re-implementation of the three rules, not pingan.monitoring.rules).

1. Rule evaluation alone: pingan.monitoring.rules.evaluate over every reading (readings/s).
2. Evaluation + storage through the pipeline (Pipeline.ingest_many, batches of --batch readings in one
   transaction each) vs storing the same rows with no rules (ingest.store_readings) — target ≥ 0.7.
3. The pipeline vs a naive version (each reading created through the ORM, then a query for the open
   alarm, then the alarm created or updated) on a subset (--naive-sensors) — target ≥ 100×.
4. MQTT end to end through the local Mosquitto (publish → consumer → committed rows) vs a subscriber
   that only counts the same messages (--mqtt-rounds readings per sensor); skipped if no broker.
5. Peak memory: tracemalloc peak of a separate evaluation pass, and the process's max RSS.

Runs on a fresh SQLite file in a temporary directory by default (a few minutes); on PostgreSQL with
DATABASE_URL=postgres://…/pingan_bench (a dedicated database: its monitoring tables are emptied).

Options: --sensors N --readings N --batch N --naive-sensors N --mqtt-rounds N --mqtt-url URL --skip-mqtt
"""

from __future__ import annotations

import sys

if sys.path and sys.path[0].endswith("bench"):
    sys.path.pop(0)  # bench/warnings.py would shadow the standard library's warnings

import argparse
import os
import random
import resource
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("PINGAN_VAR_DIR", tempfile.mkdtemp(prefix="pingan-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingan.config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("PINGAN_DEMO", "1")  # a bench database, not a deployment: no production settings needed

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

# --- the rules of the workload (as data for the pipeline, re-implemented below for the check) -------
GAS = {
    "levels": [
        {"severity": 2, "on": 25, "off": 20, "label": "一级"},
        {"severity": 4, "on": 50, "off": 45, "label": "二级"},
    ]
}
RATE = {"levels": [{"severity": 2, "on": 0.5, "off": 0.3, "label": "陡涨"}]}
DURATION = {"levels": [{"severity": 3, "on": 2.0, "off": 1.9, "label": "超压"}], "for_samples": 3}


def make_series(n_sensors: int, n_readings: int, seed: int = 42) -> tuple[list[str], list[list[float]]]:
    """Per sensor: its kind and its values. Excursions, flapping at the line, flapping across lines."""
    rng = random.Random(seed)
    kinds, series = [], []
    for i in range(n_sensors):
        r = i % 10
        kind = "threshold" if r < 7 else ("rate" if r < 9 else "duration")
        kinds.append(kind)
        roll = rng.random()
        if kind == "threshold":
            v = [max(0.0, 3 + rng.gauss(0, 1.0)) for _ in range(n_readings)]
            if roll < 0.05:  # excursion up to level 4 and back
                s = rng.randrange(5, n_readings - 20)
                for k in range(15):
                    v[s + k] = 30 + 25 * (1 - abs(k - 7) / 7) + rng.gauss(0, 1)
            elif roll < 0.08:  # hovering at the line: 24–26 and never below 20 → one alarm
                s = rng.randrange(5, n_readings - 25)
                for k in range(20):
                    v[s + k] = 25 + rng.uniform(-1.5, 1.5)
            elif roll < 0.10:  # flapping across both lines → several alarms
                s = rng.randrange(5, n_readings - 25)
                for k in range(20):
                    v[s + k] = 30.0 if k % 4 < 2 else 10.0
        elif kind == "rate":
            level, v = 5.0, []
            burst = rng.randrange(5, n_readings - 10) if roll < 0.10 else -1
            for k in range(n_readings):
                level += rng.gauss(0, 0.02) + (0.8 if burst <= k < burst + 4 else 0.0)
                v.append(round(level, 4))
        else:
            v = [1.0 + rng.gauss(0, 0.05) for _ in range(n_readings)]
            if roll < 0.10:  # over the line for 2 samples (no alarm) then for 5 (alarm)
                s = rng.randrange(5, n_readings - 15)
                v[s], v[s + 1] = 2.2, 2.3
                for k in range(4, 9):
                    v[s + k] = 2.1 + rng.uniform(0, 0.2)
        series.append(v)
    return kinds, series


def independent_alarm_count(kinds: list[str], series: list[list[float]], step: float) -> int:
    """Alarms expected: times a sensor goes from no level to some level (a rising level raises the
    same alarm), written from the rule definitions, independently of pingan.monitoring.rules."""
    raises = 0
    for kind, values in zip(kinds, series, strict=True):
        level, prev, pending = 0, None, 0
        for x in values:
            if kind == "threshold":
                new = 0
                if x >= 25 or (level >= 2 and x >= 20):
                    new = 2
                if x >= 50 or (level >= 4 and x >= 45):
                    new = 4
                if level == 0 and new > 0:
                    raises += 1
                level = new
            elif kind == "rate":
                if prev is not None:
                    rate = (x - prev) * 60.0 / step
                    new = 2 if (rate >= 0.5 or (level and rate >= 0.3)) else 0
                    if level == 0 and new:
                        raises += 1
                    level = new
                prev = x
            else:
                over = x >= 2.0 or (level and x >= 1.9)
                if level:
                    level = 3 if over else 0
                elif over:
                    pending += 1
                    if pending >= 3:
                        level, pending = 3, 0
                        raises += 1
                else:
                    pending = 0
    return raises


def setup_db(n_sensors: int) -> dict:
    from pingan.geo.models import Division
    from pingan.monitoring.models import Alarm, DeadLetter, Device, Reading, Rule, Sensor, SensorState
    from pingan.org.models import Department

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        for model in (Alarm, Reading, SensorState, DeadLetter, Sensor, Rule, Device):
            model.objects.all().delete()
        city, _ = Division.objects.get_or_create(
            code="441800", defaults={"name": "清远市", "level": "city", "lat": 23.7, "lon": 113.0}
        )
        dept, _ = Department.objects.get_or_create(
            code="bench-em",
            defaults={"name": "bench", "sector": "emergency", "kind": "bureau", "division": city},
        )
        rules = {
            "threshold": Rule.objects.create(
                code="b-gas", name="bench threshold", sensor_type="gas_lel", kind="threshold", params=GAS
            ),
            "rate": Rule.objects.create(
                code="b-rate", name="bench rate", sensor_type="water_level", kind="rate", params=RATE
            ),
            "duration": Rule.objects.create(
                code="b-dur", name="bench duration", sensor_type="pressure", kind="threshold", params=DURATION
            ),
        }
        per_device = 10
        devices = Device.objects.bulk_create(
            [
                Device(code=f"B{d:05d}", name=f"bench {d}", division=city, department=dept)
                for d in range(n_sensors // per_device)
            ]
        )
        if devices[0].pk is None:
            devices = list(Device.objects.order_by("code"))
        type_of = {"threshold": "gas_lel", "rate": "water_level", "duration": "pressure"}
        sensors = []
        for i in range(n_sensors):
            kind = "threshold" if i % 10 < 7 else ("rate" if i % 10 < 9 else "duration")
            sensors.append(
                Sensor(
                    device=devices[i // per_device],
                    code=f"s{i % per_device}",
                    name=f"s{i}",
                    type=type_of[kind],
                    unit="",
                    division=city,
                    department=dept,
                )
            )
        Sensor.objects.bulk_create(sensors, batch_size=1000)
    ids = list(Sensor.objects.order_by("device__code", "code").values_list("id", flat=True))
    codes = list(Sensor.objects.order_by("device__code", "code").values_list("device__code", "code"))
    return {"ids": ids, "codes": codes, "rules": rules, "city": city}


def clear_readings() -> None:
    from pingan.core.models import AuditEvent  # noqa: F401 - audit rows stay (append-only)
    from pingan.monitoring.models import Alarm, Reading, SensorState

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(f"TRUNCATE {Reading._meta.db_table}")
        else:
            Reading.objects.all().delete()
        Alarm.objects.all().delete()
        SensorState.objects.all().delete()


def fmt(x: float) -> str:
    return f"{x:,.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sensors", type=int, default=10_000)
    parser.add_argument("--readings", type=int, default=60)
    parser.add_argument("--batch", type=int, default=50_000, help="readings per transaction")
    parser.add_argument("--naive-sensors", type=int, default=100)
    parser.add_argument("--mqtt-rounds", type=int, default=20, help="readings per sensor sent over MQTT")
    parser.add_argument(
        "--mqtt-url",
        default="",
        help="an existing broker (default: a private Mosquitto from bench/mosquitto.conf)",
    )
    parser.add_argument("--mqtt-port", type=int, default=18830, help="port of the private Mosquitto")
    parser.add_argument("--consumers", type=int, default=2, help="MQTT consumer processes (one shared group)")
    parser.add_argument("--skip-mqtt", action="store_true")
    parser.add_argument("--only-mqtt", action="store_true", help="set up, then only the MQTT measure")
    args = parser.parse_args()

    from pingan.monitoring import rules as R
    from pingan.monitoring.ingest import Pipeline, RuleBook, store_readings
    from pingan.monitoring.models import Alarm, Reading

    n, m = args.sensors, args.readings
    step = 60.0
    print(
        f"Ping'an ingestion benchmark — {n:,} sensors × {m} readings = {n * m:,} readings; "
        f"database: {connection.vendor} ({connection.settings_dict['NAME']})"
    )
    kinds, series = make_series(n, m)
    expected = independent_alarm_count(kinds, series, step)
    db = setup_db(n)
    ids = db["ids"]
    t0 = time.time() - (m + 5) * step
    rows_by_time = [[(ids[i], t0 + j * step, series[i][j]) for i in range(n)] for j in range(m)]
    all_rows = [r for rows in rows_by_time for r in rows]
    if args.only_mqtt:
        mqtt_bench(args, db, series, n, step, time.time() - args.mqtt_rounds * step)
        return

    # 1. evaluation alone (the specs the pipeline compiles from the rule rows)
    pipeline = Pipeline("http", notify_alarms=False)
    pipeline.registry.refresh(force=True)
    book: RuleBook = pipeline.rulebook
    book.refresh(force=True)
    specs = [book.for_sensor(pipeline.registry.by_id[sid]) for sid in ids]
    index = {sid: k for k, sid in enumerate(ids)}
    states: list[dict] = [{} for _ in ids]
    transitions = 0
    started = time.perf_counter()
    evaluate = R.evaluate
    for sid, ts, value in all_rows:
        k = index[sid]
        transitions += len(evaluate(specs[k], states[k], ts, value))
    eval_s = time.perf_counter() - started
    print(
        f"\n1. rule evaluation alone: {fmt(len(all_rows) / eval_s)} readings/s "
        f"({eval_s:.2f} s, {transitions:,} transitions)"
    )

    # 2. storage alone, then evaluation + storage, same rows, same batch size
    batches = [all_rows[i : i + args.batch] for i in range(0, len(all_rows), args.batch)]
    started = time.perf_counter()
    for b in batches:
        with transaction.atomic():
            store_readings(b)
    store_s = time.perf_counter() - started
    assert Reading.objects.count() == len(all_rows)
    clear_readings()
    pipeline = Pipeline("http", notify_alarms=False)
    started = time.perf_counter()
    for b in batches:
        pipeline.ingest_many(b)
    full_s = time.perf_counter() - started
    stored = Reading.objects.count()
    alarms = Alarm.objects.count()
    ratio = store_s / full_s
    print(f"2. storage alone:          {fmt(len(all_rows) / store_s)} readings/s ({store_s:.2f} s)")
    print(
        f"   evaluation + storage:   {fmt(len(all_rows) / full_s)} readings/s ({full_s:.2f} s, "
        f"batches of {args.batch:,}) → ratio {ratio:.2f} (target ≥ 0.7)"
    )
    print(
        f"   alarms: {alarms:,} in the database, {expected:,} counted independently → "
        f"{'EQUAL' if alarms == expected else 'DIFFERENT'}; {stored:,} readings stored"
    )
    # a replay of the last batch changes nothing
    pipeline.ingest_many(batches[-1])
    assert Reading.objects.count() == stored and Alarm.objects.count() == alarms, "replay changed something"
    print("   replay of the last batch: no new readings, no new alarms")

    # 3. naive ORM version on a subset, against the pipeline on the same subset
    k = args.naive_sensors
    subset_ids = ids[:k]
    sub_rows = [(sid, ts, v) for rows in rows_by_time for (sid, ts, v) in rows[:k]]
    clear_readings()
    naive_alarms, naive_s = naive_run(
        sub_rows, {sid: kinds[index[sid]] for sid in subset_ids}, db["rules"], step
    )
    clear_readings()
    p2 = Pipeline("http", notify_alarms=False)
    # Warm, as the HTTP pipeline of a running server is (and as the naive loop's sensors are loaded
    # before its clock starts): the sensor and rule caches are not part of the per-reading cost.
    p2.registry.refresh(force=True)
    p2.rulebook.refresh(force=True)
    started = time.perf_counter()
    for i in range(0, len(sub_rows), args.batch):
        p2.ingest_many(sub_rows[i : i + args.batch])
    sub_s = time.perf_counter() - started
    sub_expected = independent_alarm_count(
        [kinds[index[s]] for s in subset_ids], [series[index[s]] for s in subset_ids], step
    )
    # Same rows, same database: the subset figure is the like-for-like speed-up; the full-size pipeline
    # (a 60× larger table and state) against the naive subset is shown as the conservative one.
    speed_sub = (len(sub_rows) / sub_s) / (len(sub_rows) / naive_s)
    speed_full = (len(all_rows) / full_s) / (len(sub_rows) / naive_s)
    print(
        f"3. naive ORM (create each reading, query the open alarm) on {k} sensors: "
        f"{fmt(len(sub_rows) / naive_s)} readings/s ({naive_s:.2f} s), alarms {naive_alarms} "
        f"(independent {sub_expected})"
    )
    print(
        f"   pipeline on the same subset: {fmt(len(sub_rows) / sub_s)} readings/s → speed-up {speed_sub:.0f}× "  # noqa: E501
        f"(target ≥ 100×); the full-size pipeline rate against it: {speed_full:.0f}×"
    )

    # 4. MQTT end to end
    mqtt_ratio = None
    if not args.skip_mqtt:
        mqtt_ratio = mqtt_bench(args, db, series, n, step, time.time() - args.mqtt_rounds * step)

    # 5. peak memory of the evaluator state and transitions (a separate pass with tracemalloc on)
    tracemalloc.start()
    states = [{} for _ in ids]
    for sid, ts, value in all_rows:
        kk = index[sid]
        evaluate(specs[kk], states[kk], ts, value)
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"5. peak memory: evaluation state for {n:,} sensors {peak / 2**20:.1f} MiB (tracemalloc); "
        f"process max RSS {rss:.0f} MiB (includes the {len(all_rows):,} generated readings)"
    )
    ok = alarms == expected
    print(
        f"\nSUMMARY evaluation {fmt(len(all_rows) / eval_s)}/s · eval+storage {fmt(len(all_rows) / full_s)}/s · "  # noqa: E501
        f"ratio {ratio:.2f} · speed-up {speed_sub:.0f}× (full-size {speed_full:.0f}×) · alarms {'equal' if ok else 'DIFFERENT'}"  # noqa: E501
        + (f" · MQTT/counting {mqtt_ratio:.2f}" if mqtt_ratio is not None else "")
    )
    if not ok:
        sys.exit(1)


def naive_run(rows: list, kind_of: dict, rules: dict, step: float) -> tuple[int, float]:
    """What a straightforward ORM implementation does per reading (autocommit, one row at a time)."""
    from pingan.monitoring.models import Alarm, Reading, Sensor

    sensors = {s.pk: s for s in Sensor.objects.filter(pk__in=kind_of.keys())}
    from datetime import UTC, datetime

    started = time.perf_counter()
    for sid, ts, value in sorted(rows, key=lambda r: r[1]):
        sensor = sensors[sid]
        kind = kind_of[sid]
        when = datetime.fromtimestamp(ts, UTC)
        Reading.objects.create(sensor=sensor, ts=when, value=value)
        rule = rules[kind]
        alarm = Alarm.objects.filter(sensor=sensor, rule=rule, is_active=True).first()
        level = alarm.level if alarm else 0
        if kind == "threshold":
            new = 0
            if value >= 25 or (level >= 2 and value >= 20):
                new = 2
            if value >= 50 or (level >= 4 and value >= 45):
                new = 4
        elif kind == "rate":
            prev = Reading.objects.filter(sensor=sensor, ts__lt=when).order_by("-ts").first()
            if prev is None:
                continue
            rate = (value - prev.value) * 60.0 / step
            new = 2 if (rate >= 0.5 or (level and rate >= 0.3)) else 0
        else:
            recent = list(
                Reading.objects.filter(sensor=sensor, ts__lte=when)
                .order_by("-ts")
                .values_list("value", flat=True)[:3]
            )
            if level:
                new = 3 if value >= 1.9 else 0
            else:
                new = 3 if len(recent) == 3 and all(v >= 2.0 for v in recent) else 0
        if alarm is None and new:
            Alarm.objects.create(
                sensor=sensor,
                rule=rule,
                severity=new,
                level=new,
                raised_at=when,
                title=sensor.name,
                division_id=sensor.division_id,
                trigger_value=value,
                last_value=value,
            )
        elif alarm is not None:
            if new == 0:
                alarm.set_state("cleared_unack")
                alarm.cleared_at = when
            alarm.level = new
            alarm.severity = max(alarm.severity, new)
            alarm.last_value = value
            alarm.save()
    return Alarm.objects.count(), time.perf_counter() - started


def start_consumers(url: str, n: int, run: str, prefix: str, env: dict | None = None) -> list:
    """n `manage.py mqtt_consume` processes in one shared-subscription group; returns once each has
    connected and subscribed (their sensors and rules loaded)."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    procs = []
    for i in range(n):
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "mqtt_consume",
                    "--url",
                    url,
                    "--client-id",
                    f"bench-consumer-{run}-{i}",
                    "--group",
                    f"bench{run}",
                    "--prefix",
                    prefix,
                ],
                cwd=root,
                env=env or os.environ.copy(),
                stdout=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
        )
    for proc in procs:
        line = proc.stdout.readline()
        if not line.startswith("consuming"):
            raise RuntimeError(f"consumer did not start: {line!r}")
    return procs


def stop_consumers(procs: list) -> None:
    import signal
    import subprocess

    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def count_peer(url: str, n: int, run: str, prefix: str, messages: list) -> float:
    """Seconds for n counting subscribers (own processes, one shared group) to receive every message."""
    import multiprocessing as mp

    from pingan.monitoring.mqtt import Publisher

    # Appended, not inserted first: a spawned child re-runs this script, whose first lines drop a
    # leading bench/ from sys.path (bench/warnings.py would shadow the standard library's).
    sys.path.append(str(Path(__file__).resolve().parent))
    import mqtt_count

    ctx = mp.get_context("spawn")
    stop = ctx.Event()
    counters = [ctx.Value("q", 0) for _ in range(n)]
    readies = [ctx.Event() for _ in range(n)]
    procs = [
        ctx.Process(
            target=mqtt_count.count,
            args=(url, f"bench-count-{run}-{i}", f"$share/count{run}/{prefix}/+/readings", c, r, stop),
            daemon=True,
        )
        for i, (c, r) in enumerate(zip(counters, readies, strict=True))
    ]
    for proc in procs:
        proc.start()
    for r in readies:
        r.wait(30)
    pub = Publisher(url, f"bench-pub-count-{run}", prefix=prefix)
    started = time.perf_counter()
    for dev, payload in messages:
        pub.publish(dev, payload)
    deadline = time.monotonic() + 300
    while sum(c.value for c in counters) < len(messages) and time.monotonic() < deadline:
        time.sleep(0.002)
    elapsed = time.perf_counter() - started
    pub.close()
    stop.set()
    for proc in procs:
        proc.join(10)
    return elapsed


def mqtt_bench(args, db: dict, series: list, n: int, step: float, t_start: float) -> float | None:
    """Publish the same messages to n counting subscribers, then to n consumers (committed rows);
    returns the ratio of the two rates."""
    import json

    from pingan.monitoring.broker import PrivateBroker, available, port_open
    from pingan.monitoring.models import Reading
    from pingan.monitoring.mqtt import Publisher

    broker = None
    url = args.mqtt_url
    if not url:
        if not available():
            print("4. MQTT: mosquitto is not installed; skipped")
            return None
        port = args.mqtt_port
        broker = PrivateBroker(port if not port_open(port) else None).start()
        url = broker.url
    try:
        return _mqtt_bench(args, db, series, n, step, t_start, url, json, Reading, Publisher)
    finally:
        if broker is not None:
            broker.stop()


def _mqtt_bench(args, db, series, n, step, t_start, url, json, Reading, Publisher) -> float:
    # The workload of sections 2 and 3 (its excursions and alarm mix), one message per device and
    # minute with its ten sensors' readings.
    rounds = min(args.mqtt_rounds, len(series[0]))
    by_device: dict[str, list[tuple[str, int]]] = {}
    for i, (dev, code) in enumerate(db["codes"]):
        by_device.setdefault(dev, []).append((code, i))
    messages = []
    for j in range(rounds):
        ts = t_start + j * step
        for dev, codes in by_device.items():
            messages.append(
                (
                    dev,
                    json.dumps([{"sensor": c, "ts": ts, "value": round(series[i][j], 4)} for c, i in codes]),
                )
            )
    total_readings = rounds * n
    run = uuid.uuid4().hex[:8]
    k = args.consumers

    # peer: subscribers that only count (as many as there are consumers, same group shape)
    count_s = count_peer(url, k, run, f"pingan-bench-{run}/count", messages)

    # the consumers (ack after commit), same messages
    prefix = f"pingan-bench-{run}/ingest"
    base = Reading.objects.count()
    procs = start_consumers(url, k, run, prefix)
    try:
        pub = Publisher(url, f"bench-pub2-{run}", prefix=prefix)
        started = time.perf_counter()
        for dev, payload in messages:
            pub.publish(dev, payload)
        deadline = time.monotonic() + 600
        got = 0
        while time.monotonic() < deadline:
            got = Reading.objects.count() - base
            if got >= total_readings:
                break
            time.sleep(0.02)
        e2e_s = time.perf_counter() - started
        pub.close()
    finally:
        stop_consumers(procs)
    ratio = count_s / e2e_s
    print(
        f"4. MQTT end to end ({len(messages):,} messages, {total_readings:,} readings, QoS 1, {k} consumers, "
        f"private Mosquitto from bench/mosquitto.conf): {fmt(total_readings / e2e_s)} readings/s committed "
        f"({e2e_s:.2f} s, {got:,} stored); {k} counting subscribers {fmt(total_readings / count_s)} "
        f"readings/s ({count_s:.2f} s) → ratio {ratio:.2f} (target ≥ 0.5)"
    )
    if got != total_readings:
        print(f"   MISSING {total_readings - got:,} readings")
    return ratio


if __name__ == "__main__":
    main()

"""Risk module benchmark (`make bench-risks`): each figure against a bare SQL version of the same
question run on the same database, with the ratio (bare time ÷ platform time; target ≥ 0.7) and the
platform's query count at two sizes (it must not grow with the data).

1. A day's check tasks for 10⁵ control measures: `pingan.risks.actions.open_check_day` (the day's due
   checks as deadlines, for tasks without an open one) against a hand-written INSERT … SELECT.
2. The four-colour map's figures by township over 10⁶ check records: the township table of the map
   page (`selectors.counts_by_division` — risk objects by level — and `selectors.completion_by_division`
   — checks done on time ÷ due over 30 days) for the city administrator and for a district's staff,
   against hand-written GROUP BY queries.

    python bench/risks.py              # 10^5 measures, 10^6 records (SQLite var/bench-risks.sqlite3)
    python bench/risks.py --measures 20000 --records 200000
    DATABASE_URL=postgres://…/pingan_bench python bench/risks.py      # on PostgreSQL (database emptied)

The data are synthetic; the database is recreated on every run.
"""

from __future__ import annotations

import sys

if sys.path and sys.path[0].endswith("bench"):
    sys.path.pop(0)  # bench/warnings.py would shadow the standard library's warnings

import argparse
import datetime as dt
import os
import random
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_FILE = ROOT / "var" / "bench-risks.sqlite3"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{DB_FILE}")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingan.config.settings")

TOWNS_PER_DISTRICT = 40
LEVELS = ["major", "large", "general", "low"]


def reset_database() -> None:
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DB_FILE}{suffix}").unlink(missing_ok=True)
    else:
        with connection.cursor() as c:
            c.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0, interactive=False)


def prepare(n_measures: int, n_records: int, log=print):  # noqa: ANN001, ANN201
    """A small Qingyuan (core.testing world) with 80 townships; risk objects, events, 10⁵ control
    measures each with a daily task due today (and 1,000 due tomorrow: the small size), and 10⁶
    check records over the last 30 days. Bulk SQL, no deadlines."""
    from django.db import connection, transaction
    from django.utils import timezone

    from pingan.core.testing import make_world
    from pingan.geo.models import Division

    t0 = time.perf_counter()
    rng = random.Random(12)
    with transaction.atomic():
        world = make_world()
        towns = []
        for district in world.districts.values():
            for k in range(TOWNS_PER_DISTRICT):
                towns.append(
                    Division.objects.create(
                        code=f"{district.code}{200 + k:03d}",
                        name=f"{district.name}{k}镇",
                        level="town",
                        parent=district,
                    )
                )
    today = timezone.localdate()
    # Raw SQL gets datetimes as the backend stores them (SQLite: UTC text; PostgreSQL: timestamptz).
    db_dt = connection.ops.adapt_datetimefield_value
    now = timezone.now()
    due_today = timezone.make_aware(dt.datetime.combine(today, dt.time(17, 0)))
    due_tomorrow = db_dt(due_today + dt.timedelta(days=1))
    n_objects = max(1, n_measures // 10)
    q = connection.ops.quote_name
    due_today, stamp = db_dt(due_today), db_dt(now)
    with transaction.atomic(), connection.cursor() as c:
        c.executemany(
            f"INSERT INTO {q('risks_riskobject')} (kind, point_type, name, description, division_id, level, "
            "owner_post, is_synthetic, created_at) VALUES (%s, %s, %s, '', %s, %s, '', %s, %s)",
            [
                (
                    "city_point",
                    "crowded",
                    f"风险点{i}",
                    towns[i % len(towns)].pk,
                    rng.choice(LEVELS),
                    True,
                    stamp,
                )
                for i in range(n_objects)
            ],
        )
        c.execute(f"SELECT id FROM {q('risks_riskobject')} ORDER BY id")
        objects = [r[0] for r in c.fetchall()]
        c.executemany(
            f"INSERT INTO {q('risks_riskevent')} (risk_object_id, name, description, created_at) "
            "VALUES (%s, %s, '', %s)",
            [(o, "风险事件", stamp) for o in objects],
        )
        c.execute(f"SELECT id, risk_object_id FROM {q('risks_riskevent')} ORDER BY id")
        events = c.fetchall()
        c.executemany(
            f"INSERT INTO {q('risks_controlmeasure')} (event_id, kind, description, created_at) "
            "VALUES (%s, 'management', %s, %s)",
            [(e, f"措施{k}", stamp) for e, _o in events for k in range(n_measures // len(events) + 1)][
                :n_measures
            ],
        )
        c.execute(
            f"SELECT m.id, e.risk_object_id FROM {q('risks_controlmeasure')} m "
            f"JOIN {q('risks_riskevent')} e ON e.id = m.event_id ORDER BY m.id"
        )
        measures = c.fetchall()
        tasks = [(m, o, "日常巡查", "daily", 1, "", "[]", due_today, True, stamp) for m, o in measures] + [
            (m, o, "明日巡查", "daily", 1, "", "[]", due_tomorrow, True, stamp) for m, o in measures[:1000]
        ]
        c.executemany(
            f"INSERT INTO {q('risks_checktask')} (measure_id, risk_object_id, name, cycle, every, post, "
            "checklist, next_due_at, is_active, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            tasks,
        )
        c.execute(f"SELECT id, risk_object_id FROM {q('risks_checktask')} ORDER BY id LIMIT %s", [n_measures])
        task_rows = c.fetchall()
        batch = []
        for i in range(n_records):
            t, o = task_rows[i % len(task_rows)]
            at = now - dt.timedelta(minutes=rng.randint(0, 30 * 24 * 60))
            on_time = rng.random() > 0.1
            due = at + dt.timedelta(hours=1 if on_time else -24)
            batch.append((t, o, db_dt(at), db_dt(due), on_time, "ok", "{}", "", "", "", True))
            if len(batch) == 20000:
                _insert_records(c, batch)
                batch = []
        if batch:
            _insert_records(c, batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")
    log(
        f"data: {len(towns)} townships, {n_objects:,} risk objects, {len(measures):,} control measures, "
        f"{len(tasks):,} check tasks, {n_records:,} check records ({time.perf_counter() - t0:.0f} s to build)"
    )
    return world, today


def _insert_records(c, batch) -> None:  # noqa: ANN001
    from django.db import connection

    q = connection.ops.quote_name
    c.executemany(
        f"INSERT INTO {q('risks_checkrecord')} (task_id, risk_object_id, checked_at, due_at, on_time, "
        "result, answers, note, photo, hazard_case_number, is_synthetic) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        batch,
    )


def timed(fn, repeat: int = 3):  # noqa: ANN001, ANN201
    """Best of `repeat` (the figure least disturbed by the shared machine), the last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def queries(fn) -> int:  # noqa: ANN001
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def bare_open_day(day: dt.date) -> int:
    """The same rows as open_check_day, written by hand."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone

    from pingan.risks.actions.daily import day_bounds
    from pingan.risks.models import CheckTask

    db_dt = connection.ops.adapt_datetimefield_value
    start, end = (db_dt(x) for x in day_bounds(day))
    now = db_dt(timezone.now())
    ct = ContentType.objects.get_for_model(CheckTask).pk
    if connection.vendor == "postgresql":
        oid, remind, data, concat = (
            "t.id::text",
            "GREATEST(%s, t.next_due_at - interval '2 hours')",
            "('{\"task\": ' || t.id || ', \"object\": ' || t.risk_object_id || '}')::jsonb",
            "substr('排查: ' || t.name || '(' || o.name || ')', 1, 200)",
        )
        params = [ct, now, now, start, end, ct]
    else:
        oid, remind, data, concat = (
            "CAST(t.id AS TEXT)",
            "MAX(%s, datetime(t.next_due_at, '-2 hours'))",
            "'{\"task\": ' || t.id || ', \"object\": ' || t.risk_object_id || '}'",
            "substr('排查: ' || t.name || '(' || o.name || ')', 1, 200)",
        )
        params = [ct, now, now, start, end, ct]
    sql = f"""
        INSERT INTO core_deadline (kind, title, content_type_id, object_id, division_id, department_id,
            assignee_id, starts_at, due_at, remind_at, escalation_level, data)
        SELECT 'risks.check', {concat}, %s, {oid}, o.division_id, o.department_id, t.assignee_id, %s,
            t.next_due_at, {remind}, 0, {data}
        FROM risks_checktask t JOIN risks_riskobject o ON o.id = t.risk_object_id
        WHERE t.is_active AND t.next_due_at >= %s AND t.next_due_at < %s
          AND NOT EXISTS (SELECT 1 FROM core_deadline d WHERE d.kind = 'risks.check'
              AND d.content_type_id = %s AND d.object_id = {oid} AND d.met_at IS NULL
              AND d.cancelled_at IS NULL)
    """
    with connection.cursor() as c:
        c.execute(sql, params)
        return c.rowcount


def clear_deadlines() -> None:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("DELETE FROM core_deadline WHERE kind = 'risks.check'")


def bench_open_day(today: dt.date) -> None:
    from django.db import transaction

    from pingan.risks.actions import open_check_day

    print("\n== A day's check tasks (deadlines of the checks due today) ==")

    def ours() -> int:
        with transaction.atomic():
            return open_check_day(today)

    def bare() -> int:
        with transaction.atomic():
            return bare_open_day(today)

    t_ours, t_bare = float("inf"), float("inf")
    n_ours = n_bare = 0
    for _ in range(5):  # alternate, so both see the same cache and disk (best of 5: a shared machine)
        clear_deadlines()
        t, n_ours = timed(ours, 1)
        t_ours = min(t_ours, t)
        clear_deadlines()
        t, n_bare = timed(bare, 1)
        t_bare = min(t_bare, t)
    assert n_ours == n_bare, (n_ours, n_bare)
    clear_deadlines()
    q_big = queries(lambda: open_check_day(today))
    q_small = queries(lambda: open_check_day(today + dt.timedelta(days=1)))
    again = open_check_day(today)
    print(
        f"platform open_check_day: {t_ours:8.3f} s for {n_ours:,} deadlines "
        f"({q_big} queries; 1,000 tasks: {q_small})"
    )
    print(f"bare INSERT … SELECT:    {t_bare:8.3f} s for {n_bare:,} deadlines")
    print(f"ratio bare / platform:   {t_bare / t_ours:8.2f}    (target ≥ 0.7); second run opened {again}")


BARE_COUNTS = """
    SELECT substr(d.path, 1, 9) AS area,
           sum(CASE WHEN o.level = 'major' THEN 1 ELSE 0 END),
           sum(CASE WHEN o.level = 'large' THEN 1 ELSE 0 END),
           sum(CASE WHEN o.level = 'general' THEN 1 ELSE 0 END),
           sum(CASE WHEN o.level = 'low' THEN 1 ELSE 0 END),
           sum(CASE WHEN o.level = 'unassessed' THEN 1 ELSE 0 END)
    FROM risks_riskobject o JOIN geo_division d ON d.id = o.division_id
    WHERE d.path LIKE %s GROUP BY 1 ORDER BY 1
"""
BARE_COMPLETION = """
    SELECT substr(d.path, 1, 9) AS area, count(*), sum(CASE WHEN r.on_time THEN 1 ELSE 0 END)
    FROM risks_checkrecord r JOIN risks_riskobject o ON o.id = r.risk_object_id
         JOIN geo_division d ON d.id = o.division_id
    WHERE r.due_at >= %s AND d.path LIKE %s GROUP BY 1 ORDER BY 1
"""


def bare_map(prefix: str, since: dt.datetime) -> tuple[list, list]:
    from django.db import connection

    with connection.cursor() as c:
        c.execute(BARE_COUNTS, [prefix + "%"])
        counts = c.fetchall()
        c.execute(BARE_COMPLETION, [connection.ops.adapt_datetimefield_value(since), prefix + "%"])
        completion = c.fetchall()
        c.execute(
            "SELECT code, name FROM geo_division WHERE code IN ({})".format(",".join(["%s"] * len(counts))),
            [r[0] for r in counts],
        )
        names = dict(c.fetchall())
    return [(a, names.get(a)) + tuple(r) for a, *r in counts], completion


def bench_map(world, n_records: int) -> None:  # noqa: ANN001
    from django.utils import timezone

    from pingan.risks import selectors

    print(f"\n== Four-colour map by township over {n_records:,} check records ==")
    since = timezone.now() - dt.timedelta(days=30)
    for label, user, prefix in (
        ("city administrator", world.user("city_admin", "city"), "4418"),
        ("district staff (清城区)", world.user("area_staff", "qingcheng"), "441802"),
    ):

        def ours(user=user):  # noqa: ANN001, ANN202
            return selectors.counts_by_division(user, "town"), selectors.completion_by_division(
                user, since, "town"
            )

        t_ours, (counts, completion) = timed(ours)
        t_bare, (b_counts, b_completion) = timed(lambda prefix=prefix: bare_map(prefix, since))
        assert [(r["code"], r["total"]) for r in counts] == [(r[0], sum(r[2:])) for r in b_counts]
        assert [(r["key"], r["due"], r["done"]) for r in completion] == [tuple(r) for r in b_completion]
        n_q = queries(ours)
        print(
            f"{label:24s} platform {t_ours:7.3f} s ({n_q} queries, {len(counts)} townships, "
            f"{sum(r['due'] for r in completion):,} checks due)  bare {t_bare:7.3f} s  "
            f"ratio {t_bare / t_ours:5.2f} (target ≥ 0.7)"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--measures", type=int, default=100_000)
    ap.add_argument("--records", type=int, default=1_000_000)
    args = ap.parse_args()
    import django

    django.setup()
    from django.db import connection

    print(f"database: {connection.vendor}")
    reset_database()
    world, today = prepare(args.measures, args.records)
    bench_open_day(today)
    bench_map(world, args.records)


if __name__ == "__main__":
    main()

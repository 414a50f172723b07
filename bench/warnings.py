"""Early-warning benchmark (`make bench-warnings`).

1. Fan-out: publishing one warning to N subscribers of a township (default 100,000): the platform's
   `fanout.publish_fanout` (recipient selection from the subscriptions, inbox rows, queued SMS
   deliveries per the people's preferences, the broadcast records) against a bare SQL insert of the
   same rows with a raw cursor (`executemany`, the recipients' ids known in advance). Each run is
   inside a transaction that is rolled back, so every run starts from the same tables.
   Ratio = bare time / fan-out time (target ≥ 0.5).
2. The public Atom feed with 10,000 past warnings in the table: p95 latency of GET /warnings/feed.atom
   through the whole Django stack (middleware included), target ≤ 50 ms.

    python bench/warnings.py                          # SQLite file var/bench-warnings.sqlite3
    python bench/warnings.py --subscribers 20000 --past 2000 --runs 3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingan_bench_warnings python bench/warnings.py
"""

from __future__ import annotations

import os
import sys

# This file is named like the standard library's `warnings`: run as a script, its folder comes first
# on sys.path and would shadow it. Drop the folder before importing anything else.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-warnings.sqlite3'}")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingan.config.settings")
os.environ["MQTT_URL"] = ""  # the broker is not part of the measurement


class Rollback(Exception):
    pass


def prepare(n_subscribers: int, n_past: int) -> tuple:
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from pingan.core.testing import make_world
    from pingan.org.choices import Role
    from pingan.org.models import User
    from pingan.warnings.models import EarlyWarning, Subscription
    from pingan.warnings.tests.factories import to_state

    if connection.vendor == "sqlite":
        db = Path(connection.settings_dict["NAME"])
        connection.close()
        if db.exists():
            db.unlink()
    else:
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    world = make_world()
    town = world.towns["qingcheng"]
    t = time.perf_counter()
    batch = 10_000
    for start in range(0, n_subscribers, batch):
        people = User.objects.bulk_create(
            [
                # one in ten has a phone: an urgent warning also queues an SMS delivery for them
                User(username=f"bsub{i}", role=Role.PUBLIC, phone=f"138{i:08d}" if i % 10 == 0 else "")
                for i in range(start, min(start + batch, n_subscribers))
            ],
            batch_size=2000,
        )
        if people[0].pk is None:
            people = list(User.objects.filter(username__startswith="bsub").order_by("-id")[: len(people)])
        Subscription.objects.bulk_create(
            [Subscription(user=p, division=town) for p in people], batch_size=2000
        )
    print(f"  {n_subscribers} subscribers in {time.perf_counter() - t:.1f}s")
    # Past warnings: one real published message, then copies with their own identifiers and times.
    model = to_state(world, "published")
    now = timezone.now()
    fields = {
        f.attname: getattr(model, f.attname)
        for f in EarlyWarning._meta.concrete_fields
        if f.attname not in ("id", "identifier", "sent", "expires", "onset")
    }
    t = time.perf_counter()
    rows = []
    for i in range(n_past):
        sent = now - timedelta(hours=2 * (i + 1))
        rows.append(
            EarlyWarning(
                **fields,
                identifier=f"{model.identifier}_{i + 1}",
                sent=sent,
                onset=sent,
                expires=sent + timedelta(hours=1),
            )
        )
    EarlyWarning.objects.bulk_create(rows, batch_size=1000)
    print(f"  {n_past} past warnings in {time.perf_counter() - t:.1f}s")
    return world, town


def approved_warning(world):
    from pingan.warnings.tests.factories import to_state

    return to_state(world, "approved")


def time_fanout(world, runs: int) -> tuple[float, int, int]:
    from django.db import transaction

    from pingan.notify.models import Delivery, Message
    from pingan.warnings.choices import Colour
    from pingan.warnings.fanout import publish_fanout
    from pingan.warnings.models import EarlyWarning

    times = []
    counts = (0, 0)
    before = (Message.objects.count(), Delivery.objects.count())
    for _ in range(runs):
        w = approved_warning(world)
        EarlyWarning.objects.filter(pk=w.pk).update(colour=Colour.RED, identifier=f"bench-{w.pk}")
        w.refresh_from_db()
        areas = list(w.areas.select_related("division"))
        try:
            with transaction.atomic():
                t = time.perf_counter()
                n = publish_fanout(w, areas)
                times.append(time.perf_counter() - t)
                counts = (Message.objects.count() - before[0], Delivery.objects.count() - before[1])
                assert counts[0] == n
                raise Rollback
        except Rollback:
            pass
    return statistics.median(times), counts[0], counts[1]


def time_bare(town, runs: int) -> float:
    """The same rows with a raw cursor: messages, the SMS deliveries, the broadcast row."""
    import json

    from django.db import connection, transaction
    from django.utils import timezone

    with connection.cursor() as c:
        c.execute(
            "SELECT u.id, u.phone FROM org_user u JOIN warnings_subscription s ON s.user_id = u.id "
            "WHERE s.division_id = %s",
            [town.pk],
        )
        people = c.fetchall()
    times = []
    for _ in range(runs):
        try:
            with transaction.atomic():
                now = timezone.now()
                t = time.perf_counter()
                with connection.cursor() as c:
                    c.executemany(
                        "INSERT INTO notify_message "
                        "(recipient_id, event, title, body, url, urgent, created_at) "
                        "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                        [
                            (pk, "bench.bare", "红色预警:清城区暴雨", "注意防范", "/warnings/x/", True, now)
                            for pk, _p in people
                        ],
                    )
                    c.execute("SELECT id, recipient_id FROM notify_message WHERE event = 'bench.bare'")
                    ids = dict((r, m) for m, r in c.fetchall())
                    payload = json.dumps({"text": "【紧急】红色预警:清城区暴雨:注意防范"})
                    c.executemany(
                        "INSERT INTO notify_delivery (message_id, channel, target, payload, status, "
                        "attempts, next_attempt_at, last_error, response, created_at) "
                        "VALUES (%s, 'sms', %s, %s, 'pending', 0, %s, '', '', %s)",
                        [(ids[pk], phone, payload, now, now) for pk, phone in people if phone],
                    )
                times.append(time.perf_counter() - t)
                raise Rollback
        except Rollback:
            pass
    return statistics.median(times)


def time_feed(requests: int) -> list[float]:
    from django.test import Client

    client = Client()
    assert client.get("/warnings/feed.atom").status_code == 200
    out = []
    for _ in range(requests):
        t = time.perf_counter()
        r = client.get("/warnings/feed.atom")
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--subscribers", type=int, default=100_000)
    p.add_argument("--past", type=int, default=10_000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--requests", type=int, default=200)
    args = p.parse_args()
    import django

    django.setup()
    from django.db import connection

    print(f"database: {connection.vendor}")
    world, town = prepare(args.subscribers, args.past)
    fan, messages, deliveries = time_fanout(world, args.runs)
    bare = time_bare(town, args.runs)
    print(f"fan-out to {messages} subscribers ({deliveries} SMS deliveries): {fan * 1000:.0f} ms (median)")
    print(f"bare SQL insert of the same rows:             {bare * 1000:.0f} ms (median)")
    print(f"ratio bare/fan-out: {bare / fan:.2f} (target >= 0.5)")
    feed = sorted(time_feed(args.requests))
    p95 = feed[int(len(feed) * 0.95) - 1]
    print(
        f"Atom feed with {args.past} past warnings: p50 {feed[len(feed) // 2]:.1f} ms, "
        f"p95 {p95:.1f} ms (target <= 50)"
    )


if __name__ == "__main__":
    main()

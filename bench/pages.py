"""Every console page's server time (`make bench-pages`): each demo role signs in, its navigation is
read (the entries it is shown), and every page is requested through Django's full stack (middleware,
sessions, permissions, templates) in this process with the test client; prints p50/p95 and the
number of SQL queries per page, slowest first, against the target (p95 ≤ 150 ms at demo size).

The peer in the same run: a 404 page through the same middleware (the floor every page pays), so a
loaded machine shows as a high floor, not as slow pages: the `÷floor` column is the page's p95 over
the floor's p95. `CPU ms` is this process's CPU time per request (median; the database's is not in
it): unlike the wall clock it does not grow with the other jobs on the machine.

    DATABASE_URL=postgres://…/h8_demo python bench/pages.py          # demo data (manage.py seed_demo)
    python bench/pages.py --repeat 20 --only hazards
"""

from __future__ import annotations

import sys

sys.path.pop(0)  # not bench/ itself: bench/warnings.py would shadow the standard library's warnings

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingan.config.settings")

TARGET_MS = 150.0


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(0.95 * len(xs)))]


def measure(client, url: str, repeat: int, cold: bool = False) -> tuple[list[float], int, int, list[float]]:  # noqa: ANN001, E501
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    r = client.get(url)  # warm (templates, caches)
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    queries = len(ctx.captured_queries)
    times, cpu = [], []
    for _ in range(repeat):
        if cold:
            cache.clear()  # every request computes what a page caches (the first visit's time)
        t, c = time.perf_counter(), time.process_time()
        r = client.get(url)
        times.append(1000 * (time.perf_counter() - t))
        cpu.append(1000 * (time.process_time() - c))
    return times, queries, r.status_code, cpu


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=10, help="timed requests per page")
    parser.add_argument("--only", default="", help="only URLs containing this")
    parser.add_argument("--roles", default="", help="comma-separated demo usernames (default: all)")
    parser.add_argument("--cold", action="store_true", help="clear the cache before each request")
    args = parser.parse_args()

    # The application as a web worker loads it (pingan.config.wsgi: every view imported, then
    # gc.freeze()), so that the collector's pauses are a worker's, not a bigger heap's.
    import logging

    import pingan.config.wsgi  # noqa: F401

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the floor is a 404 on purpose
    from django.db import connection
    from django.test import Client
    from django.utils import translation

    from pingan.core.demo_accounts import DEMO_ACCOUNTS
    from pingan.core.nav import nav_for
    from pingan.org.models import User

    load0 = os.getloadavg()
    print(
        f"Console pages at demo size ({connection.vendor}, {connection.settings_dict['NAME']}), "
        f"{args.repeat} timed requests each{' (cache cleared before each)' if args.cold else ''}; "
        f"load average {load0[0]:.2f} on {os.cpu_count()} cores"
    )
    names = [u for u, _r, _w in DEMO_ACCOUNTS if u != "integration"]
    if args.roles:
        names = [n for n in names if n in args.roles.split(",")]
    pages: dict[str, tuple[str, str]] = {}  # url → (first role that sees it, label)
    clients = {}
    for name in names:
        user = User.objects.filter(username=name).first()
        if user is None:
            continue
        c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        c.force_login(user)
        clients[name] = c
        with translation.override("zh-hans"):
            for group in nav_for(user):
                for item in group["items"]:
                    url = item["url"]
                    if args.only and args.only not in url:
                        continue
                    pages.setdefault(url, (name, str(item["label"])))
    c0 = clients[names[0]]
    floor, _q, _s, _c = measure(c0, "/bench-floor-404/", args.repeat * 2)
    floor95 = p95(floor)
    rows = []
    for url, (name, label) in pages.items():
        times, queries, status, cpu = measure(clients[name], url, args.repeat, args.cold)
        rows.append(
            (p95(times), statistics.median(times), statistics.median(cpu), queries, status, url, name, label)
        )
    rows.sort(reverse=True)
    print(f"\nfloor (a 404 through the same middleware): p95 {floor95:.1f} ms\n")
    print(f"{'p95 ms':>7} {'p50 ms':>7} {'CPU ms':>7} {'÷floor':>7} {'SQL':>4} {'HTTP':>4}  page (role)")
    slow = 0
    for t95, t50, c50, queries, status, url, name, label in rows:
        flag = " ✗" if t95 > TARGET_MS else ""
        slow += bool(flag)
        print(
            f"{t95:7.1f} {t50:7.1f} {c50:7.1f} {t95 / floor95:7.1f} {queries:4d} {status:4d}  "
            f"{url} {label} ({name}){flag}"
        )
    load1 = os.getloadavg()
    print(
        f"\n{len(rows)} pages; {slow} over {TARGET_MS:.0f} ms p95 — target "
        f"{'met' if not slow else 'NOT met'}; load average {load1[0]:.2f} at the end"
    )


if __name__ == "__main__":
    main()

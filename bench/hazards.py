"""Hazard platform benchmark (`make bench-hazards`): the filtered list endpoint, the map endpoint (a
bounding box; points, or grid clusters when the box holds more than a few thousand) and case
creation, each under concurrent load, against three peers in the same server:

- the bare view (the peer the targets name): a plain Django function view behind the same
  middleware and the same token check, doing the same work through the same ORM querysets — the
  scope (`visible_to`), the filters (`selectors.filter_cases`), the capped count, the page
  (`selectors.list_values`), the map's `selectors.map_features` — and writing the result with json.dumps: no
  DRF (no request/response wrapping, permission classes, pagination class, renderer) and none of the
  endpoint's row shaping (numbers, labels, colours). What the endpoint costs beyond it is the API
  layer. For creation it calls the actions layer directly (the same inserts, audit event, deadline
  and notification rows) without DRF's parsing, validation or serialisation.
- the SQL replay: the same view, but executing exactly the SQL the real endpoint sends with a raw
  cursor — no ORM query building either. What the endpoint costs beyond it is the API layer plus
  the ORM's compiling of its statements (decision 0021 says why that cost is kept).
- the raw floor: a WSGI callable in front of Django that runs the same SQL (or actions call) with no
  middleware and no authentication — printed so that what Django's own request handling costs is
  visible too.

How the SQL is known: at start-up each server process runs the real endpoint once in-process and
records the SQL it sends (minus the authentication look-ups, which each peer does its own way).

Prints, for each endpoint: requests per second, p95 latency and CPU milliseconds per request (the
server processes and PostgreSQL's backends, bench/cpu.py, from /proc) of the real endpoint and of
each peer, and the ratios (target ≥ 0.8 of the bare view). The CPU ratio does not depend on how
many other jobs share the machine; the wall-clock figures do (the box's busy share is printed).

At --million on PostgreSQL the cases are made in SQL from 20,000 generated ones (INSERT … SELECT,
each copy moved a little in space and time; a bench database only) in the demo's city (8 districts,
92 townships): about a minute on an idle box.

    python bench/hazards.py                   # 100,000 cases (SQLite file var/bench-hazards.sqlite3)
    python bench/hazards.py --million         # 1,000,000 cases
    python bench/hazards.py --cases 20000 --seconds 5 --clients 8
    DATABASE_URL=postgres://… python bench/hazards.py     # on PostgreSQL
"""

from __future__ import annotations

import sys

if sys.path and sys.path[0].endswith("bench"):
    sys.path.pop(0)  # bench/warnings.py would shadow the standard library's warnings

import argparse
import json
import multiprocessing as mp
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = f"sqlite:///{ROOT / 'var' / 'bench-hazards.sqlite3'}"
os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")  # plain HTTP on the loopback
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingan.config.settings")

STATE_FILE = ROOT / "var" / "bench-hazards.json"


# --- Inside the server: the WSGI application (Django + the bare views) --------------------------
_captured: dict[str, list[str]] = {}
_django_app = None


def _setup() -> None:
    global _django_app
    if _django_app is None:
        import django

        django.setup()
        from django.urls import clear_url_caches, path
        from django.views.decorators.csrf import csrf_exempt

        from pingan.config import urls

        # The bare Django view, served by the same Django as the real endpoint.
        urls.urlpatterns.insert(0, path("bench-bare/<str:name>", csrf_exempt(_bare_view)))
        clear_url_caches()
        # The application as a deployment serves it (pingan.config.wsgi, gc.freeze() included).
        from pingan.config.wsgi import application

        _django_app = application


def _bare_view(request, name: str):  # noqa: ANN001, ANN201
    """The bare view (the peer the targets name): a plain Django function view behind the same
    middleware, with the API's token check (pingan.org.auth.TokenAuthentication, one query), doing
    the endpoint's work through the same querysets (`sql-<name>`: replaying its SQL with a cursor
    instead) — or, for creation, the same actions call — and writing the result with json.dumps."""
    from django.http import HttpResponse, JsonResponse
    from rest_framework.exceptions import AuthenticationFailed

    from pingan.org.auth import TokenAuthentication

    key = request.headers.get("Authorization", "").removeprefix("Token ")
    try:
        user, _token = TokenAuthentication().authenticate_credentials(key)  # the API's token check
    except AuthenticationFailed:
        return JsonResponse({"detail": "not authenticated"}, status=401)
    if name == "create":
        body = _bare_create(request.body)
    elif name.startswith("sql-"):
        body = _bare_select(name.removeprefix("sql-"))
    else:
        body = _bare_orm(name, user, request.GET)
    return HttpResponse(body, content_type="application/json", status=201 if name == "create" else 200)


def _bare_orm(name: str, user, params) -> bytes:  # noqa: ANN001
    """The same work through the same querysets, without the API framework: what a plain Django
    view of the list or the map would do."""
    from django.utils import timezone

    from pingan.core.pagination import KeysetPagination, page_count
    from pingan.hazards import selectors
    from pingan.hazards.models import HazardCase

    now = timezone.now()
    qs = selectors.filter_cases(HazardCase.objects.visible_to(user), params, now)
    if name == "map":
        bbox = selectors.parse_bbox(params.get("bbox"))
        zoom = int(params["zoom"]) if "zoom" in params else None
        data = selectors.map_features(qs, bbox, now=now, zoom=zoom)
        return json.dumps(data, default=str, ensure_ascii=False).encode()
    qs = qs.order_by("-created_at", "-id")
    count, _capped, _estimated = page_count(qs, KeysetPagination.COUNT_CAP)  # the API's own count
    rows = list(selectors.list_values(qs)[:50])
    return json.dumps({"count": count, "results": rows}, default=str, ensure_ascii=False).encode()


def _capture(name: str) -> list[str]:
    """The SQL the real endpoint sends for the benchmark request (authentication look-ups dropped)."""
    if name in _captured:
        return _captured[name]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIRequestFactory, force_authenticate

    from pingan.hazards.api.views import HazardCaseViewSet
    from pingan.org.auth import TokenAuthentication

    state = json.loads(STATE_FILE.read_text())
    # Loaded as the real request loads it (the API's token check, with the division path), so the
    # captured SQL is what the endpoint itself sends after authentication — no more, no less.
    user, _token = TokenAuthentication().authenticate_credentials(state["tokens"][state["user"]])
    factory = APIRequestFactory(SERVER_NAME="127.0.0.1")
    view = HazardCaseViewSet.as_view({"get": "list" if name == "list" else "map"})
    path = state["list_query"] if name == "list" else state["map_query"]
    request = factory.get(path, HTTP_HOST="127.0.0.1")
    force_authenticate(request, user=user)
    with CaptureQueriesContext(connection) as ctx:
        response = view(request)
        response.render()
    # Everything the endpoint ran (the caller's division for its scope, the count, the page); the
    # token look-up of the real request is not part of it (the request is pre-authenticated here).
    sql = [q["sql"] for q in ctx.captured_queries if "authtoken_token" not in q["sql"]]
    _captured[name] = sql
    return sql


def _bare_select(name: str) -> bytes:
    from django.db import connection

    out = []
    with connection.cursor() as cur:
        for sql in _capture(name):
            cur.execute(sql)
            cols = [c[0] for c in cur.description]
            out.append([dict(zip(cols, row, strict=True)) for row in cur.fetchall()])
    return json.dumps(out, default=str, ensure_ascii=False).encode()


def _bare_create(body: bytes) -> bytes:
    from pingan.hazards import actions
    from pingan.hazards.models import Category
    from pingan.org.models import User

    state = json.loads(STATE_FILE.read_text())
    data = json.loads(body or b"{}")
    user = User.objects.get(username=state["creator"])
    case, _ = actions.do_submit(
        user,
        source="api",
        title=data["title"],
        category=Category.objects.get(code=data["category"]),
        lat=data["lat"],
        lon=data["lon"],
        client_token=data["client_token"],
    )
    return json.dumps({"id": case.pk, "state": case.state}).encode()


def application(environ, start_response):  # noqa: ANN001, ANN201 - WSGI
    _setup()
    path = environ.get("PATH_INFO", "")
    if not path.startswith("/bare/"):
        return _django_app(environ, start_response)
    from django.db import close_old_connections

    close_old_connections()
    try:
        if path == "/bare/list":
            body = _bare_select("list")
        elif path == "/bare/map":
            body = _bare_select("map")
        elif path == "/bare/create":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = _bare_create(environ["wsgi.input"].read(length))
        else:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
    finally:
        close_old_connections()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


# --- The driver ----------------------------------------------------------------------------------
SEED_CASES = 20_000  # made by the demo generator (Python); the rest copied from them in SQL
COLUMNS = (
    "title, description, grade, state, source, address, reporter_name, reporter_phone, fixed_on_spot, "
    "listed, listed_authority, reopened_count, public_note, is_synthetic, category_id, district_id, "
    "division_id, enterprise_id, lead_department_id, merged_into_id, reporter_id, site_id, division_path"
)
TIMES = ("listed_at", "created_at", "updated_at", "registered_at", "assigned_at", "due_at", "rectified_at")


def _grow_in_sql(n_cases: int, have: int, log) -> int:  # noqa: ANN001
    """PostgreSQL: SEED_CASES realistic cases from the demo generator, then copies of them made by
    the database (INSERT … SELECT over generate_series), each moved a little in space and time — a
    million rows in about a minute instead of an hour of Python. A bench database only."""
    from django.db import connection

    from pingan.geo.models import Division
    from pingan.hazards import demo
    from pingan.org.models import Department

    if have < SEED_CASES:
        towns = list(Division.objects.filter(level="town").exclude(lat=None).select_related("parent"))
        demo.generate(
            SEED_CASES - have, towns, list(Department.objects.all()), with_extras=False, bulk=10_000
        )
        have = SEED_CASES
    with connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute("SELECT min(id), max(id) FROM hazards_hazardcase")
        lo, hi = cur.fetchone()
        copy = 0
        while have < n_cases:
            copy += 1
            k = min(n_cases - have, hi - lo + 1)
            # One copy of the first k seed cases: a new tracking code, the point moved up to ±0.005°,
            # every time shifted by the same few hours (closed_at stays after created_at).
            shift = f"make_interval(secs => ((b.id * 7919 + {copy} * 104729) % 86400) - 43200)"
            cur.execute(
                f"INSERT INTO hazards_hazardcase (tracking_code, lat, lon, closed_at, {', '.join(TIMES)}, {COLUMNS}) "  # noqa: S608, E501
                f"SELECT 'Z' || lpad(({copy}::bigint * 100000000 + b.id)::text, 15, '0'), "
                f"b.lat + ((b.id * 31 + {copy} * 17) % 1000 - 500) * 1e-5, "
                f"b.lon + ((b.id * 37 + {copy} * 13) % 1000 - 500) * 1e-5, "
                f"LEAST(b.closed_at + {shift}, now()), "
                + ", ".join(f"b.{t} + {shift}" for t in TIMES)
                + f", {', '.join('b.' + c.strip() for c in COLUMNS.split(','))} "
                f"FROM hazards_hazardcase b WHERE b.id BETWEEN {lo} AND {lo + k - 1}"
            )
            have += k
            if copy % 5 == 0 or have >= n_cases:
                log(f"  … {have:,} cases")
        cur.execute("ANALYZE hazards_hazardcase")
    return have


def prepare(n_cases: int, log=print) -> dict:  # noqa: ANN001
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from pingan.geo.models import Division
    from pingan.hazards import demo
    from pingan.hazards.models import Category, HazardCase
    from pingan.org.models import Department, User

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    if not Division.objects.filter(code="441802").exists():
        # The demo's city: 8 districts, 92 townships, 494 departments and its accounts, so that a
        # million cases spread as a bureau's would (a test world of two towns piles them up).
        from pingan.geo import demo as geo_demo
        from pingan.hazards.defaults import ensure_defaults
        from pingan.org import demo as org_demo

        geo_demo.seed(log)
        org_demo.seed(log)
        ensure_defaults()
    have = HazardCase.objects.count()
    if have < n_cases and connection.vendor == "postgresql" and n_cases > SEED_CASES:
        have = _grow_in_sql(n_cases, have, log)
    if have < n_cases:
        towns = list(Division.objects.filter(level="town").exclude(lat=None).select_related("parent"))
        depts = list(Department.objects.all())
        step = 50_000
        while have < n_cases:
            k = min(step, n_cases - have)
            demo.generate(k, towns, depts, with_extras=False, bulk=10_000, seed_value=have)
            have += k
            log(f"  … {have:,} cases")
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    if connection.vendor == "postgresql":
        # The state autovacuum keeps a table of years of cases in: statistics current and the pages
        # marked all-visible, so that the covering indexes answer without reading the table. A table
        # just filled by INSERT … SELECT has neither until autovacuum comes round (the capped count
        # then read 1,001 heap rows: 8.4 ms instead of 0.3 ms). Seconds when already vacuumed.
        with connection.cursor() as cur:
            cur.execute("VACUUM (ANALYZE) hazards_hazardcase")
    log(
        f"data: {HazardCase.objects.count():,} cases ready in {time.perf_counter() - t0:.1f} s "
        f"({connection.vendor})"
    )
    # District department staff: the scope is the area OR the department's own cases (a subquery).
    reader = User.objects.get(username="qingcheng_em")
    creator = User.objects.get(username="qingcheng_staff")
    tokens = {u.username: Token.objects.get_or_create(user=u)[0].key for u in (reader, creator)}
    district = Division.objects.get(code="441802")
    fire = Category.objects.get(code="fire")
    state = {
        "user": reader.username,
        "creator": creator.username,
        "tokens": tokens,
        "list_query": f"/api/v1/hazards/?state=open&district={district.pk}&category={fire.pk}",
        # A box around one town centre, about 3 km: at zoom 15, as the console map asks for it.
        "map_query": "/api/v1/hazards/map/?bbox=113.035,23.685,113.065,23.715&zoom=15&state=open",
    }
    STATE_FILE.parent.mkdir(parents=True, exist_ok=True)
    STATE_FILE.write_text(json.dumps(state))
    return state


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(port: int, method: str, path: str, headers: dict, body: bytes | None) -> tuple[int, float, int]:
    import http.client

    t = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, time.perf_counter() - t, len(data)


def _client(args: tuple) -> list[tuple[int, float, int]]:
    port, method, path, headers, seconds, body_kind, worker = args
    out = []
    end = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < end:
        body = None
        if body_kind == "create":
            i += 1
            body = json.dumps(
                {
                    "title": "基准测试隐患",
                    "category": "fire_exit",
                    # Outside the map's box: each run measures the same box.
                    "lat": 23.70 + (i % 100) * 1e-4,
                    "lon": 113.15,
                    "client_token": f"b{worker}-{os.getpid()}-{time.time_ns()}-{i}",
                }
            ).encode()
        out.append(_request(port, method, path, headers, body))
    return out


def load(
    port: int,
    method: str,
    path: str,
    headers: dict,
    *,
    clients: int,
    seconds: float,
    body_kind: str | None = None,
) -> dict:
    with mp.get_context("fork").Pool(clients) as pool:
        results = pool.map(
            _client, [(port, method, path, headers, seconds, body_kind, w) for w in range(clients)]
        )
    rows = [r for chunk in results for r in chunk]
    ok = [r for r in rows if 200 <= r[0] < 300]
    lat = sorted(r[1] for r in ok) or [float("nan")]
    return {
        "n": len(rows),
        "ok": len(ok),
        "errors": len(rows) - len(ok),
        "rps": len(ok) / seconds,
        "p95_ms": 1000 * lat[min(len(lat) - 1, int(0.95 * len(lat)))],
        "bytes": ok[0][2] if ok else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--million", action="store_true", help="1,000,000 cases")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--seconds", type=float, default=8.0, help="per measurement")
    parser.add_argument(
        "--only", default="list,map,create", help="endpoints to measure, comma-separated (list,map,create)"
    )
    args = parser.parse_args()
    n = 1_000_000 if args.million else args.cases
    print(
        f"Hazard benchmark: {n:,} cases, {args.clients} concurrent clients, {args.workers} server workers, "
        f"{args.seconds:.0f} s per run"
    )
    # A SIGTERM (timeout, Ctrl-C in a pipeline) still stops the server through the finally below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    state = prepare(n)
    port = _free_port()
    # Not bench/ on PYTHONPATH (bench/warnings.py would shadow the standard library): --chdir puts it
    # on sys.path once the interpreter is up.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    sys.path.append(str(ROOT / "bench"))  # bench/cpu.py, after the standard library
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "hazards:application",
            "--chdir",
            str(ROOT / "bench"),
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.workers),
            "--backlog",
            "512",
            "--log-level",
            "warning",
            "--timeout",
            "120",
        ],
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180  # a loaded machine takes a while to start Django twice
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise SystemExit(f"the server stopped (exit {server.returncode})")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.2)
        auth_read = {"Authorization": f"Token {state['tokens'][state['user']]}", "Accept": "application/json"}
        auth_write = {
            "Authorization": f"Token {state['tokens'][state['creator']]}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        # Warm up every path in every worker (and let each capture its SQL).
        for _ in range(3 * args.workers):
            for path, headers in (
                (state["list_query"], auth_read),
                ("/bench-bare/list?" + state["list_query"].partition("?")[2], auth_read),
                ("/bench-bare/sql-list", auth_read),
                ("/bare/list", {}),
                (state["map_query"], auth_read),
                ("/bench-bare/map?" + state["map_query"].partition("?")[2], auth_read),
                ("/bench-bare/sql-map", auth_read),
                ("/bare/map", {}),
            ):
                status, _t, size = _request(port, "GET", path, headers, None)
                assert status == 200, (path, status)
        sample = json.loads(_request_body(port, state["list_query"], auth_read))
        feats = json.loads(_request_body(port, state["map_query"], auth_read))
        print(
            f"list: {sample['count']:,} matching cases, page of {len(sample['results'])}; "
            f"map box: {feats['count']:,} cases, {'clustered' if feats['clustered'] else 'points'} "
            f"({len(feats['features'])} features)"
        )
        runs = [
            ("list (filtered, page 50)", "GET", state["list_query"], auth_read, "list", None),
            ("map (bbox GeoJSON)", "GET", state["map_query"], auth_read, "map", None),
            ("create (POST, idempotent token)", "POST", "/api/v1/hazards/", auth_write, "create", "create"),
        ]
        runs = [r for r in runs if r[4] in args.only.split(",")]
        print(
            "\nthree peers of each endpoint in the same server: the bare view (a plain Django view behind"
            "\nthe same middleware and token check, doing the same work through the same querysets with"
            "\nno API framework; the target's peer), the SQL replay (the same view running the endpoint's"
            "\nSQL with a cursor: no ORM query building either) and the raw floor (a WSGI callable"
            "\nbefore Django: no middleware, no authentication)"
        )
        print(
            f"\n{'endpoint':32} {'req/s':>7} {'p95 ms':>7} {'CPU ms':>6}  {'bare view':>9} {'CPU':>5} "
            f"{'ratio':>5} {'CPU r.':>6}  {'SQL replay':>10} {'CPU':>5} {'ratio':>5}  "
            f"{'raw floor':>9} {'CPU':>5} {'ratio':>5}"
        )
        ratios, cpu_ratios, p95s, replay_ratios, floor_ratios = [], [], [], [], []
        from cpu import CpuMeter
        from django.db import connection

        def measured(method: str, path: str, headers: dict, body: str | None) -> dict:
            # CPU of the server's processes and of PostgreSQL's backends for this database, per request:
            # independent of how many other jobs share the box (the wall-clock figures are not).
            with CpuMeter({"server": server.pid}, db_name=connection.settings_dict["NAME"]) as meter:
                out = load(
                    port, method, path, headers, clients=args.clients, seconds=args.seconds, body_kind=body
                )
            cpu = meter.seconds()
            out["cpu_ms"] = 1000 * (cpu.get("server", 0.0) + cpu.get("postgres", 0.0)) / max(out["ok"], 1)
            out["box_busy"] = meter.box_busy()
            return out

        busy = []
        for label, method, path, headers, name, body in runs:
            query = path.partition("?")[2]
            real = measured(method, path, headers, body)
            view = measured(method, f"/bench-bare/{name}?{query}", headers, body)
            # Creation has no statement to replay: its peer is the actions call (the bare view's own).
            replay = measured(method, f"/bench-bare/sql-{name}", headers, body) if name != "create" else None
            floor = measured(method, f"/bare/{name}", {"Content-Type": "application/json"}, body)
            peers = [real, view, floor] + ([replay] if replay else [])
            busy += [p["box_busy"] for p in peers]
            ratio = real["rps"] / view["rps"] if view["rps"] else float("nan")
            cpu_ratio = view["cpu_ms"] / real["cpu_ms"] if real["cpu_ms"] else float("nan")
            floor_ratio = real["rps"] / floor["rps"] if floor["rps"] else float("nan")
            ratios.append(ratio)
            cpu_ratios.append(cpu_ratio)
            floor_ratios.append(floor_ratio)
            p95s.append(real["p95_ms"])
            if replay:
                replay_ratios.append(real["rps"] / replay["rps"] if replay["rps"] else float("nan"))
                replay_cols = f"{replay['rps']:10.1f} {replay['cpu_ms']:5.1f} {replay_ratios[-1]:5.2f}"
            else:
                replay_cols = f"{'—':>10} {'':5} {'':5}"
            errors = [p["errors"] for p in peers]
            errs = f"  (errors: {'/'.join(map(str, errors))})" if any(errors) else ""
            print(
                f"{label:32} {real['rps']:7.1f} {real['p95_ms']:7.1f} {real['cpu_ms']:6.1f}  "
                f"{view['rps']:9.1f} {view['cpu_ms']:5.1f} {ratio:5.2f} {cpu_ratio:6.2f}  {replay_cols}  "
                f"{floor['rps']:9.1f} {floor['cpu_ms']:5.1f} {floor_ratio:5.2f}{errs}"
            )
        load1 = os.getloadavg()[0]
        print(
            f"\nthe box: {os.cpu_count()} cores, {100 * sum(busy) / len(busy):.0f} % busy during the runs "
            f"(every process on it, the {args.clients} load-generating clients included), "
            f"load average {load1:.1f}"
        )
        # The targets name the list and the map; creation is measured beside them, for the record.
        reads = [i for i, r in enumerate(runs) if r[4] in ("list", "map")]
        if reads:
            low = min(ratios[i] for i in reads)
            low_cpu = min(cpu_ratios[i] for i in reads)
            high_p95 = max(p95s[i] for i in reads)
            print(
                f"target (the list and the map): ratio ≥ 0.8 of the bare view — "
                f"{'met' if low >= 0.8 else 'NOT met'} (lowest {low:.2f}; by CPU per request "
                f"{low_cpu:.2f}); p95 ≤ 100 ms — {'met' if high_p95 <= 100 else 'NOT met'} "
                f"(highest {high_p95:.0f} ms)"
            )
        for i, r in enumerate(runs):
            if r[4] == "create":
                print(f"creation: {ratios[i]:.2f} of the bare view (by CPU per request {cpu_ratios[i]:.2f})")
        if replay_ratios:
            print(f"against the SQL replay: lowest {min(replay_ratios):.2f}", end="; ")
        print(f"against the raw floor: lowest {min(floor_ratios):.2f}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _request_body(port: int, path: str, headers: dict) -> bytes:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers=headers)
    data = conn.getresponse().read()
    conn.close()
    return data


if __name__ == "__main__":
    main()

"""Start the platform's processes for a demo or a single-host install, and say where to log in.

The web server (gunicorn, with WhiteNoise serving the static files — never Django's development
server), the huey worker, and whatever each app declares in `platform_processes` on its
AppConfig (a list of (name, argv after manage.py, predicate) — e.g. the MQTT consumer when MQTT_URL
is set). Ctrl-C stops them all. Production runs the same pieces under a process manager
(docs/operations.md).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server, the background worker and the apps' extra processes."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", "2")),
            help="gunicorn worker processes (WEB_CONCURRENCY)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("WEB_THREADS", "4")),
            help="threads per worker (WEB_THREADS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Child processes (the simulator) find the web server through PORT.
        os.environ.setdefault("PORT", str(options["port"]))
        manage = [sys.executable, "manage.py"]
        address = f"{options['host']}:{options['port']}"
        procs: list[tuple[str, list[str]]] = [
            (
                "web",
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "pingan.config.wsgi:application",
                    "--bind",
                    address,
                    "--workers",
                    str(options["workers"]),
                    "--threads",
                    str(options["threads"]),
                    "--worker-class",
                    "gthread",
                    "--timeout",
                    "60",
                    "--graceful-timeout",
                    "20",
                    # A worker is replaced after this many requests: memory stays flat over weeks.
                    "--max-requests",
                    "5000",
                    "--max-requests-jitter",
                    "500",
                    "--forwarded-allow-ips",
                    os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
                    "--error-logfile",
                    "-",
                    "--log-level",
                    "warning",
                ],
            ),
            ("worker", manage + ["run_huey", "--quiet"]),
        ]
        for config in apps.get_app_configs():
            for name, argv, wanted in getattr(config, "platform_processes", ()):
                if wanted():
                    procs.append((name, manage + list(argv)))
        # Stop the children on SIGTERM too (a supervisor or `timeout`), not only on Ctrl-C.
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        running: list[tuple[str, subprocess.Popen]] = []
        for name, argv in procs:
            running.append((name, subprocess.Popen(argv, env=os.environ.copy())))
            self.stdout.write(f"started {name}: {' '.join(argv[1:])}")
        self._banner(address)
        try:
            while True:
                for name, proc in running:
                    if proc.poll() is not None:
                        self.stderr.write(f"{name} stopped (exit {proc.returncode}); stopping the rest")
                        raise KeyboardInterrupt
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            # Stopping already: a second SIGTERM or Ctrl-C (an impatient supervisor) must not break off
            # the children's graceful stop with a traceback; each still gets its 10 s, then a kill.
            previous = (
                signal.signal(signal.SIGTERM, signal.SIG_IGN),
                signal.signal(signal.SIGINT, signal.SIG_IGN),
            )
            try:
                for _name, proc in running:
                    if proc.poll() is None:
                        proc.send_signal(signal.SIGTERM)
                for _name, proc in running:
                    try:
                        proc.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        proc.kill()
            finally:
                for sig, handler in zip((signal.SIGTERM, signal.SIGINT), previous, strict=True):
                    if handler is not None:  # None: a handler not set from Python, nothing to restore
                        signal.signal(sig, handler)

    def _banner(self, address: str) -> None:
        from pingan.core.demo_accounts import DEMO_ACCOUNTS, DEMO_PASSWORD

        url = f"http://{address}"
        lines = [
            "",
            "=" * 72,
            f"  平安清远 Ping'an is running:   {url}/",
            f"  Staff console:                 {url}/console/",
            f"  API docs:                      {url}/api/docs/",
            f"  Demo password (every account): {DEMO_PASSWORD}",
            "  Demo logins, one per role:",
        ]
        for username, role, where in DEMO_ACCOUNTS:
            lines.append(f"    {username:<22} {role:<18} {where}")
        lines += ["=" * 72, ""]
        self.stdout.write("\n".join(lines))

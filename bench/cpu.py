"""CPU seconds per process kind, read from /proc (Linux), for benchmarks on a shared machine.

`CpuMeter` samples, every `period` seconds in a thread, the CPU time (user + system) of
- each named process group (a process started with start_new_session=True and its children:
  gunicorn's master and workers, a huey worker, an MQTT consumer),
- the PostgreSQL backends serving one database (pids from pg_stat_activity),
- this process and its children (the load generator),
- and the whole box (/proc/stat), so that "the two cores were saturated" is a figure, not a guess.
A process that exits between samples keeps the last value seen; the error is one period's CPU.
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(process group, CPU seconds) of one process, None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            raw = f.read()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    # After the command: state ppid pgrp session … utime(14th overall → index 11 here) stime(12)
    return int(fields[2]), (int(fields[11]) + int(fields[12])) / TICK


def _all_pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def box_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of every core since boot."""
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
    return sum(parts) - idle, sum(parts)


class CpuMeter:
    def __init__(self, groups: dict[str, int], db_name: str | None = None, period: float = 0.5) -> None:
        self.groups = groups  # kind → process-group id
        self.db_name = db_name
        self.period = period
        self.seen: dict[str, dict[int, float]] = defaultdict(dict)  # kind → pid → CPU s (max seen)
        self.start: dict[str, dict[int, float]] = defaultdict(dict)  # CPU s at the first sight
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._box0 = box_jiffies()
        self._box1 = self._box0
        self._t0 = time.monotonic()
        self._t1 = self._t0
        self._db_pids: set[int] = set()

    def __enter__(self) -> CpuMeter:
        self._sample(first=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sample()
        self._box1 = box_jiffies()
        self._t1 = time.monotonic()

    def _run(self) -> None:
        while not self._stop.wait(self.period):
            self._sample()

    def _pg_pids(self) -> set[int]:
        if not self.db_name:
            return set()
        try:
            import psycopg

            dsn = os.environ.get("DATABASE_URL", "")
            with psycopg.connect(dsn, autocommit=True) as conn:
                rows = conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                    [self.db_name],
                ).fetchall()
            return {r[0] for r in rows}
        except Exception:  # noqa: BLE001 - a missed sample is one period's error, never a failed bench
            return self._db_pids

    def _sample(self, first: bool = False) -> None:
        wanted = {pg: kind for kind, pg in self.groups.items()}
        me = os.getpgrp()
        self._db_pids = self._pg_pids() | self._db_pids
        for pid in _all_pids():
            st = _stat(pid)
            if st is None:
                continue
            pgrp, cpu = st
            kind = wanted.get(pgrp)
            if kind is None and pid in self._db_pids:
                kind = "postgres"
            if kind is None and pgrp == me:
                kind = "load generator"
            if kind is None:
                continue
            self.start[kind].setdefault(pid, 0.0 if not first else cpu)
            self.seen[kind][pid] = max(self.seen[kind].get(pid, 0.0), cpu)

    def seconds(self) -> dict[str, float]:
        """CPU seconds used by each kind during the measurement."""
        return {
            kind: sum(cpu - self.start[kind].get(pid, 0.0) for pid, cpu in pids.items())
            for kind, pids in self.seen.items()
        }

    def wall(self) -> float:
        return self._t1 - self._t0

    def box_busy(self) -> float:
        """Share of the box's cores busy during the measurement (every process, anyone's), 0–1."""
        busy = self._box1[0] - self._box0[0]
        total = self._box1[1] - self._box0[1]
        return busy / total if total else 0.0

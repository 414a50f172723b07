"""The monitoring rules as pure functions (no ORM): thresholds with hysteresis, rate of change,
duration, rainfall accumulation mapped to the national rainstorm signals, no data, events,
schedules.

The evaluator keeps a small JSON-able state per sensor (`SensorState.data`) so that it can be held
in memory, written back with each batch and restored after a restart: a condition that was half-way
through its duration resumes where it was.

State of a sensor::

    {"t": last evaluated reading time (epoch s), "v": its value,
     "r": {rule id: {"l": current level (0 none), "ps": pending since, "pn": pending samples,
                     "pl": pending level, "et": last event time}},
     "rain": [[ts, mm], ...]   # the last 24 h of rainfall increments, oldest first}

A transition is `(rule_id, kind, level, ts, value)` with kind raise / up / down / clear.

Counting rule (docs/domain/README.md): thresholds "以上" include the number itself, so a level is reached when
value ≥ on; it clears when value < off (hysteresis: off ≤ on).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any, TypedDict

from .choices import RuleKind

RAISE, UP, DOWN, CLEAR = "raise", "up", "down", "clear"
# (rule id, raise/up/down/clear, level, time, value)
Transition = tuple[int | str, str, int, float, float]
# The rule kinds of choices.RuleKind as plain strings (compared for every reading: no enum lookups).
THRESHOLD, RATE, ACCUMULATION, NODATA, EVENT = (
    str(k.value)
    for k in (RuleKind.THRESHOLD, RuleKind.RATE, RuleKind.ACCUMULATION, RuleKind.NODATA, RuleKind.EVENT)
)


class SignalTable(TypedDict):
    source: str
    effective_from: str
    levels: list[tuple[int, str, int, float]]  # (level, colour, window hours, mm)


# National rainstorm warning signals (气象灾害预警信号发布与传播办法, 中国气象局令第16号, annex) [V2]:
# (level, colour, window hours, mm) — "≥" per the counting rule. Guangdong issues its own signals:
# these are a warning input, never a Guangdong signal (docs/domain/08-warnings.md).
RAINSTORM_SIGNALS: SignalTable = {
    "source": "气象灾害预警信号发布与传播办法(中国气象局令第16号)附件 暴雨预警信号 [V2]",
    "effective_from": "2007-06-12",
    "levels": [(4, "red", 3, 100.0), (3, "orange", 3, 50.0), (2, "yellow", 6, 50.0), (1, "blue", 12, 50.0)],
}
RAIN_WINDOWS_H = (1, 3, 6, 12, 24)


@dataclass(frozen=True)
class Level:
    severity: int  # 1 blue … 4 red
    on: float  # reached when value ≥ on (or ≤ on for direction "below")
    off: float | None = None  # left when value < off (hysteresis); None: off = on
    label: str = ""

    @property
    def clear_at(self) -> float:
        return self.on if self.off is None else self.off


@dataclass(frozen=True)
class Schedule:
    """Days of week (0 Monday … 6 Sunday) and a local time window (end may pass midnight)."""

    days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    start: time = time(0, 0)
    end: time = time(23, 59, 59)

    def contains(self, local: datetime) -> bool:
        t = local.time()
        if self.start <= self.end:
            return local.weekday() in self.days and self.start <= t <= self.end
        # over midnight: the part after midnight belongs to the previous day's window
        if t >= self.start:
            return local.weekday() in self.days
        if t <= self.end:
            return (local.weekday() - 1) % 7 in self.days
        return False


@dataclass(frozen=True)
class RuleSpec:
    id: int | str
    kind: str  # threshold, rate, accumulation, nodata, event
    levels: tuple[Level, ...] = ()  # ascending severity (threshold, rate, event)
    direction: str = "above"  # above, below, both (rate)
    for_seconds: float = 0.0  # duration: the condition holds this long …
    for_samples: int = 0  # … and for this many consecutive samples
    nodata_seconds: float = 0.0  # nodata: no reading for this long
    hold_seconds: float = 300.0  # event: cleared after this long without a new event
    schedule: Schedule | None = None  # active only inside the schedule
    tz_offset_s: int = 8 * 3600  # schedules are local (Asia/Shanghai, no DST)
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    # The key of this rule's state in a sensor's state dict (str(id)), made once, not per reading.
    key: str = field(default="", compare=False, hash=False)

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", str(self.id))


# --- single rules ---------------------------------------------------------------------------------


def threshold_level(levels: tuple[Level, ...], value: float, current: int, direction: str = "above") -> int:
    """The level a value stands at, with hysteresis: a level already held is kept while
    value ≥ its `off`; a level not held is reached at value ≥ its `on`. 0: none."""
    best = 0
    if direction == "below":
        for lv in levels:
            if value <= lv.on or (lv.severity <= current and value <= lv.clear_at):
                best = max(best, lv.severity)
        return best
    for lv in levels:
        if value >= lv.on or (lv.severity <= current and value >= lv.clear_at):
            best = max(best, lv.severity)
    return best


def rate_per_minute(prev_ts: float, prev_value: float, ts: float, value: float) -> float | None:
    if ts <= prev_ts:
        return None
    return (value - prev_value) * 60.0 / (ts - prev_ts)


def window_sums(
    points: list[list[float]], now: float, hours: Iterable[int] = RAIN_WINDOWS_H
) -> dict[int, float]:
    """Rainfall in the windows ending at `now`: (now − h, now] for each h."""
    out = {}
    times = [p[0] for p in points]
    for h in hours:
        i = bisect.bisect_right(times, now - h * 3600)
        j = bisect.bisect_right(times, now)
        out[h] = round(sum(p[1] for p in points[i:j]), 3)
    return out


def rainstorm_signal(sums: dict[int, float]) -> int:
    """The highest national rainstorm signal level the window sums reach (0: none)."""
    for level, _colour, hours, mm in RAINSTORM_SIGNALS["levels"]:
        if sums.get(hours, 0.0) >= mm:
            return int(level)
    return 0


def rainstorm_signal_of(readings: Iterable[tuple[float, float]], now: float) -> tuple[int, dict[int, float]]:
    points = sorted([list(r) for r in readings])
    sums = window_sums(points, now)
    return rainstorm_signal(sums), sums


def in_schedule(spec: RuleSpec, ts: float) -> bool:
    if spec.schedule is None:
        return True
    return spec.schedule.contains(_local(ts, spec.tz_offset_s))


def _local(ts: float, offset: int) -> datetime:
    return datetime.fromtimestamp(ts + offset, UTC).replace(tzinfo=None)


# --- the evaluator ------------------------------------------------------------------------------


def _apply(
    spec: RuleSpec, rs: dict[str, Any], target: int, ts: float, value: float, out: list[Transition]
) -> None:
    """Move a rule's level towards `target`, honouring duration (upward only) and schedules."""
    cur = rs.get("l", 0)
    if target > cur:
        if spec.schedule is not None and not in_schedule(spec, ts):
            rs.pop("ps", None)
            rs.pop("pn", None)
            return
        if spec.for_seconds or spec.for_samples:
            if "ps" not in rs:
                rs["ps"] = ts
                rs["pn"] = 0
            rs["pn"] = rs.get("pn", 0) + 1
            if ts - rs["ps"] < spec.for_seconds or rs["pn"] < spec.for_samples:
                return
        rs.pop("ps", None)
        rs.pop("pn", None)
        rs["l"] = target
        out.append((spec.id, RAISE if cur == 0 else UP, target, ts, value))
        return
    rs.pop("ps", None)
    rs.pop("pn", None)
    if target < cur:
        rs["l"] = target
        out.append((spec.id, CLEAR if target == 0 else DOWN, target, ts, value))


def evaluate(specs: tuple[RuleSpec, ...], state: dict[str, Any], ts: float, value: float) -> list[Transition]:
    """Feed one reading to a sensor's rules; returns the transitions and updates `state`.

    A reading at or before the last evaluated one (a replay, a redelivery, a late reading) does not
    move threshold, rate, duration or event rules — so it can never reopen a cleared alarm; a late
    rainfall increment is added to its window and the signal re-evaluated at the latest time.
    """
    out: list[Transition] = []
    last_t = state.get("t")
    rules = state.setdefault("r", {})
    if last_t is not None and ts <= last_t:
        if ts == last_t:
            return out
        for spec in specs:
            if spec.kind == ACCUMULATION:
                rain = state.setdefault("rain", [])
                i = bisect.bisect_left([p[0] for p in rain], ts)
                if i < len(rain) and rain[i][0] == ts:
                    continue
                if ts <= last_t - 24 * 3600:
                    continue
                rain.insert(i, [ts, value])
                rs = rules.setdefault(spec.key, {})
                _apply(spec, rs, rainstorm_signal(window_sums(rain, last_t)), last_t, value, out)
        return out
    prev_t, prev_v = last_t, state.get("v")
    state["t"], state["v"] = ts, value
    for spec in specs:
        rs = rules.setdefault(spec.key, {})
        kind = spec.kind
        if kind == THRESHOLD:
            _apply(
                spec, rs, threshold_level(spec.levels, value, rs.get("l", 0), spec.direction), ts, value, out
            )
        elif kind == RATE:
            if prev_t is None or prev_v is None:
                continue
            rate = rate_per_minute(prev_t, prev_v, ts, value)
            if rate is None:
                continue
            if spec.direction == "both":
                rate = abs(rate)
            direction = "below" if spec.direction == "below" else "above"
            # A "rise" rule reports a rise, never a fall (and a "fall" rule a fall): a steady or falling
            # level is no rise at all — level 0, whatever the thresholds (a rise rule whose `on` was set
            # to 0 or below used to raise on a flat or falling river and list a "rise" of −0.3 m/min) —
            # and the value of a clear is 0, not the falling rate that cleared it.
            if (rate <= 0.0) if direction == "above" else (rate >= 0.0):
                _apply(spec, rs, 0, ts, 0.0, out)
                continue
            _apply(spec, rs, threshold_level(spec.levels, rate, rs.get("l", 0), direction), ts, rate, out)
        elif kind == ACCUMULATION:
            rain = state.setdefault("rain", [])
            rain.append([ts, value])
            cut = bisect.bisect_right([p[0] for p in rain], ts - 24 * 3600)
            if cut:
                del rain[:cut]
            sums = window_sums(rain, ts)
            _apply(spec, rs, rainstorm_signal(sums), ts, sums.get(3, 0.0), out)
        elif kind == NODATA:
            if rs.get("l", 0):
                _apply(spec, rs, 0, ts, value, out)
        elif kind == EVENT:
            if value >= 0.5:
                rs["et"] = ts
                if not rs.get("l", 0):
                    sev = spec.levels[-1].severity if spec.levels else 3
                    _apply(spec, rs, sev, ts, value, out)
    return out


def sweep(specs: tuple[RuleSpec, ...], state: dict[str, Any], now: float) -> list[Transition]:
    """Time-driven rules, run periodically: no data for too long (device offline), and events that
    have not recurred within their hold time clear."""
    out: list[Transition] = []
    rules = state.setdefault("r", {})
    last_t = state.get("t")
    for spec in specs:
        rs = rules.setdefault(spec.key, {})
        if spec.kind == NODATA:
            since = last_t if last_t is not None else state.setdefault("since", now)
            if not rs.get("l", 0) and now - since >= spec.nodata_seconds:
                rs["l"] = spec.levels[-1].severity if spec.levels else 2
                out.append((spec.id, RAISE, rs["l"], now, math.nan))
        elif spec.kind == EVENT:
            if rs.get("l", 0) and now - rs.get("et", now) >= spec.hold_seconds:
                rs["l"] = 0
                out.append((spec.id, CLEAR, 0, now, 0.0))
    return out


# --- compiling rule rows ------------------------------------------------------------------------


def spec_from_params(
    rule_id: int | str, kind: str, params: dict[str, Any], meta: dict[str, Any] | None = None
) -> RuleSpec:
    """A RuleSpec from a rule's stored parameters (see models.Rule.params)."""
    levels = tuple(
        sorted(
            (
                Level(
                    int(lv["severity"]),
                    float(lv["on"]),
                    None if lv.get("off") is None else float(lv["off"]),
                    str(lv.get("label", "")),
                )
                for lv in params.get("levels", [])
            ),
            key=lambda lv: lv.severity,
        )
    )
    if kind == EVENT:
        levels = (Level(int(params.get("severity", 3)), 1.0),)
    elif kind == NODATA:
        levels = (Level(int(params.get("severity", 2)), 0.0, label="离线"),)
    elif kind == ACCUMULATION:
        levels = tuple(
            Level(sev, mm, label=colour) for sev, colour, _h, mm in sorted(RAINSTORM_SIGNALS["levels"])
        )
    schedule = None
    sch = params.get("schedule")
    if sch:
        schedule = Schedule(
            days=tuple(sch.get("days", range(7))),
            start=time.fromisoformat(sch.get("start", "00:00")),
            end=time.fromisoformat(sch.get("end", "23:59:59")),
        )
    return RuleSpec(
        id=rule_id,
        kind=kind,
        levels=levels,
        direction=params.get("direction", "above"),
        for_seconds=float(params.get("for_seconds", 0)),
        for_samples=int(params.get("for_samples", 0)),
        nodata_seconds=float(params.get("nodata_minutes", 10)) * 60,
        hold_seconds=float(params.get("hold_seconds", 300)),
        schedule=schedule,
        meta=meta or {},
    )


def level_label(spec: RuleSpec, severity: int) -> str:
    for lv in spec.levels:
        if lv.severity == severity:
            return lv.label
    return ""


def state_level(state: dict[str, Any]) -> int:
    """The highest level any rule of the sensor currently holds."""
    return max((rs.get("l", 0) for rs in state.get("r", {}).values()), default=0)

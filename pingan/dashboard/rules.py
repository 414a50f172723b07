"""The urban–rural balance (资源均衡) as pure functions: gaps per township and the allocation of a
budget in units to the options that most reduce the population-weighted gap. No ORM.

Every number below is a planning assumption of this tool, not a legal norm; the city may change them.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

# What one unit buys, and the planning assumptions of the straight-line travel-time estimate.
UNITS: dict[str, object] = {
    "source": "资源均衡测算口径(本平台规划假设,示例值,待本市设定)",
    "effective_from": "2026-01-01",
    "sensor_devices_per_unit": 10,  # 1 unit = 10 monitoring devices
    "inspection_days_per_unit": 20,  # 1 unit = 20 inspector days on site
    "station_units": 5,  # a new rescue station costs 5 units
}
TRAVEL: dict[str, object] = {
    "source": "直线距离估算:绕行系数 1.4,平均车速 45 km/h,山区车速除以 1.5,出动 3 分钟",
    "detour": 1.4,
    "speed_kmh": 45.0,
    "mountain_factor": 1.5,
    "turnout_min": 3.0,
    "threshold_min": 30.0,
}


def _num(key: str, table: dict[str, object]) -> float:
    return float(str(table[key]))


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius 6371 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def travel_minutes(distance_km: float, mountain: bool) -> float:
    speed = _num("speed_kmh", TRAVEL) / (_num("mountain_factor", TRAVEL) if mountain else 1.0)
    return _num("turnout_min", TRAVEL) + distance_km * _num("detour", TRAVEL) / speed * 60


@dataclass(frozen=True)
class Township:
    code: str
    name: str
    population: float
    area_km2: float
    mountain: bool
    devices: int
    grid_workers: int
    inspection_days: int  # on-site inspections in the last year
    covered_share: float  # population share within 30 minutes of a team (0–1)
    median_close_days: float | None
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def devices_per_10k(self) -> float:
        return 10000 * self.devices / self.population if self.population else 0.0

    @property
    def grid_per_100km2(self) -> float:
        return 100 * self.grid_workers / self.area_km2 if self.area_km2 else 0.0

    @property
    def inspections_per_10k(self) -> float:
        return 10000 * self.inspection_days / self.population if self.population else 0.0


def targets(towns: Sequence[Township]) -> dict[str, float]:
    """The level each township is measured against: the median of the non-mountain townships (what the
    towns already have), so the gap is what the mountain and thin townships lack."""
    base = [t for t in towns if not t.mountain and t.population] or [t for t in towns if t.population]
    if not base:
        return {"devices_per_10k": 0.0, "inspections_per_10k": 0.0, "covered_share": 1.0}
    return {
        "devices_per_10k": statistics.median(t.devices_per_10k for t in base),
        "inspections_per_10k": statistics.median(t.inspections_per_10k for t in base),
        "covered_share": max(statistics.median(t.covered_share for t in base), 0.0),
    }


def gap(t: Township, target: dict[str, float]) -> dict[str, float]:
    """Each measure's shortfall as a share of its target (0 none … 1 nothing), and their mean."""

    def short(value: float, goal: float) -> float:
        return max(0.0, goal - value) / goal if goal > 0 else 0.0

    g = {
        "devices": short(t.devices_per_10k, target["devices_per_10k"]),
        "inspections": short(t.inspections_per_10k, target["inspections_per_10k"]),
        "coverage": short(t.covered_share, target["covered_share"]),
    }
    g["total"] = (g["devices"] + g["inspections"] + g["coverage"]) / 3
    return g


def weighted_gap(towns: Sequence[Township], target: dict[str, float]) -> float:
    """The population-weighted mean gap: the one score the allocation reduces."""
    pop = sum(t.population for t in towns)
    return sum(t.population * gap(t, target)["total"] for t in towns) / pop if pop else 0.0


@dataclass(frozen=True)
class Step:
    kind: str  # "sensors" | "inspections" | "station"
    code: str  # township
    units: int
    score: float  # reduction of the weighted gap per unit, ×1000 (shown)
    covers: tuple[str, ...] = ()  # townships a station brings within 30 minutes


def allocate(
    towns: Sequence[Township],
    budget: int,
    station_cover: dict[str, dict[str, float]] | None = None,
    target: dict[str, float] | None = None,
) -> tuple[list[Step], list[Township]]:
    """Greedy allocation: each step buys the option with the largest reduction of the weighted gap per
    unit (ties: the township code), until the budget is spent. `station_cover[candidate][town]` is the
    share of the town's population a station at the candidate would bring within 30 minutes.

    The targets stay those of the starting situation (or the city's, when given for a district), so the
    scores are comparable along the way."""
    target = target or targets(towns)
    state = {t.code: t for t in towns}
    steps: list[Step] = []
    left = budget
    per_unit_devices = int(_num("sensor_devices_per_unit", UNITS))
    per_unit_days = int(_num("inspection_days_per_unit", UNITS))
    station_cost = int(_num("station_units", UNITS))
    while left > 0:
        base = weighted_gap(list(state.values()), target)
        best: tuple[float, str, Step, dict[str, Township]] | None = None
        for t in state.values():
            for kind, cost, changed in (
                ("sensors", 1, {t.code: replace(t, devices=t.devices + per_unit_devices)}),
                ("inspections", 1, {t.code: replace(t, inspection_days=t.inspection_days + per_unit_days)}),
            ):
                after = weighted_gap(list({**state, **changed}.values()), target)
                gain = (base - after) / cost
                if gain > 1e-12 and (best is None or (gain, t.code) > (best[0], best[1])):
                    best = (gain, t.code, Step(kind, t.code, cost, round(gain * 1000, 3)), changed)
        if station_cover and left >= station_cost:
            for cand, shares in sorted(station_cover.items()):
                changed = {
                    c: replace(state[c], covered_share=min(1.0, max(state[c].covered_share, s)))
                    for c, s in shares.items()
                    if c in state and s > state[c].covered_share
                }
                if not changed:
                    continue
                after = weighted_gap(list({**state, **changed}.values()), target)
                gain = (base - after) / station_cost
                if gain > 1e-12 and (best is None or gain > best[0]):
                    step = Step("station", cand, station_cost, round(gain * 1000, 3), tuple(sorted(changed)))
                    best = (gain, cand, step, changed)
        if best is None:
            break
        steps.append(best[2])
        state.update(best[3])
        left -= best[2].units
    return steps, [state[t.code] for t in towns]


# --- periods of the district report (月报/季报) ------------------------------------------------------


def report_period(kind: str, day: dt.date) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """The calendar month or quarter containing `day`, and the one before it (dates inclusive):
    (start, end, previous start, previous end). A month is compared with the previous calendar month,
    a quarter with the previous quarter (Q1 with the last year's Q4)."""
    months = 3 if kind == "quarter" else 1
    first = (day.month - 1) // months * months + 1
    start = dt.date(day.year, first, 1)

    def add_months(d: dt.date, n: int) -> dt.date:
        y, m = divmod(d.month - 1 + n, 12)
        return dt.date(d.year + y, m + 1, 1)

    end = add_months(start, months) - dt.timedelta(days=1)
    p_start = add_months(start, -months)
    return start, end, p_start, start - dt.timedelta(days=1)

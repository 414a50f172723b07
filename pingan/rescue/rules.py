"""Rescue rules as data and pure functions (no ORM).

Speeds are planning values for an emergency vehicle, not legal limits; a city overrides them with
the setting RESCUE_ROAD_SPEEDS (a dict of road class → km/h) and RESCUE_MOUNTAIN_FACTOR.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .choices import MobilisationState as S

# Planning speeds (km/h) by OSM `highway` class. Source: typical design speeds of JTG B01-2014
# (公路工程技术标准) reduced for emergency driving in mixed traffic; configurable.
ROAD_SPEEDS_KMH: dict[str, Any] = {
    "source": "JTG B01-2014 design speeds, reduced for mixed traffic (planning values)",
    "effective_from": "2026-01-01",
    "speeds": {
        "motorway": 90,
        "motorway_link": 50,
        "trunk": 70,
        "trunk_link": 40,
        "primary": 55,
        "primary_link": 35,
        "secondary": 45,
        "secondary_link": 30,
        "tertiary": 38,
        "tertiary_link": 25,
        "unclassified": 30,
        "residential": 25,
        "living_street": 10,
        "service": 15,
        "road": 25,
        "track": 12,
    },
}
# Roads through the mountainous north are slower (curves, grades): travel time is divided by this.
MOUNTAIN_FACTOR = {
    "value": 0.6,
    "source": "planning assumption for winding mountain roads",
    "effective_from": "2026-01-01",
}

# The mountainous county-level units of Qingyuan (docs/domain/09-qingyuan.md): 连州、连山、连南、阳山.
MOUNTAIN_DISTRICTS = {"441882", "441825", "441826", "441823"}
# The urban core used for the urban–mountain gap: 清城区、清新区.
URBAN_DISTRICTS = {"441802", "441803"}

# A mobilisation's life: state → the states it may move to (request, assign, stand by or go, act on
# site, withdraw, stand down; a request may be declined, and anything before departure called off).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.REQUESTED: (S.ASSIGNED, S.DECLINED, S.STOOD_DOWN),
    S.ASSIGNED: (S.STANDBY, S.MOBILISED, S.STOOD_DOWN),
    S.STANDBY: (S.MOBILISED, S.STOOD_DOWN),
    S.MOBILISED: (S.IN_ACTION, S.DEMOBILISING),
    S.IN_ACTION: (S.DEMOBILISING,),
    S.DEMOBILISING: (S.STOOD_DOWN,),
}
# While a mobilisation is in one of these, its team is busy (not offered as ready).
BUSY_STATES = frozenset({S.MOBILISED, S.IN_ACTION, S.DEMOBILISING})


def next_states(state: str) -> tuple[str, ...]:
    """The states a mobilisation in `state` may move to (none once it is over)."""
    return TRANSITIONS.get(state, ())


def may_move(state: str, to: str) -> bool:
    return to in next_states(state)


DEFAULT_THRESHOLDS = (15, 30, 60)
# Time from a point to the road it is snapped to, at walking-and-driving speed on minor ways.
ACCESS_SPEED_KMH = 20.0
# A point farther than this from any road node is "outside the network".
MAX_SNAP_METRES = 5000.0


def speed_kmh(highway: str, speeds: dict[str, float] | None = None) -> float | None:
    """The planning speed of a road class, or None when the class is not for vehicles."""
    table: dict[str, float] = speeds or ROAD_SPEEDS_KMH["speeds"]
    return table.get(highway)


def capability_match(team_caps: Iterable[str], needed: Sequence[str]) -> tuple[list[str], list[str]]:
    """(matched, missing) capabilities of a team for what an incident needs."""
    have = set(team_caps)
    matched = [c for c in needed if c in have]
    missing = [c for c in needed if c not in have]
    return matched, missing


def coverage_shares(
    times_min: Sequence[float], weights: Sequence[float], groups: Sequence[str], thresholds: Sequence[float]
) -> dict[str, dict[str, Any]]:
    """Share of the weight reachable within each threshold, per group and for all ("*").

    times_min: travel time of each demand point from its nearest able team (inf: unreachable).
    Returns {group: {"population": w, "covered": {T: w_T}, "share": {T: w_T / w}}}.
    """
    out: dict[str, dict[str, Any]] = {}

    def bucket(key: str) -> dict[str, Any]:
        if key not in out:
            out[key] = {"population": 0.0, "covered": {str(t): 0.0 for t in thresholds}}
        return out[key]

    for t_min, w, g in zip(times_min, weights, groups, strict=True):
        for key in (g, "*"):
            b = bucket(key)
            b["population"] += w
            for t in thresholds:
                if t_min <= t:
                    b["covered"][str(t)] += w
    for b in out.values():
        pop = b["population"]
        b["share"] = {k: (v / pop if pop else 0.0) for k, v in b["covered"].items()}
    return out


def urban_mountain_gap(
    shares: dict[str, dict[str, Any]],
    thresholds: Sequence[float],
    urban: Iterable[str] = URBAN_DISTRICTS,
    mountain: Iterable[str] = MOUNTAIN_DISTRICTS,
) -> dict[str, Any]:
    """Population-weighted coverage of the urban core and of the mountain districts, and the gap
    (urban minus mountain, in percentage points) for each threshold."""

    def pooled(codes: Iterable[str]) -> dict[str, float]:
        pop = sum(shares[c]["population"] for c in codes if c in shares)
        return {
            str(t): (sum(shares[c]["covered"][str(t)] for c in codes if c in shares) / pop if pop else 0.0)
            for t in thresholds
        }

    u, m = pooled(list(urban)), pooled(list(mountain))
    return {"urban": u, "mountain": m, "gap_points": {k: round(100 * (u[k] - m[k]), 1) for k in u}}


# --- Background analyses (coverage and siting runs) ----------------------------------------------
# How many runs one person may have waiting or computing, when a computing run counts as lost (its
# worker stopped beating), and how often a lost run is tried again. Service values, not law:
# settings RESCUE_RUNS_PER_USER, RESCUE_RUN_STALE_MINUTES, RESCUE_RUN_MAX_ATTEMPTS override them.
RUN_LIMITS: dict[str, Any] = {
    "source": "[U] service limits: a siting run takes one worker for seconds to minutes",
    "per_user_active": 2,
    "heartbeat_seconds": 30,
    "stale_minutes": 10,
    "max_attempts": 2,
}


def run_cap_reached(active_runs: int, cap: int) -> bool:
    """True when a person already has `cap` runs queued or computing (a new one is refused)."""
    return active_runs >= cap


def stuck_run_outcome(attempts: int, max_attempts: int) -> str:
    """What the reconciler does with a run whose worker stopped beating: "requeue" while it has
    attempts left, else "fail" (shown with the reason; the person may start it again)."""
    return "requeue" if attempts < max_attempts else "fail"

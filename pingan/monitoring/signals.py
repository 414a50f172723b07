"""Signals monitoring sends for other apps to act on, without monitoring importing them.

`hydromet` is sent after the ingest batch commits (``transaction.on_commit``) when a sensor's rule
computes a national rainstorm signal (RAISE, or UP to a stronger colour) or a water level crosses a
threshold level. The warnings module connects a receiver in its AppConfig.ready() and proposes a
draft; monitoring never knows who listens (docs/architecture.md, imports point down).

Keyword arguments of a send:
    kind         "rainstorm" or "water_level"
    colour       "blue" | "yellow" | "orange" | "red" (the level 1…4 of the rule)
    level        1…4
    division_id  the sensor's division
    value        rainstorm: rainfall in mm within `hours`; water level: the reading (m)
    hours        rainstorm: the signal's window (h); water level: 0
    station      the sensor's name
    observed_at  the reading's time (aware datetime)
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.dispatch import Signal

from . import rules

hydromet = Signal()

COLOUR_BY_LEVEL = {1: "blue", 2: "yellow", 3: "orange", 4: "red"}
# The rule codes (thresholds.DEFAULT_RULES) whose transitions are worth a public warning.
RAINSTORM_RULE = "rainstorm"
WATER_LEVEL_RULE = "water-level"


def collect(
    transitions: list[tuple[Any, tuple]], names: dict[int, tuple[str, str]], states: dict[int, dict]
) -> list[dict[str, Any]]:
    """The hydromet events in a batch's transitions (pure: no database)."""
    windows = {int(level): (colour, hours) for level, colour, hours, _mm in rules.RAINSTORM_SIGNALS["levels"]}
    out: list[dict[str, Any]] = []
    for info, (rule_id, kind, level, ts, value) in transitions:
        if kind not in (rules.RAISE, rules.UP) or level not in COLOUR_BY_LEVEL:
            continue
        code = names.get(rule_id, ("", ""))[0]
        base = {
            "level": level,
            "colour": COLOUR_BY_LEVEL[level],
            "division_id": info.division_id,
            "station": info.name,
            "observed_at": datetime.fromtimestamp(ts, UTC),
        }
        if code == RAINSTORM_RULE:
            colour, hours = windows[level]
            sums = rules.window_sums(sorted(states.get(info.id, {}).get("rain", [])), ts)
            out.append({**base, "kind": "rainstorm", "colour": colour, "hours": hours, "value": sums[hours]})
        elif code == WATER_LEVEL_RULE:
            out.append({**base, "kind": "water_level", "hours": 0, "value": value})
    return out


def send_on_commit(
    transitions: list[tuple[Any, tuple]], names: dict[int, tuple[str, str]], states: dict[int, dict]
) -> None:
    """Send `hydromet` for each event of the batch once its transaction commits (never on rollback)."""
    events = collect(transitions, names, states) if transitions else []
    for event in events:
        transaction.on_commit(lambda e=event: hydromet.send(sender="monitoring", **e))

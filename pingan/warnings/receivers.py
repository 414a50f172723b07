"""Receivers of other apps' signals (connected in WarningsConfig.ready())."""

from __future__ import annotations

from typing import Any


def on_hydromet(sender: Any, *, kind: str, colour: str, division_id: int, value: float, **kw: Any) -> None:
    """Monitoring computed a rainstorm signal or a water level over threshold, and its batch committed:
    queue the proposal of a draft (the ingest pipeline is not held up; a duty officer reviews it)."""
    from . import tasks

    station = kw.get("station", "")
    if kind == "rainstorm":
        tasks.propose_rainstorm(colour, division_id, value, kw["hours"], station)
    elif kind == "water_level":
        tasks.propose_water_level(colour, division_id, value, station)

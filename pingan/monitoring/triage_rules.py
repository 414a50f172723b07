"""Pure rules of alarm triage (no ORM): the threshold that would have avoided false alarms, repeated
faults. Thresholds are data with their source."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# A device is sent for maintenance after this many false alarms for a device reason within the window.
# Local practice, not a national figure: the city may change it.
REPEATED_FAULTS = {
    "source": "本市监测预警研判工作约定(示例值,待本市设定)",
    "effective_from": "2026-01-01",
    "count": 3,
    "window_days": 30,
    "reasons": ("sensor_fault", "calibration"),
}


def needs_maintenance(false_alarms_for_device_reasons: int) -> bool:
    return false_alarms_for_device_reasons >= int(str(REPEATED_FAULTS["count"]))


@dataclass(frozen=True)
class Suggestion:
    current: float
    suggested: float | None  # None: no threshold avoids the false alarms without losing a real one
    avoided: int  # false alarms that would not have been raised
    false_total: int
    real_lost: int  # real alarms that would also have been lost (0 when suggested is not None)


def suggest_threshold(
    current: float,
    false_peaks: Sequence[float],
    real_peaks: Sequence[float],
    *,
    above: bool = True,
    step: float = 0.1,
) -> Suggestion:
    """The lowest threshold (for "above"; highest for "below") that the peak of every false alarm
    stays under, provided no real alarm's peak would have been missed. Counting rule: a level is
    reached when value ≥ threshold, so the suggestion is the largest false peak plus one `step`.

    When the real alarms' peaks overlap the false ones, the threshold that keeps every real alarm is
    suggested instead and `avoided` says how many false alarms it still removes."""
    if not false_peaks:
        return Suggestion(current, None, 0, 0, 0)
    sign = 1.0 if above else -1.0
    f = [sign * v for v in false_peaks]
    r = [sign * v for v in real_peaks]
    cur = sign * current
    candidate = round(max(f) + step, 6)
    if r and min(r) < candidate:
        # Keep every real alarm: the highest threshold still at or under the lowest real peak.
        candidate = min(r)
    if candidate <= cur:
        return Suggestion(current, None, 0, len(f), 0)
    avoided = sum(1 for v in f if v < candidate)
    if avoided == 0:
        return Suggestion(current, None, 0, len(f), 0)
    lost = sum(1 for v in r if v < candidate)
    return Suggestion(current, round(sign * candidate, 6), avoided, len(f), lost)

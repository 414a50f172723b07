"""KPIs by district and township over time, from the figures the modules contribute.

An app's AppConfig may name `dashboard_figures = "pingan.<app>.figures.figures"`, a callable with no
argument returning a list of plain dicts (plain so that a domain app never imports this composition
app):

    {"key": "hazards.found", "label": _("发现隐患"), "definition": _("…shown on hover…"),
     "kind": "count" | "rate" | "median", "unit": "" | "%" | _("天"), "better": "up" | "down",
     "compute": fn(user, start, end) -> {division_path: sample}}

A sample is a number for "count", a pair (numerator, denominator) for "rate" and a list of values for
"median", so that the engine can add township rows up into districts and the city without asking the
database again: each figure costs one query per period, whatever the number of rows. `compute` must stay
inside `visible_to(user)`; the period is [start, end) in aware datetimes.
"""

from __future__ import annotations

import datetime as dt
import logging
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

# Division.path lengths: the city is 4 digits, a district 6, a township 9.
DISTRICT, TOWNSHIP = 6, 9


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    definition: str
    kind: str
    unit: str
    better: str
    compute: Callable[[Any, dt.datetime, dt.datetime], dict[str, Any]]
    module: str = ""


@dataclass
class Cell:
    """One figure in one area and period: the value and what it was made of."""

    kind: str
    count: float = 0
    num: float = 0
    den: float = 0
    values: list[float] = field(default_factory=list)

    def add(self, sample: Any) -> None:
        if self.kind == "count":
            self.count += sample or 0
        elif self.kind == "rate":
            self.num += sample[0]
            self.den += sample[1]
        else:
            self.values.extend(sample)

    @property
    def value(self) -> float | None:
        if self.kind == "count":
            return self.count
        if self.kind == "rate":
            return round(100 * self.num / self.den, 1) if self.den else None
        return round(statistics.median(self.values), 1) if self.values else None


def registered() -> list[Figure]:
    """Every figure of every installed module, in INSTALLED_APPS order."""
    out: list[Figure] = []
    for config in apps.get_app_configs():
        path = getattr(config, "dashboard_figures", None)
        if not path:
            continue
        try:
            for d in import_string(path)():
                out.append(Figure(module=config.label, **d))
        except Exception:  # noqa: BLE001 - one module's failure must not blank the command centre
            log.exception("dashboard figures %s failed", path)
    return out


def by_key(key: str | None) -> Figure | None:
    return next((f for f in registered() if f.key == key), None)


def compute(figure: Figure, user: Any, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    try:
        return figure.compute(user, start, end)
    except Exception:  # noqa: BLE001 - as above: a failing figure shows as "—"
        log.exception("figure %s failed", figure.key)
        return {}


def roll_up(kind: str, samples: dict[str, Any], keys: Iterable[str], length: int) -> dict[str, Cell]:
    """Samples keyed by division path added up into the areas `keys` (paths of `length` digits),
    plus the total under the key "" (everything the viewer sees, city-level rows included)."""
    wanted = set(keys)
    cells: dict[str, Cell] = {k: Cell(kind) for k in wanted}
    cells[""] = Cell(kind)
    for path, sample in samples.items():
        cells[""].add(sample)
        prefix = (path or "")[:length]
        if len(path or "") >= length and prefix in wanted:
            cells[prefix].add(sample)
    return cells


# --- periods -----------------------------------------------------------------------------------


def local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the same length just before [start, end] (dates inclusive)."""
    days = (end - start).days + 1
    return start - dt.timedelta(days=days), start - dt.timedelta(days=1)


def buckets(start: dt.date, end: dt.date, step: str, limit: int = 26) -> list[tuple[str, dt.date, dt.date]]:
    """Weeks (Monday first) or calendar months covering [start, end], the last `limit` of them."""
    out: list[tuple[str, dt.date, dt.date]] = []
    if step == "month":
        cur = start.replace(day=1)
        while cur <= end:
            nxt = (cur.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            out.append((cur.strftime("%Y-%m"), cur, nxt - dt.timedelta(days=1)))
            cur = nxt
    else:
        cur = start - dt.timedelta(days=start.weekday())
        while cur <= end:
            iso = cur.isocalendar()
            out.append((f"{iso[0]}-W{iso[1]:02d}", cur, cur + dt.timedelta(days=6)))
            cur += dt.timedelta(days=7)
    return out[-limit:]


def span(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Dates inclusive → [start 00:00, day after end 00:00) in local time."""
    return local_midnight(start), local_midnight(end + dt.timedelta(days=1))


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    number = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{number}{unit}"

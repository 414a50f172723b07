"""The KPI table, choropleth and trends of the command centre, built from `figures.registered()`.

Query cost: one query for the areas, then one per figure and period (this period, the previous one);
a trend costs one query per bucket. Nothing grows with the number of rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.geo.models import Division

from . import figures as F
from .permissions import area_prefix

MAX_RANGE_DAYS = 366 * 2


@dataclass(frozen=True)
class Query:
    """What the viewer asked for: areas inside `parent` ('' = districts), dates inclusive."""

    parent: str
    start: dt.date
    end: dt.date
    figure: str
    step: str


def parse(params: Any, user: Any) -> Query:
    today = timezone.localdate()

    def day(name: str, default: dt.date) -> dt.date:
        try:
            return dt.date.fromisoformat(params.get(name) or "")
        except ValueError:
            return default

    end = min(day("end", today), today)
    start = day("start", end - dt.timedelta(days=29))
    if start > end:
        start, end = end, start
    start = max(start, end - dt.timedelta(days=MAX_RANGE_DAYS))
    parent = params.get("area") or ""
    scope = area_prefix(user)
    # A district person starts inside their district: its townships are their areas.
    if not parent and len(scope) >= F.DISTRICT:
        parent = scope[: F.DISTRICT]
    if not parent.isdigit() or len(parent) != F.DISTRICT:
        parent = ""
    step = params.get("step") if params.get("step") in ("week", "month") else "week"
    return Query(parent, start, end, params.get("figure") or "", step)


def areas(q: Query) -> list[dict[str, Any]]:
    qs = Division.objects.filter(level="town", path__startswith=q.parent) if q.parent else None
    if qs is None:
        qs = Division.objects.filter(level="district")
    return list(qs.order_by("code").values("code", "path", "name", "population", "kind"))


def area_length(q: Query) -> int:
    return F.TOWNSHIP if q.parent else F.DISTRICT


def _samples(figure: F.Figure, user: Any, q: Query, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """The figure's samples inside the area looked at (its total is the district's, not the city's)."""
    samples = F.compute(figure, user, start, end)
    return {p: v for p, v in samples.items() if (p or "").startswith(q.parent)} if q.parent else samples


def _arrow(now: float | None, before: float | None, better: str) -> dict[str, Any]:
    if now is None or before is None or now == before:
        return {"text": "", "colour": "grey"}
    up = now > before
    good = up == (better == "up")
    diff = round(now - before, 1)
    return {"text": ("▲" if up else "▼") + f"{abs(diff):g}", "colour": "green" if good else "red"}


def table(user: Any, q: Query) -> dict[str, Any]:
    rows = areas(q)
    keys = [r["path"] for r in rows]
    length = area_length(q)
    figs = F.registered()
    start, end = F.span(q.start, q.end)
    p_start, p_end = F.span(*F.previous_period(q.start, q.end))
    columns = []
    cells: dict[str, dict[str, dict[str, Any]]] = {k: {} for k in [*keys, ""]}
    for fig in figs:
        now = F.roll_up(fig.kind, _samples(fig, user, q, start, end), keys, length)
        before = F.roll_up(fig.kind, _samples(fig, user, q, p_start, p_end), keys, length)
        columns.append(fig)
        for k in cells:
            v, b = now[k].value, before[k].value
            cells[k][fig.key] = {
                "value": v,
                "text": F.fmt(v, str(fig.unit)),
                "previous": F.fmt(b, str(fig.unit)),
                "delta": _arrow(v, b, fig.better),
            }
    body = [
        {"code": r["code"], "name": r["name"], "cells": [cells[r["path"]][f.key] for f in columns]}
        for r in rows
    ]
    total = {"code": "", "name": _("合计"), "cells": [cells[""][f.key] for f in columns]}
    return {"columns": columns, "rows": body, "total": total, "by_path": cells}


def choropleth(user: Any, q: Query, figure: F.Figure) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the areas coloured by the figure (green best … red worst)."""
    rows = Division.objects.filter(
        **({"level": "town", "path__startswith": q.parent} if q.parent else {"level": "district"})
    ).exclude(geometry=None)
    rows = list(rows.values("code", "path", "name", "geometry"))
    start, end = F.span(q.start, q.end)
    cells = F.roll_up(
        figure.kind, _samples(figure, user, q, start, end), [r["path"] for r in rows], area_length(q)
    )
    values = [cells[r["path"]].value for r in rows if cells[r["path"]].value is not None]
    lo, hi = (min(values), max(values)) if values else (0, 0)
    scale = ["green", "yellow", "orange", "red"]
    features = []
    for r in rows:
        v = cells[r["path"]].value
        if v is None:
            fill = "grey"
        else:
            share = 0.0 if hi == lo else (v - lo) / (hi - lo)
            if figure.better == "up":
                share = 1 - share
            fill = scale[min(3, int(share * 4))]
        features.append(
            {
                "type": "Feature",
                "geometry": r["geometry"],
                "properties": {
                    "code": r["code"],
                    "label": f"{r['name']} {F.fmt(v, str(figure.unit))}",
                    "popup": f"{figure.label}: {F.fmt(v, str(figure.unit))}",
                    "fill": fill,
                    "colour": "grey",
                    "fill_opacity": 0.55,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def trend(user: Any, q: Query, figure: F.Figure) -> dict[str, Any]:
    """An ECharts option: the figure per week or month, in total and per area (at most eight areas)."""
    rows = areas(q)[:8]
    keys = [r["path"] for r in rows]
    periods = F.buckets(q.start, q.end, q.step)
    series: dict[str, list[float | None]] = {k: [] for k in ["", *keys]}
    for _label, a, b in periods:
        cells = F.roll_up(figure.kind, _samples(figure, user, q, *F.span(a, b)), keys, area_length(q))
        for k in series:
            series[k].append(cells[k].value)
    names = {r["path"]: r["name"] for r in rows}
    return {
        "legend": {"type": "scroll"},
        "xAxis": {"type": "category", "data": [p[0] for p in periods]},
        "yAxis": {"type": "value", "name": str(figure.unit)},
        "series": [
            {
                "name": str(_("合计")) if k == "" else names[k],
                "type": "line",
                "data": v,
                "lineStyle": {"width": 4 if k == "" else 1.5},
                "connectNulls": True,
            }
            for k, v in series.items()
        ],
    }

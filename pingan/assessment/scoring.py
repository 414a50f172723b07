"""The assessment's results: each unit's values and scores per item, its total and its rank.

KPI items reuse the command centre's figure registry (`pingan.dashboard.figures`): each figure is
computed once for the whole year over the whole city (one grouped query per figure, as the KPI table
does) and rolled up by district. The duty item counts responsibility lists; manual items read the
scores the city entered. Query cost: one per KPI item plus four, whatever the number of units.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from pingan.dashboard import figures as F
from pingan.geo.models import Division
from pingan.org.models import Department

from . import rules
from .choices import Source, UnitKind
from .models import Assessment, ManualScore, ResponsibilityList
from .permissions import CityWide


def period(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The calendar year (local time), up to today for the current year."""
    start = dt.date(year, 1, 1)
    end = min(dt.date(year, 12, 31), timezone.localdate())
    return F.span(start, max(start, end))


def units() -> dict[str, list[dict[str, Any]]]:
    """Who is assessed: every district of the city and the city's own departments."""
    districts = [
        {"code": d["code"], "path": d["path"], "name": d["name"], "pk": d["pk"]}
        for d in Division.objects.filter(level="district")
        .order_by("code")
        .values("pk", "code", "path", "name")
    ]
    departments = [
        {"code": d["code"], "path": "", "name": d["name"], "pk": d["pk"]}
        for d in Department.objects.filter(division__level="city", is_active=True)
        .order_by("code")
        .values("pk", "code", "name")
    ]
    return {UnitKind.DISTRICT: districts, UnitKind.DEPARTMENT: departments}


def _duty(year: int, found: dict[str, list[dict[str, Any]]]) -> dict[str, float | None]:
    """Per unit code: the share of its lists for the year signed by their deadline."""
    rows = list(
        ResponsibilityList.objects.filter(year=year).values(
            "division__path", "department_id", "signed_at", "sign_by"
        )
    )
    out: dict[str, float | None] = {}

    def on_time(r: dict[str, Any]) -> bool:
        return r["signed_at"] is not None and timezone.localdate(r["signed_at"]) <= r["sign_by"]

    for u in found[UnitKind.DISTRICT]:
        mine = [r for r in rows if (r["division__path"] or "").startswith(u["path"])]
        out[u["code"]] = rules.signed_share(sum(on_time(r) for r in mine), len(mine))
    for u in found[UnitKind.DEPARTMENT]:
        mine = [r for r in rows if r["department_id"] == u["pk"]]
        out[u["code"]] = rules.signed_share(sum(on_time(r) for r in mine), len(mine))
    return out


def compute(assessment: Assessment) -> dict[str, Any]:
    """The results as plain JSON (what publication freezes): items and ranked units per kind."""
    found = units()
    items = list(assessment.items.all())
    start, end = period(assessment.year)
    manual: dict[tuple[int, str], float] = {
        (s.item_id, s.unit): float(s.score) for s in ManualScore.objects.filter(item__assessment=assessment)
    }
    duty: dict[str, float | None] | None = None
    out: dict[str, Any] = {"year": assessment.year, "computed_at": timezone.now().isoformat(), "kinds": {}}
    for kind in (UnitKind.DISTRICT, UnitKind.DEPARTMENT):
        mine = [i for i in items if i.unit_kind == kind]
        people = found[kind]
        values: dict[str, dict[str, float | None]] = {u["code"]: {} for u in people}
        scores: dict[str, dict[str, float | None]] = {u["code"]: {} for u in people}
        described = []
        for item in mine:
            unit_text = ""
            if item.source == Source.KPI:
                figure = F.by_key(item.key)
                raw: dict[str, float | None] = {u["code"]: None for u in people}
                better = "up"
                if figure is not None:
                    better = figure.better
                    unit_text = str(figure.unit)
                    cells = F.roll_up(
                        figure.kind,
                        F.compute(figure, CityWide(), start, end),
                        [u["path"] for u in people],
                        F.DISTRICT,
                    )
                    raw = {u["code"]: cells[u["path"]].value for u in people}
                relative = rules.relative_scores(raw, better)
                for u in people:
                    values[u["code"]][item.key] = raw[u["code"]]
                    scores[u["code"]][item.key] = relative[u["code"]]
            elif item.source == Source.DUTY:
                duty = duty if duty is not None else _duty(assessment.year, found)
                unit_text = "%"
                for u in people:
                    values[u["code"]][item.key] = duty.get(u["code"])
                    scores[u["code"]][item.key] = duty.get(u["code"])
            else:
                for u in people:
                    v = manual.get((item.pk, u["code"]))
                    values[u["code"]][item.key] = v
                    scores[u["code"]][item.key] = v
            described.append(
                {
                    "key": item.key,
                    "label": item.label,
                    "source": item.source,
                    "weight": float(item.weight),
                    "unit": unit_text,
                }
            )
        totals = {
            u["code"]: rules.weighted_total((float(i.weight), scores[u["code"]].get(i.key)) for i in mine)
            for u in people
        }
        rank = rules.ranks(totals)
        rows = [
            {
                "code": u["code"],
                "pk": u["pk"],
                "name": u["name"],
                "values": values[u["code"]],
                "scores": scores[u["code"]],
                "total": totals[u["code"]],
                "rank": rank[u["code"]],
            }
            for u in people
        ]
        rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["code"]))
        out["kinds"][str(kind)] = {"items": described, "units": rows}
    return out


def results(assessment: Assessment) -> dict[str, Any]:
    """Published: the frozen results; otherwise computed now (a preview while scoring)."""
    if assessment.results:
        return assessment.results
    return compute(assessment)


def unit_object(kind: str, code: str) -> Any:
    """The Division or Department a unit code names (for the permission question), or None."""
    if kind == UnitKind.DISTRICT:
        return Division.objects.filter(level="district", code=code).first()
    return Department.objects.filter(division__level="city", code=code).first()


def visible_rows(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The results with only the units the person may read (`assessment.view_result`)."""
    from pingan.core.permissions import is_city_level, may

    if is_city_level(user):
        return data
    out = {**data, "kinds": {}}
    districts = {d.code: d for d in Division.objects.filter(level="district")}
    departments = {d.code: d for d in Department.objects.filter(division__level="city")}
    for kind, block in data.get("kinds", {}).items():
        lookup = districts if kind == UnitKind.DISTRICT else departments
        rows = [
            r
            for r in block["units"]
            if r["code"] in lookup and may(user, "assessment.view_result", lookup[r["code"]])
        ]
        out["kinds"][kind] = {**block, "units": rows}
    return out

"""Read queries for the console and the API: always inside `visible_to(user)`, constant in queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from pingan.core.params import id_param
from pingan.geo.models import Division

from . import rules
from .choices import Level
from .models import CheckRecord, CheckTask, Commitment, MajorHazardSource, RiskObject

# Division.path lengths: district 6 digits (441802), township 9 (441802006).
PATH_LENGTH = {"district": 6, "town": 9}
COMPLETION_BY = ("district", "town", "enterprise", "object")


def risk_objects(user: Any, params: Any = None) -> QuerySet[RiskObject]:
    qs = RiskObject.objects.visible_to(user).select_related("division", "enterprise", "department")
    params = params or {}
    if params.get("level") in Level.values:
        qs = qs.filter(level=params["level"])
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    if params.get("division"):
        qs = qs.filter(division__path__startswith=str(params["division"]))
    if params.get("q"):
        qs = qs.filter(name__icontains=params["q"])
    return qs


def tasks(user: Any, params: Any = None) -> QuerySet[CheckTask]:
    qs = (
        CheckTask.objects.visible_to(user)
        .filter(is_active=True)
        .select_related("risk_object__division", "risk_object__enterprise", "assignee", "measure")
    )
    params = params or {}
    if str(params.get("overdue", "")) in ("1", "true"):
        qs = qs.filter(next_due_at__lt=timezone.now())
    risk_object = id_param(params, "risk_object")
    if risk_object is not None:
        qs = qs.filter(risk_object=risk_object)
    return qs


def records(user: Any) -> QuerySet[CheckRecord]:
    return CheckRecord.objects.visible_to(user).select_related("task", "risk_object", "checked_by")


def major_hazard_sources(user: Any) -> QuerySet[MajorHazardSource]:
    return (
        MajorHazardSource.objects.visible_to(user)
        .select_related("enterprise", "division")
        .prefetch_related("chemicals")
    )


def commitments(user: Any, day: dt.date | None = None) -> QuerySet[Commitment]:
    qs = Commitment.objects.visible_to(user).select_related("enterprise", "division")
    if day is not None:
        qs = qs.filter(day=day)
    return qs


def counts_by_division(user: Any, level: str = "district") -> list[dict[str, Any]]:
    """Risk objects by level per district or township of the viewer's area: two queries."""
    n = PATH_LENGTH.get(level, 6)
    rows = (
        RiskObject.objects.visible_to(user)
        .annotate(area=Substr("division__path", 1, n))
        .values("area")
        .annotate(**{lv: Count("pk", filter=Q(level=lv)) for lv in Level.values})
        .order_by("area")
    )
    rows = list(rows)
    names = dict(Division.objects.filter(code__in=[r["area"] for r in rows]).values_list("code", "name"))
    out = []
    for r in rows:
        counts = {lv: r[lv] for lv in Level.values}
        top = next((lv for lv in rules.LEVEL_ORDER if counts[lv]), "unassessed")
        out.append(
            {
                "code": r["area"],
                "name": names.get(r["area"], r["area"]),
                "counts": counts,
                "total": sum(counts.values()),
                "top": top,
            }
        )
    return out


def area_features(user: Any, level: str = "town") -> dict[str, Any]:
    """Districts or townships with risk objects as GeoJSON polygons coloured by their top level."""
    from django.utils.translation import gettext as _

    counts = counts_by_division(user, level)
    shapes = dict(
        Division.objects.filter(code__in=[r["code"] for r in counts])
        .exclude(geometry=None)
        .values_list("code", "geometry")
    )
    labels = dict(Level.choices)
    features = []
    for r in counts:
        if r["code"] not in shapes:
            continue
        text = " · ".join(f"{labels[lv]} {r['counts'][lv]}" for lv in rules.LEVEL_ORDER)
        features.append(
            {
                "type": "Feature",
                "geometry": shapes[r["code"]],
                "properties": {
                    "code": r["code"],
                    "label": r["name"],
                    "colour": rules.LEVEL_COLOURS.get(r["top"], "grey"),
                    "fill_opacity": 0.18,
                    "level": r["top"],
                    "counts": r["counts"],
                    "popup": _("风险对象 %(n)d 个") % {"n": r["total"]} + "\n" + text,
                },
            }
        )
    return {"type": "FeatureCollection", "count": len(features), "features": features}


def completion_by_division(user: Any, since: dt.datetime, level: str = "district") -> list[dict[str, Any]]:
    """Checks done on time ÷ checks due since `since`, per district, township, enterprise or risk
    object (completion rate); two queries."""
    qs = CheckRecord.objects.visible_to(user).filter(due_at__gte=since)
    if level in PATH_LENGTH:
        qs = qs.annotate(area=Substr("risk_object__division__path", 1, PATH_LENGTH[level]))
    elif level == "enterprise":
        qs = qs.exclude(risk_object__enterprise=None).annotate(area=F("risk_object__enterprise_id"))
    else:
        qs = qs.annotate(area=F("risk_object_id"))
    rows = list(
        qs.values("area").annotate(due=Count("pk"), done=Count("pk", filter=Q(on_time=True))).order_by("area")
    )
    keys = [r["area"] for r in rows]
    if level in PATH_LENGTH:
        names = dict(Division.objects.filter(code__in=keys).values_list("code", "name"))
    elif level == "enterprise":
        from pingan.org.models import Enterprise

        names = dict(Enterprise.objects.filter(pk__in=keys).values_list("pk", "name"))
    else:
        names = dict(RiskObject.objects.filter(pk__in=keys).values_list("pk", "name"))
    return [
        {
            "key": r["area"],
            "name": names.get(r["area"], str(r["area"])),
            "due": r["due"],
            "done": r["done"],
            "rate": rules.completion_rate(r["done"], r["due"]),
        }
        for r in rows
    ]


def commitment_rate(user: Any, day: dt.date) -> dict[str, Any]:
    """承诺完成率 of `day` over the enterprises the viewer can see, in total and per district."""
    from pingan.org.models import Enterprise

    required = (
        Enterprise.objects.visible_to(user)
        .filter(is_active=True, major_hazard_sources__grade__in=["1", "2", "3", "4"])
        .distinct()
        .annotate(area=Substr("division__path", 1, 6))
        .values_list("pk", "area")
    )
    required = list(required)
    on_time = set(
        Commitment.objects.visible_to(user)
        .filter(day=day, on_time=True)
        .values_list("enterprise_id", flat=True)
    )
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for pk, area in required:
        per[area][1] += 1
        per[area][0] += pk in on_time
    names = dict(Division.objects.filter(code__in=list(per)).values_list("code", "name"))
    total_done = sum(v[0] for v in per.values())
    total_req = sum(v[1] for v in per.values())
    return {
        "day": day.isoformat(),
        "on_time": total_done,
        "required": total_req,
        "rate": rules.commitment_rate(total_done, total_req),
        "districts": [
            {
                "code": c,
                "name": names.get(c, c),
                "on_time": v[0],
                "required": v[1],
                "rate": rules.commitment_rate(v[0], v[1]),
            }
            for c, v in sorted(per.items())
        ],
    }


def missing_commitments(user: Any, day: dt.date) -> QuerySet[Any]:
    from pingan.org.models import Enterprise

    return (
        Enterprise.objects.visible_to(user)
        .filter(is_active=True, major_hazard_sources__grade__in=["1", "2", "3", "4"])
        .exclude(commitments__day=day)
        .distinct()
        .select_related("division")
    )

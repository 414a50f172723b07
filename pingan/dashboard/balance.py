"""The urban–rural balance per township: the figures gathered from the modules (a fixed number of
grouped queries), the mountain townships, and the recommendation for a budget (dashboard.rules)."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter, defaultdict
from typing import Any

from django.apps import apps
from django.db.models import Count
from django.utils import timezone

from pingan.geo.models import Division
from pingan.org.models import User

from . import rules
from .figures import DISTRICT, TOWNSHIP
from .permissions import GRID_STAFF_ROLES, area_prefix

# The mountainous county-level units of Qingyuan (docs/domain/09-qingyuan.md): 连州、连山、连南、阳山.
MOUNTAIN_DISTRICTS = frozenset({"441882", "441825", "441826", "441823"})


def area_km2(geometry: dict[str, Any] | None) -> float:
    """Area of a GeoJSON (Multi)Polygon on a local equirectangular projection (good to ~1% at this size)."""
    if not geometry:
        return 0.0
    polys = (
        geometry["coordinates"]
        if geometry.get("type") == "MultiPolygon"
        else [geometry.get("coordinates", [])]
    )
    total = 0.0
    for poly in polys:
        for k, ring in enumerate(poly):
            if len(ring) < 3:
                continue
            lat0 = math.radians(sum(p[1] for p in ring) / len(ring))
            xs = [math.radians(p[0]) * math.cos(lat0) * 6371.0 for p in ring]
            ys = [math.radians(p[1]) * 6371.0 for p in ring]
            a = abs(sum(xs[i] * ys[i - 1] - xs[i - 1] * ys[i] for i in range(len(ring)))) / 2
            total += a if k == 0 else -a
    return total


def _count_by_town(qs: Any, path: str) -> Counter[str]:
    out: Counter[str] = Counter()
    for p, n in qs.values(path).annotate(n=Count("pk")).values_list(path, "n"):
        out[(p or "")[:TOWNSHIP]] += n
    return out


def townships(user: Any, parent: str = "") -> tuple[list[rules.Township], dict[str, dict[str, Any]]]:
    """The townships the viewer sees (inside `parent` when given), each with its figures."""
    scope = area_prefix(user)
    prefix = parent if parent.startswith(scope) else scope
    if scope.startswith(parent):
        prefix = scope
    rows = list(
        Division.objects.filter(level="town", path__startswith=prefix)
        .order_by("code")
        .values("code", "path", "name", "population", "lat", "lon", "geometry")
    )
    now = timezone.now()
    year_ago = now - dt.timedelta(days=365)
    devices: Counter[str] = Counter()
    inspections: Counter[str] = Counter()
    closing: dict[str, list[float]] = defaultdict(list)
    if apps.is_installed("pingan.monitoring"):
        from pingan.monitoring.choices import DeviceState
        from pingan.monitoring.models import Device

        devices = _count_by_town(
            Device.objects.visible_to(user).exclude(state=DeviceState.RETIRED), "division__path"
        )
    if apps.is_installed("pingan.inspections"):
        from pingan.inspections.models import Inspection

        inspections = _count_by_town(
            Inspection.objects.visible_to(user).filter(ended_at__gte=year_ago), "division__path"
        )
    if apps.is_installed("pingan.hazards"):
        from pingan.hazards.choices import State
        from pingan.hazards.models import HazardCase

        for path, created, closed in (
            HazardCase.objects.visible_to(user)
            .filter(state=State.CLOSED, closed_at__gte=year_ago)
            .values_list("division__path", "created_at", "closed_at")
        ):
            closing[(path or "")[:TOWNSHIP]].append((closed - created).total_seconds() / 86400)
    grid = _count_by_town(
        User.objects.filter(role__in=GRID_STAFF_ROLES, is_active=True, division__path__startswith=prefix),
        "division__path",
    )
    road = road_reach({r["code"]: (r["lat"], r["lon"]) for r in rows if r["lat"] is not None})
    teams = [] if road else _teams()
    limit = rules._num("threshold_min", rules.TRAVEL)
    towns, extra = [], {}
    for r in rows:
        mountain = r["path"][:DISTRICT] in MOUNTAIN_DISTRICTS
        if road:
            minutes = road["team_minutes"].get(r["code"], math.inf)
            covered = 1.0 if minutes <= limit else 0.0
        else:
            covered = _covered(r, teams, mountain)
        towns.append(
            rules.Township(
                code=r["code"],
                name=r["name"],
                population=float(r["population"] or 0),
                area_km2=round(area_km2(r["geometry"]), 1),
                mountain=mountain,
                devices=devices[r["path"]],
                grid_workers=grid[r["path"]],
                inspection_days=inspections[r["path"]],
                covered_share=covered,
                median_close_days=round(statistics.median(closing[r["path"]]), 1)
                if closing[r["path"]]
                else None,
            )
        )
        extra[r["code"]] = {
            "lat": r["lat"],
            "lon": r["lon"],
            "geometry": r["geometry"],
            "path": r["path"],
            "reach": "road" if road else "straight",
        }
    return towns, extra


def road_reach(points: dict[str, tuple[float, float]]) -> dict[str, Any] | None:
    """Rescue reach by road on the active network, through rescue's services (the dispatch's and the
    siting engine's travel times): {"team_minutes": {code: minutes}, "cover": {code: [codes]},
    "network": name}, or None without rescue or a road network (then the straight-line estimate)."""
    if not apps.is_installed("pingan.rescue") or not points:
        return None
    from pingan.rescue import services as rescue_services

    codes = sorted(points)
    reach = rescue_services.road_reach(
        [points[c] for c in codes], limit_min=rules._num("threshold_min", rules.TRAVEL)
    )
    if reach is None:
        return None
    return {
        "team_minutes": dict(zip(codes, reach["team_minutes"], strict=True)),
        "cover": {codes[i]: [codes[j] for j in js] for i, js in reach["cover"].items()},
        "network": reach["network"],
    }


def _teams() -> list[tuple[float, float]]:
    if not apps.is_installed("pingan.rescue"):
        return []
    from pingan.rescue.choices import TeamStatus
    from pingan.rescue.models import Team

    return list(Team.objects.exclude(status=TeamStatus.UNAVAILABLE).values_list("lat", "lon"))


def _covered(r: dict[str, Any], teams: list[tuple[float, float]], mountain: bool) -> float:
    """1 when the township's centre is within 30 minutes of a team on the straight-line estimate."""
    if r["lat"] is None or not teams:
        return 0.0
    best = min(rules.km(r["lat"], r["lon"], lat, lon) for lat, lon in teams)
    return 1.0 if rules.travel_minutes(best, mountain) <= rules._num("threshold_min", rules.TRAVEL) else 0.0


def station_cover(
    towns: list[rules.Township], extra: dict[str, dict[str, Any]]
) -> dict[str, dict[str, float]]:
    """For a station at each township's centre: the townships it brings within 30 minutes — by road on
    the active network when there is one, else on the straight-line estimate."""
    limit = rules._num("threshold_min", rules.TRAVEL)
    located = [t for t in towns if extra[t.code]["lat"] is not None]
    road = road_reach({t.code: (extra[t.code]["lat"], extra[t.code]["lon"]) for t in located})
    if road:
        return {code: dict.fromkeys(reached, 1.0) for code, reached in road["cover"].items()}
    out: dict[str, dict[str, float]] = {}
    for cand in located:
        c = extra[cand.code]
        out[cand.code] = {
            t.code: 1.0
            for t in located
            if rules.travel_minutes(
                rules.km(c["lat"], c["lon"], extra[t.code]["lat"], extra[t.code]["lon"]),
                t.mountain or cand.mountain,
            )
            <= limit
        }
    return out


def summary(towns: list[rules.Township], target: dict[str, float]) -> dict[str, Any]:
    """Urban (non-mountain) and mountain averages, population-weighted, for the before/after table."""

    def avg(group: list[rules.Township], attr: str) -> float | None:
        pop = sum(t.population for t in group)
        return round(sum(t.population * getattr(t, attr) for t in group) / pop, 2) if pop else None

    out = {}
    for key, group in (
        ("urban", [t for t in towns if not t.mountain]),
        ("mountain", [t for t in towns if t.mountain]),
    ):
        out[key] = {
            "devices_per_10k": avg(group, "devices_per_10k"),
            "inspections_per_10k": avg(group, "inspections_per_10k"),
            "covered": avg(group, "covered_share"),
        }
    out["gap"] = round(rules.weighted_gap(towns, target), 4)
    return out

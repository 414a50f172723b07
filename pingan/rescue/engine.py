"""ORM glue around the graph: the active network, saving versions, dispatch, coverage, siting."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from pingan.core.actions import ActionError
from pingan.geo.models import Division

from . import network, siting
from .choices import SitingMethod, TeamStatus
from .models import Expert, RoadNetwork, Team
from .rules import (
    ACCESS_SPEED_KMH,
    DEFAULT_THRESHOLDS,
    MAX_SNAP_METRES,
    MOUNTAIN_DISTRICTS,
    MOUNTAIN_FACTOR,
    ROAD_SPEEDS_KMH,
    capability_match,
    coverage_shares,
    urban_mountain_gap,
)

_cache: dict[int, network.Graph] = {}
_cache_lock = threading.Lock()


def speeds() -> dict[str, float]:
    return {**ROAD_SPEEDS_KMH["speeds"], **getattr(settings, "RESCUE_ROAD_SPEEDS", {})}


def mountain_factor() -> float:
    return float(getattr(settings, "RESCUE_MOUNTAIN_FACTOR", MOUNTAIN_FACTOR["value"]))


def networks_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "rescue" / "networks"


def mountain_areas() -> list[shapely.Geometry]:
    out = []
    for geom in (
        Division.objects.filter(code__in=MOUNTAIN_DISTRICTS)
        .exclude(geometry=None)
        .values_list("geometry", flat=True)
    ):
        try:
            g = shapely.geometry.shape(geom)
        except Exception:  # noqa: BLE001 - a bad stored boundary only loses the slowdown there
            continue
        shapely.prepare(g)
        out.append(g)
    return out


def city_area() -> shapely.Geometry | None:
    geom = (
        Division.objects.filter(level="city")
        .exclude(geometry=None)
        .values_list("geometry", flat=True)
        .first()
    )
    return shapely.geometry.shape(geom) if geom else None


def save_network(
    graph: network.Graph,
    *,
    name: str,
    source: str,
    source_file: str = "",
    actor: Any = None,
    activate: bool = True,
    is_synthetic: bool = False,
) -> RoadNetwork:
    """Store a new version: the arrays to MEDIA_ROOT/rescue/networks/v<n>.npz, a row in the DB."""
    with transaction.atomic():
        version = (RoadNetwork.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0) + 1
        rel = f"rescue/networks/v{version}.npz"
        checksum = graph.save(Path(settings.MEDIA_ROOT) / rel)
        if activate:
            RoadNetwork.objects.filter(is_active=True).update(is_active=False)
        row = RoadNetwork.objects.create(
            version=version,
            name=name,
            source=source,
            source_file=source_file,
            path=rel,
            nodes=graph.n,
            edges=graph.m,
            dropped_nodes=graph.dropped_nodes,
            bbox=graph.bbox(),
            speeds=speeds(),
            mountain_factor=mountain_factor(),
            checksum=checksum,
            is_active=activate,
            is_synthetic=is_synthetic,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
    with _cache_lock:
        _cache[row.pk] = graph
    return row


def graph_of(row: RoadNetwork) -> network.Graph:
    with _cache_lock:
        g = _cache.get(row.pk)
    if g is None:
        path = Path(settings.MEDIA_ROOT) / row.path
        if not path.is_file():
            raise ActionError(_("路网数据文件缺失,请重新导入路网"), field="network", code="missing_file")
        g = network.load(path)
        with _cache_lock:
            _cache[row.pk] = g
    return g


def active_network() -> tuple[RoadNetwork, network.Graph]:
    row = RoadNetwork.objects.filter(is_active=True).first()
    if row is None:
        raise ActionError(
            _("还没有可用的路网:请先导入 OpenStreetMap 路网或生成演示路网"),
            field="network",
            code="no_network",
        )
    return row, graph_of(row)


def snap_point(graph: network.Graph, lat: float, lon: float, field: str = "location") -> tuple[int, float]:
    try:
        return graph.snap_one(lat, lon, max_m=MAX_SNAP_METRES, field=field)
    except network.NetworkError as exc:
        raise ActionError(
            _("该位置距路网超过 %(m)d 米,无法计算行车时间(不在路网范围内)") % {"m": MAX_SNAP_METRES},
            field=field,
            code="outside_network",
        ) from exc


def access_seconds(metres: np.ndarray | float) -> np.ndarray | float:
    return np.asarray(metres) / (ACCESS_SPEED_KMH / 3.6)


# --- the team table -----------------------------------------------------------------------------
# Per active network: the team ids in table order and the NearestTable of their snapped places.
_team_tables: dict[int, tuple[list[int], network.NearestTable]] = {}


def team_table(k: int = 3) -> tuple[list[int], network.NearestTable]:
    """The k nearest teams of every node of the active network, kept up to date: the teams that
    moved since the last call are moved in the table (NearestTable.move, a few hundredths of a
    second each on a city network); a team added, removed or off the network rebuilds it. Returns
    the team ids (the table's source indices) and the table; `table.query(nodes)` answers many
    incidents at once."""
    row, graph = active_network()
    teams = list(Team.objects.order_by("pk").values_list("pk", "lat", "lon"))
    if teams:
        nodes, _snap = graph.snap([t[1] for t in teams], [t[2] for t in teams], max_m=MAX_SNAP_METRES)
    else:
        nodes = np.zeros(0, dtype=np.int64)
    ids = [t[0] for t, node in zip(teams, nodes, strict=True) if node >= 0]
    nodes = nodes[nodes >= 0]
    with _cache_lock:
        cached = _team_tables.get(row.pk)
    if cached is not None and cached[0] == ids and cached[1].k == k and cached[1].graph is graph:
        table = cached[1]
        for i in np.flatnonzero(table.sources != nodes).tolist():
            table = table.move(i, int(nodes[i]))
    else:
        table = graph.nearest_table(nodes, k)
    with _cache_lock:
        _team_tables[row.pk] = (ids, table)
    return ids, table


# --- dispatch ---------------------------------------------------------------------------------
@dataclass
class TeamOption:
    team: Team
    eta_min: float | None
    matched: list[str]
    missing: list[str]
    reasons: list[str]
    rank_key: tuple


def recommend(
    lat: float, lon: float, capabilities: Sequence[str], *, k: int = 8, limit_min: float = 240
) -> dict[str, Any]:
    """The nearest teams to an incident by road travel time, with capability match and reasons,
    and the nearest available experts for the specialties given."""
    from .choices import Capability

    row, graph = active_network()
    node, snap_m = snap_point(graph, lat, lon)
    # One-to-many: the time from every node to the incident (search on the reverse graph).
    to_incident = graph.times_to(node, limit_s=limit_min * 60)
    teams = list(Team.objects.select_related("division").all())
    if teams:
        t_nodes, t_snap = graph.snap([t.lat for t in teams], [t.lon for t in teams], max_m=MAX_SNAP_METRES)
    else:
        t_nodes, t_snap = np.zeros(0, dtype=np.int64), np.zeros(0)
    cap_label = dict(Capability.choices)
    options: list[TeamOption] = []
    for team, tn, ts in zip(teams, t_nodes, t_snap, strict=True):
        secs = (
            float(to_incident[tn]) + float(access_seconds(ts)) + float(access_seconds(snap_m))
            if tn >= 0
            else np.inf
        )
        eta = None if not np.isfinite(secs) else round(secs / 60, 1)
        matched, missing = capability_match(team.capabilities, capabilities)
        reasons = []
        if eta is not None:
            reasons.append(_("行车约 %(m).0f 分钟") % {"m": eta})
        else:
            reasons.append(_("%(m)d 分钟内无法到达") % {"m": limit_min})
        if capabilities:
            if matched:
                reasons.append(_("具备:%(c)s") % {"c": "、".join(str(cap_label.get(c, c)) for c in matched)})
            if missing:
                reasons.append(_("缺少:%(c)s") % {"c": "、".join(str(cap_label.get(c, c)) for c in missing)})
        if team.status != TeamStatus.READY:
            reasons.append(_("当前状态:%(s)s") % {"s": team.get_status_display()})
        usable = team.status == TeamStatus.READY
        # Ready teams that have every needed capability first, then by how much they cover, then time.
        key = (0 if usable else 1, len(missing), eta if eta is not None else 1e9)
        options.append(TeamOption(team, eta, matched, missing, reasons, key))
    options.sort(key=lambda o: o.rank_key)
    options = [o for o in options if o.eta_min is not None][:k]
    return {
        "network": row,
        "node": node,
        "snap_m": snap_m,
        "teams": options,
        "graph": graph,
        "to_incident": to_incident,
    }


def nearest_experts(
    lat: float,
    lon: float,
    specialties: Sequence[str],
    k: int = 5,
    *,
    graph: network.Graph | None = None,
    to_incident: np.ndarray | None = None,
    snap_m: float = 0.0,
) -> list[dict[str, Any]]:
    """Available experts of the specialties: those matching most specialties first, then by road
    travel time to the incident like the teams (when the caller passes the search it already ran:
    `graph` and `to_incident`, seconds from every node), else by straight-line distance. An expert
    without a place, or off the road network, comes last."""
    qs = Expert.objects.filter(available=True).select_related("division")
    experts = [e for e in qs if not specialties or set(e.specialties) & set(specialties)]
    placed = [e for e in experts if e.lat is not None and e.lon is not None]
    etas: dict[int, float] = {}
    if graph is not None and to_incident is not None and placed:
        nodes, snaps = graph.snap([e.lat for e in placed], [e.lon for e in placed], max_m=MAX_SNAP_METRES)
        for e, node, snap in zip(placed, nodes, snaps, strict=True):
            if node >= 0 and np.isfinite(to_incident[node]):
                secs = float(to_incident[node]) + float(access_seconds(snap)) + float(access_seconds(snap_m))
                etas[e.pk] = round(secs / 60, 1)
    out = []
    for e in experts:
        d = float(network.haversine_m(lon, lat, e.lon, e.lat) / 1000) if e.lat is not None else None
        out.append(
            {
                "expert": e,
                "km": None if d is None else round(d, 1),
                "eta_minutes": etas.get(e.pk),
                "matched": [s for s in e.specialties if s in specialties],
            }
        )

    def key(x: dict[str, Any]) -> tuple:
        by_road = x["eta_minutes"] if x["eta_minutes"] is not None else 1e9
        by_line = x["km"] if x["km"] is not None else 1e9
        return (-len(x["matched"]), by_road if etas else by_line, by_line)

    out.sort(key=key)
    return out[:k]


# --- demand -----------------------------------------------------------------------------------
@dataclass
class Demand:
    lon: np.ndarray
    lat: np.ndarray
    weight: np.ndarray
    district: list[str]
    source: str  # "villages" or "synthetic"


def demand_points() -> Demand:
    """Villages with a population when the division tree has them; else a synthetic grid."""
    rows = list(
        Division.objects.filter(level="village", population__gt=0)
        .exclude(lat=None)
        .values_list("lon", "lat", "population", "code")
    )
    if rows:
        lon, lat, pop, code = zip(*rows, strict=True)
        return Demand(
            np.array(lon), np.array(lat), np.array(pop, dtype=np.float64), [c[:6] for c in code], "villages"
        )
    from pingan.geo import lookup

    from .synthetic import demand_grid

    seats = [(d.lon, d.lat, 400000.0) for d in Division.objects.filter(level="district").exclude(lat=None)]
    lon, lat, pop = demand_grid(city=city_area(), seats=seats)
    districts = []
    for x, y in zip(lon, lat, strict=True):
        pk = lookup.locate_id(float(y), float(x), level="district")
        districts.append(pk)
    codes = dict(Division.objects.filter(level="district").values_list("id", "code"))
    return Demand(lon, lat, pop, [codes.get(pk, "") for pk in districts], "synthetic")


# --- coverage ---------------------------------------------------------------------------------
def station_nodes(
    graph: network.Graph, capabilities: Sequence[str] = ()
) -> tuple[list[Team], np.ndarray, np.ndarray]:
    teams = [
        t
        for t in Team.objects.exclude(status=TeamStatus.UNAVAILABLE)
        if not capabilities or set(capabilities) <= set(t.capabilities)
    ]
    if not teams:
        return [], np.zeros(0, dtype=np.int64), np.zeros(0)
    nodes, dist = graph.snap([t.lat for t in teams], [t.lon for t in teams], max_m=MAX_SNAP_METRES)
    ok = nodes >= 0
    return [t for t, o in zip(teams, ok, strict=True) if o], nodes[ok], dist[ok]


def compute_coverage(
    graph: network.Graph,
    demand: Demand,
    sources: np.ndarray,
    thresholds: Sequence[float],
    progress: Callable[[int, str], None] = lambda p, s: None,
) -> dict[str, Any]:
    progress(30, "snap")
    d_nodes, d_snap = graph.snap(demand.lat, demand.lon, max_m=MAX_SNAP_METRES)
    progress(45, "dijkstra")
    limit = max(thresholds) * 60
    dist, _src = graph.nearest_source_times(sources, limit_s=limit)
    progress(75, "aggregate")
    minutes = np.where(d_nodes >= 0, (dist[np.maximum(d_nodes, 0)] + access_seconds(d_snap)) / 60, np.inf)
    shares = coverage_shares(minutes.tolist(), demand.weight.tolist(), demand.district, thresholds)
    return {
        "minutes": minutes,
        "shares": shares,
        "gap": urban_mountain_gap(shares, thresholds),
        "unsnapped": int((d_nodes < 0).sum()),
    }


def run_coverage(run, progress: Callable[[int, str], None]) -> dict[str, Any]:
    graph = graph_of(run.network)
    progress(10, "demand")
    demand = demand_points()
    teams, nodes, _ = station_nodes(graph, run.capabilities)
    thresholds = [float(t) for t in (run.thresholds or DEFAULT_THRESHOLDS)]
    out = compute_coverage(graph, demand, nodes, thresholds, progress)
    names = dict(Division.objects.filter(level="district").values_list("code", "name"))
    districts = [
        {
            "code": c,
            "name": names.get(c, c),
            "population": round(s["population"]),
            "share": {k: round(v, 4) for k, v in s["share"].items()},
        }
        for c, s in sorted(out["shares"].items())
        if c != "*"
    ]
    city = out["shares"].get("*", {"population": 0, "share": {}})
    # Demand points for the map, coloured by the band they fall into.
    minutes = out["minutes"]
    points = [
        [
            round(float(x), 4),
            round(float(y), 4),
            round(float(w)),
            None if not np.isfinite(m) else round(float(m), 1),
        ]
        for x, y, w, m in zip(demand.lon, demand.lat, demand.weight, minutes, strict=True)
    ]
    return {
        "demand_source": demand.source,
        "thresholds": thresholds,
        "teams": len(teams),
        "demand_points": len(points),
        "districts": districts,
        "city": {
            "population": round(city["population"]),
            "share": {k: round(v, 4) for k, v in city["share"].items()},
        },
        "gap": out["gap"],
        "unsnapped": out["unsnapped"],
        "points": points,
    }


# --- siting -----------------------------------------------------------------------------------
def candidate_sites() -> list[dict[str, Any]]:
    """Township seats as candidate station sites (a township without a team is a natural place)."""
    rows = Division.objects.filter(level="town").exclude(lat=None).values_list("code", "name", "lat", "lon")
    return [{"code": c, "name": n, "lat": la, "lon": lo} for c, n, la, lo in rows]


def run_siting(run, progress: Callable[[int, str], None]) -> dict[str, Any]:
    graph = graph_of(run.network)
    progress(10, "demand")
    demand = demand_points()
    candidates = candidate_sites()
    if run.p > len(candidates):
        raise siting.SitingError(
            _("新增站点数 %(p)d 大于候选站点数 %(n)d") % {"p": run.p, "n": len(candidates)}, code="too_many"
        )
    c_nodes, c_snap = graph.snap(
        [c["lat"] for c in candidates], [c["lon"] for c in candidates], max_m=MAX_SNAP_METRES
    )
    ok = c_nodes >= 0
    candidates = [c for c, o in zip(candidates, ok, strict=True) if o]
    c_nodes, c_snap = c_nodes[ok], c_snap[ok]
    teams, e_nodes, e_snap = station_nodes(graph)
    d_nodes, d_snap = graph.snap(demand.lat, demand.lon, max_m=MAX_SNAP_METRES)
    keep = d_nodes >= 0
    if run.mountain_only:
        keep &= np.isin(np.array(demand.district, dtype=object), list(MOUNTAIN_DISTRICTS))
    d_nodes, d_snap, w = d_nodes[keep], d_snap[keep], demand.weight[keep]
    progress(25, "travel times")
    limit = 240 * 60

    def table(nodes: np.ndarray, snaps: np.ndarray) -> np.ndarray:
        if nodes.size == 0:
            return np.zeros((d_nodes.size, 0))
        t = graph.times_from(nodes, limit_s=limit)[:, d_nodes]
        return ((t + access_seconds(snaps)[:, None] + access_seconds(d_snap)[None, :]) / 60).T

    cand_t = table(c_nodes, c_snap)
    exist_t = table(e_nodes, e_snap)
    progress(50, "solve")
    steps = siting.gains(run.method, cand_t, w, run.p, threshold=run.threshold, existing_times=exist_t)
    final = steps[-1]
    sites = [candidates[j] | {"order": i + 1} for i, j in enumerate(final["chosen"])]
    total = float(w.sum())
    return {
        "demand_source": demand.source,
        "sites": sites,
        "steps": [{k: v for k, v in s.items() if k != "chosen"} for s in steps],
        "total_population": round(total),
        "candidates": len(candidates),
        "existing": len(teams),
        "objective": final["objective"],
        "share": (final["objective"] / total) if run.method == SitingMethod.MCLP and total else None,
    }

"""Road network import from OpenStreetMap files (.osm.pbf and .osm XML) through pyosmium.

Ways with a vehicle `highway` class become edges between consecutive nodes; `oneway` is honoured
(yes/true/1 forward, -1/reverse backward; motorways and roundabouts are one-way by default); the
speed comes from the class (configurable) and roads inside the mountain areas are slower by the
mountain factor. The largest strongly connected part is kept (network.build).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import shapely
from django.utils.translation import gettext as _

from . import network
from .rules import MOUNTAIN_FACTOR, ROAD_SPEEDS_KMH

FORWARD_ONLY = {"yes", "true", "1"}
BACKWARD_ONLY = {"-1", "reverse"}
IMPLIED_ONEWAY = {"motorway", "motorway_link"}


def read_osm(
    path: str | Path,
    *,
    speeds: dict[str, float] | None = None,
    mountain_areas: Sequence[shapely.Geometry] = (),
    mountain_factor: float | None = None,
) -> network.Graph:
    """Parse an OSM file into a Graph; raises NetworkError for a file that is not OSM or has no roads."""
    import osmium

    speeds = dict(speeds or ROAD_SPEEDS_KMH["speeds"])
    factor = MOUNTAIN_FACTOR["value"] if mountain_factor is None else mountain_factor
    path = Path(path)
    if not path.is_file():
        raise network.NetworkError(
            _("找不到文件:%(name)s") % {"name": path.name}, code="not_found", field="file"
        )
    classes = sorted(speeds)
    class_index = {c: i for i, c in enumerate(classes)}
    refs_u: list[int] = []
    refs_v: list[int] = []
    cls_list: list[int] = []
    dir_list: list[int] = []  # 1 forward, -1 backward, 0 both
    coords: dict[int, tuple[float, float]] = {}
    try:
        processor = (
            osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for obj in processor:
            if not obj.is_way():
                continue
            hw = obj.tags.get("highway")
            if hw not in class_index or obj.tags.get("area") == "yes":
                continue
            access = obj.tags.get("access") or obj.tags.get("motor_vehicle")
            if access in ("no", "private"):
                continue
            oneway = obj.tags.get("oneway", "")
            if (
                oneway in FORWARD_ONLY
                or (hw in IMPLIED_ONEWAY and oneway != "no")
                or obj.tags.get("junction") == "roundabout"
            ):
                direction = 1
            elif oneway in BACKWARD_ONLY:
                direction = -1
            else:
                direction = 0
            nodes = []
            for nd in obj.nodes:
                if not nd.location.valid():
                    continue
                coords[nd.ref] = (nd.location.lon, nd.location.lat)
                nodes.append(nd.ref)
            ci = class_index[hw]
            for a, b in zip(nodes[:-1], nodes[1:], strict=True):
                refs_u.append(a)
                refs_v.append(b)
                cls_list.append(ci)
                dir_list.append(direction)
    except RuntimeError as exc:  # osmium: unknown format, truncated or corrupt data
        raise network.NetworkError(
            _("不是可读的 OpenStreetMap 文件:%(e)s") % {"e": exc}, code="not_osm", field="file"
        ) from exc
    if not refs_u:
        raise network.NetworkError(_("文件中没有可通行车辆的道路"), code="no_roads", field="file")
    ids = np.fromiter(coords.keys(), dtype=np.int64, count=len(coords))
    xy = np.array(list(coords.values()), dtype=np.float64)
    order = np.argsort(ids)
    ids, xy = ids[order], xy[order]
    u = np.searchsorted(ids, np.array(refs_u, dtype=np.int64))
    v = np.searchsorted(ids, np.array(refs_v, dtype=np.int64))
    cls = np.array(cls_list, dtype=np.int8)
    direction = np.array(dir_list, dtype=np.int8)
    lon, lat = xy[:, 0], xy[:, 1]
    length = network.haversine_m(lon[u], lat[u], lon[v], lat[v])
    class_speed = np.array([speeds[c] for c in classes], dtype=np.float64)
    sec = network.seconds_for(length, class_speed[cls])
    sec = apply_mountain_factor(sec, (lon[u] + lon[v]) / 2, (lat[u] + lat[v]) / 2, mountain_areas, factor)
    fwd = direction >= 0
    bwd = direction <= 0
    eu = np.concatenate([u[fwd], v[bwd]])
    ev = np.concatenate([v[fwd], u[bwd]])
    es = np.concatenate([sec[fwd], sec[bwd]])
    ec = np.concatenate([cls[fwd], cls[bwd]])
    return network.build(lon, lat, eu, ev, es, ec, classes)


def apply_mountain_factor(
    seconds: np.ndarray,
    mid_lon: np.ndarray,
    mid_lat: np.ndarray,
    areas: Sequence[shapely.Geometry],
    factor: float,
) -> np.ndarray:
    """Slow down the edges whose midpoint lies in a mountain area (time / factor)."""
    if not areas or factor >= 1.0:
        return seconds
    inside = np.zeros(seconds.shape[0], dtype=bool)
    for area in areas:
        inside |= shapely.contains_xy(area, mid_lon, mid_lat)
    out = np.asarray(seconds, dtype=np.float64).copy()
    out[inside] /= factor
    return out

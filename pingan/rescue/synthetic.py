"""A synthetic road network and synthetic demand for the Qingyuan demo (labelled synthetic).

Not a map of real roads: a jittered grid over the city's extent with arterial lines, two
expressway corridors (south–north through 清城/英德, and north-west towards 阳山/连州 like the
二广 corridor), and in the mountainous north a sparser, slower network, so that the urban–mountain
gap in rescue times shows the way it does on the ground.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

from . import network
from .osm import apply_mountain_factor
from .rules import MOUNTAIN_FACTOR, ROAD_SPEEDS_KMH

# Qingyuan's extent (about 111°55′–113°55′ E, 23°26′–25°12′ N).
QINGYUAN_BBOX = (111.90, 23.43, 113.95, 25.20)
# Expressway corridors as polylines (lon, lat); synthetic approximations of real corridors.
CORRIDORS = [
    [(113.05, 23.50), (113.02, 23.70), (113.25, 23.95), (113.40, 24.18), (113.45, 24.60), (113.60, 25.10)],
    [(113.02, 23.70), (112.85, 23.95), (112.63, 24.48), (112.45, 24.65), (112.38, 24.78)],
]
# A fallback for the mountain area when no district boundaries are loaded: the north-west.
MOUNTAIN_FALLBACK = shapely.Polygon([(111.9, 24.3), (113.0, 24.3), (113.0, 25.2), (111.9, 25.2)])


def qingyuan_network(
    *,
    step: float = 0.025,
    city: shapely.Geometry | None = None,
    mountain_areas: Sequence[shapely.Geometry] = (),
    seed: int = 7,
    speeds: dict[str, float] | None = None,
    mountain_factor: float | None = None,
) -> network.Graph:
    speeds = dict(speeds or ROAD_SPEEDS_KMH["speeds"])
    factor = MOUNTAIN_FACTOR["value"] if mountain_factor is None else mountain_factor
    areas = list(mountain_areas) or [MOUNTAIN_FALLBACK]
    rng = np.random.default_rng(seed)
    lon0, lat0, lon1, lat1 = QINGYUAN_BBOX
    cols = int(round((lon1 - lon0) / step)) + 1
    rows = int(round((lat1 - lat0) / step)) + 1
    gx, gy = np.meshgrid(np.arange(cols), np.arange(rows))
    lon = lon0 + gx.ravel() * step + rng.uniform(-0.3, 0.3, gx.size) * step
    lat = lat0 + gy.ravel() * step + rng.uniform(-0.3, 0.3, gy.size) * step
    node = np.arange(rows * cols).reshape(rows, cols)
    in_mountain = np.zeros(lon.size, dtype=bool)
    for area in areas:
        in_mountain |= shapely.contains_xy(area, lon, lat)

    classes = ["motorway", "primary", "secondary", "tertiary", "track"]
    ci = {c: i for i, c in enumerate(classes)}
    us, vs, cs = [], [], []

    def add(a: np.ndarray, b: np.ndarray, cls: np.ndarray) -> None:
        us.append(a)
        vs.append(b)
        cs.append(cls)

    # Grid streets: every 8th line is primary, every 4th secondary, the rest tertiary
    # (tracks in the mountains).
    for axis in (0, 1):
        a = node[:, :-1] if axis == 0 else node[:-1, :]
        b = node[:, 1:] if axis == 0 else node[1:, :]
        line = gy[:, :-1] if axis == 0 else gx[:-1, :]
        cls = np.full(a.shape, ci["tertiary"], dtype=np.int8)
        cls[line % 4 == 0] = ci["secondary"]
        cls[line % 8 == 0] = ci["primary"]
        a, b, cls = a.ravel(), b.ravel(), cls.ravel()
        mountain = in_mountain[a] | in_mountain[b]
        minor = cls == ci["tertiary"]
        cls[mountain & minor] = ci["track"]
        # The mountains have fewer roads: drop a share of the minor links there.
        drop = mountain & minor & (rng.random(a.size) < 0.35)
        add(a[~drop], b[~drop], cls[~drop])
    # Expressways: consecutive grid nodes along each corridor.
    for corridor in CORRIDORS:
        line = shapely.LineString(corridor)
        pts = [line.interpolate(d) for d in np.arange(0, line.length, step / 2)]
        cx = np.clip(np.round((np.array([p.x for p in pts]) - lon0) / step).astype(int), 0, cols - 1)
        cy = np.clip(np.round((np.array([p.y for p in pts]) - lat0) / step).astype(int), 0, rows - 1)
        seq = node[cy, cx]
        seq = seq[np.r_[True, seq[1:] != seq[:-1]]]
        add(seq[:-1], seq[1:], np.full(seq.size - 1, ci["motorway"], dtype=np.int8))
    u = np.concatenate(us)
    v = np.concatenate(vs)
    cls = np.concatenate(cs)
    length = network.haversine_m(lon[u], lat[u], lon[v], lat[v]) * 1.25  # roads wind
    class_speed = np.array([speeds.get(c, 30) for c in classes], dtype=np.float64)
    sec = network.seconds_for(length, class_speed[cls])
    sec = apply_mountain_factor(sec, (lon[u] + lon[v]) / 2, (lat[u] + lat[v]) / 2, areas, factor)
    keep = np.ones(lon.size, dtype=bool) if city is None else shapely.contains_xy(city, lon, lat)
    ek = keep[u] & keep[v]
    u, v, cls, sec = u[ek], v[ek], cls[ek], sec[ek]
    return network.build(
        lon,
        lat,
        np.concatenate([u, v]),
        np.concatenate([v, u]),
        np.concatenate([sec, sec]),
        np.concatenate([cls, cls]),
        classes,
    )


def demand_grid(
    *,
    step: float = 0.04,
    city: shapely.Geometry | None = None,
    seats: Sequence[tuple[float, float, float]] = (),
    seed: int = 11,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Synthetic demand points (lon, lat, population): a grid whose weights fall off with the
    distance from the county seats (seats: lon, lat, people near the seat)."""
    rng = np.random.default_rng(seed)
    lon0, lat0, lon1, lat1 = QINGYUAN_BBOX
    gx, gy = np.meshgrid(np.arange(lon0 + step / 2, lon1, step), np.arange(lat0 + step / 2, lat1, step))
    lon, lat = gx.ravel(), gy.ravel()
    if city is not None:
        inside = shapely.contains_xy(city, lon, lat)
        lon, lat = lon[inside], lat[inside]
    pop = np.full(lon.size, 300.0)
    for s_lon, s_lat, people in seats:
        d_km = network.haversine_m(lon, lat, s_lon, s_lat) / 1000
        pop += people * np.exp(-d_km / 8.0) / 40
    pop *= rng.uniform(0.6, 1.4, lon.size)
    return lon, lat, np.round(pop)

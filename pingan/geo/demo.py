"""Qingyuan demo divisions (idempotent): city, 8 districts, 92 township units, villages and grids.

- Districts: real GB/T 2260 codes and boundaries from the `geotool-cn` package (GeoToolCN), whose
  boundary data comes from DataV.GeoAtlas ("数据来源于高德开放平台,仅供学习交流使用": learning and
  exchange only). Good enough for a demo, never an official boundary. The city's boundary is the
  union of its districts.
- Township units: the real 92 codes and names (`data/towns.csv`), with SYNTHETIC boundaries: Voronoi
  cells of seed points spread inside the district (街道 clustered round the county seat), clipped to it.
- Villages/communities (2–4 per township) and grids (2 per village): synthetic codes, names,
  boundaries and populations, all flagged `is_synthetic`.

Everything is deterministic (seeded random numbers), so the same run gives the same map, and a
second run only adds what is missing.
"""

from __future__ import annotations

import csv
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from django.db import transaction

from . import lookup
from .choices import Level
from .models import Division
from .rules import division_path, is_formal_township

DATA = Path(__file__).resolve().parent / "data"
CITY_CODE = "441800"
CITY_NAME = "清远市"

DISTRICT_SOURCE = (
    "geotool-cn 3.1.0 (GeoToolCN) · DataV.GeoAtlas,数据来源于高德开放平台,仅供学习交流使用;"
    "非官方边界 / not an official boundary"
)
CITY_SOURCE = "区县边界合并 union of district boundaries · " + DISTRICT_SOURCE
SYNTHETIC_SOURCE = "合成边界(演示用,Voronoi) synthetic demo boundary, not official"

# Synthetic resident population per county-level unit: the order of magnitude of the 2020 census
# (about 4 million in all), rounded; denser in 清城/清新/英德, sparse in the mountainous north.
DISTRICT_POPULATION = {
    "441802": 1_000_000,  # 清城区
    "441803": 640_000,  # 清新区
    "441821": 320_000,  # 佛冈县
    "441823": 370_000,  # 阳山县
    "441825": 110_000,  # 连山
    "441826": 150_000,  # 连南
    "441881": 950_000,  # 英德市
    "441882": 390_000,  # 连州市
}

VILLAGE_STEMS = [
    "石岭",
    "新塘",
    "大坪",
    "上坪",
    "下廓",
    "黄坑",
    "莲塘",
    "水口",
    "龙岗",
    "白沙",
    "田心",
    "高田",
    "竹园",
    "松岗",
    "联和",
    "长岭",
    "牛角",
    "沙坪",
    "江口",
    "横江",
    "石坑",
    "大湾",
    "桥头",
    "塘坑",
    "上洞",
    "坪塘",
    "马岭",
    "云岭",
    "东坑",
    "西岸",
    "南岗",
    "北坑",
    "和平",
    "荷塘",
    "凤岭",
    "金坑",
    "银岭",
    "梅花",
    "桃源",
    "杨梅",
    "樟木",
    "山口",
    "岭背",
    "鹤塘",
    "大岗",
    "小江",
    "新屋",
    "石门",
]


def town_kind(name: str) -> str:
    """The kind of a township-level unit, from its name."""
    for suffix, kind in (
        ("街道", "街道"),
        ("林场", "林场"),
        ("农林场", "林场"),
        ("开发区", "开发区"),
        ("园区", "开发区"),
        ("保护区", "保护区"),
        ("民族乡", "乡"),
        ("镇", "镇"),
        ("乡", "乡"),
    ):
        if name.endswith(suffix):
            return kind
    return "其他"


TOWN_WEIGHT = {"街道": 5.0, "镇": 1.0, "乡": 0.6, "开发区": 0.8, "林场": 0.04, "保护区": 0.02, "其他": 0.5}


@dataclass
class Node:
    code: str
    name: str
    level: str
    parent: str | None
    geom: Any
    kind: str = ""
    is_formal: bool = True
    is_synthetic: bool = False
    source: str = ""
    population: int | None = None
    children: list[Node] = field(default_factory=list)


def _rng(code: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(code.encode()))


def district_geometry(code: str) -> Any:
    """A district's boundary (WGS-84 shapely geometry) from the geotool-cn package.

    The package stores rings as zig-zag varint deltas of coordinates quantised to 10^-precision
    degrees (precision 5: 1e-5° ≈ 1 m), x = longitude, y = latitude, WGS-84.
    """
    from GeoToolCN import GeoTool

    data = GeoTool()._data
    index = data.index_of(code, "district")
    if index is None:
        raise LookupError(f"geotool-cn has no district {code}")
    decoded = data.geometry(index)
    if decoded is None:
        raise LookupError(f"geotool-cn has no geometry for {code}")
    _, polygons = decoded
    scale = float(data.scale)
    parts = []
    for rings in polygons:
        shells = [np.column_stack([np.asarray(xs) / scale, np.asarray(ys) / scale]) for xs, ys in rings]
        parts.append(shapely.Polygon(shells[0], shells[1:]))
    geom = parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)
    return shapely.make_valid(geom) if not geom.is_valid else geom


def _sample(poly: Any, n: int, rng: np.random.Generator) -> np.ndarray:
    x0, y0, x1, y1 = poly.bounds
    out: list[np.ndarray] = []
    have = 0
    shapely.prepare(poly)
    while have < n:
        pts = np.column_stack([rng.uniform(x0, x1, n * 2), rng.uniform(y0, y1, n * 2)])
        pts = pts[shapely.contains_xy(poly, pts[:, 0], pts[:, 1])]
        out.append(pts)
        have += len(pts)
    return np.vstack(out)[:n]


def _seeds(poly: Any, n: int, fixed: np.ndarray, rng: np.random.Generator, iters: int = 12) -> np.ndarray:
    """n well-spread seed points inside `poly` (k-means over random samples; `fixed` stay put)."""
    samples = _sample(poly, max(400, 150 * n), rng)
    k = len(fixed)
    free = samples[rng.choice(len(samples), n - k, replace=False)] if n > k else np.empty((0, 2))
    centres = np.vstack([fixed.reshape(-1, 2), free])
    for _ in range(iters):
        d = ((samples[:, None, :] - centres[None, :, :]) ** 2).sum(-1)
        label = d.argmin(1)
        for j in range(k, n):
            members = samples[label == j]
            if len(members):
                # The sample nearest the cluster mean: stays inside non-convex shapes.
                mean = members.mean(0)
                centres[j] = members[((members - mean) ** 2).sum(1).argmin()]
    return centres


def _cells(poly: Any, seeds: np.ndarray) -> list[Any]:
    """Voronoi cells of `seeds`, clipped to `poly`, in seed order (each non-empty)."""
    if len(seeds) == 1:
        return [poly]
    vor = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=poly, ordered=True)
    cells = [shapely.make_valid(cell.intersection(poly)) for cell in vor.geoms]
    out = []
    for cell in cells:
        polys = [g for g in getattr(cell, "geoms", [cell]) if g.geom_type in ("Polygon", "MultiPolygon")]
        cell = shapely.union_all(polys) if polys else cell
        if cell.is_empty:
            raise ValueError("empty synthetic cell")
        out.append(cell)
    return out


def _split(total: int, weights: np.ndarray) -> list[int]:
    """Split an integer total by weights (largest remainder), summing exactly to `total`."""
    raw = total * weights / weights.sum()
    out = np.floor(raw).astype(int)
    rest = total - int(out.sum())
    for i in np.argsort(-(raw - out))[:rest]:
        out[i] += 1
    return [int(v) for v in out]


def _round(geom: Any) -> Any:
    out = shapely.set_precision(geom, 1e-5)
    return out if not out.is_empty else geom


def build_tree() -> Node:
    """The whole demo tree in memory (no database)."""
    districts = list(csv.DictReader((DATA / "districts.csv").open(encoding="utf-8")))
    towns = list(csv.DictReader((DATA / "towns.csv").open(encoding="utf-8")))
    city = Node(CITY_CODE, CITY_NAME, Level.CITY, None, None, kind="地级市", source=CITY_SOURCE)
    for row in districts:
        code = row["code"]
        kind = "区" if row["name"].endswith("区") else ("市" if row["name"].endswith("市") else "县")
        dist = Node(
            code,
            row["name"],
            Level.DISTRICT,
            CITY_CODE,
            district_geometry(code),
            kind=kind,
            source=DISTRICT_SOURCE,
        )
        city.children.append(dist)
        seat = np.array([float(row["seat_lon"]), float(row["seat_lat"])])
        _build_towns(dist, [t for t in towns if t["district_code"] == code], seat)
    city.geom = shapely.union_all([d.geom for d in city.children]).buffer(0)
    city.population = sum(d.population or 0 for d in city.children)
    return city


def _build_towns(dist: Node, rows: list[dict[str, str]], seat: np.ndarray) -> None:
    rng = _rng(dist.code)
    rows = sorted(
        rows, key=lambda r: (town_kind(r["name"]) != "街道", not r["code"].endswith("100"), r["code"])
    )
    n_street = sum(1 for r in rows if town_kind(r["name"]) == "街道")
    if n_street == 0 and rows and rows[0]["code"].endswith("100"):
        n_street = 1  # no 街道: the seat town (serial 100, e.g. 连州镇) holds the county seat
    # 街道 (urban sub-districts) sit round the county seat, a few km apart.
    fixed = []
    shapely.prepare(dist.geom)
    for i in range(n_street):
        angle = 2 * np.pi * i / max(n_street, 1) + 0.4
        for radius in (0.03, 0.02, 0.012, 0.006, 0.0) if n_street > 1 else (0.0,):
            p = seat + radius * np.array([np.cos(angle), np.sin(angle)])
            if dist.geom.contains(shapely.Point(p)):
                fixed.append(p)
                break
    seeds = _seeds(dist.geom, len(rows), np.array(fixed), rng)
    cells = _cells(dist.geom, seeds)
    kinds = [town_kind(r["name"]) for r in rows]
    weights = np.array([TOWN_WEIGHT[k] * rng.uniform(0.7, 1.3) for k in kinds])
    pops = _split(DISTRICT_POPULATION.get(dist.code, 100_000), weights)
    for row, cell, kind, pop in zip(rows, cells, kinds, pops, strict=True):
        town = Node(
            row["code"],
            row["name"],
            Level.TOWN,
            dist.code,
            cell,
            kind=kind,
            is_formal=is_formal_township(row["code"]),
            is_synthetic=True,
            source=SYNTHETIC_SOURCE,
            population=pop,
        )
        dist.children.append(town)
        _build_villages(town, rng)
    dist.population = sum(t.population or 0 for t in dist.children)


def _build_villages(town: Node, rng: np.random.Generator) -> None:
    n = int(rng.integers(2, 5))
    seeds = _seeds(town.geom, n, np.empty((0, 2)), rng, iters=6)
    cells = _cells(town.geom, seeds)
    urban = town.kind == "街道"
    stems = rng.choice(len(VILLAGE_STEMS), n, replace=False)
    pops = _split(town.population or 0, rng.uniform(0.6, 1.4, n))
    for i, (cell, stem, pop) in enumerate(zip(cells, stems, pops, strict=True)):
        serial = (1 + i) if urban else (201 + i)
        name = VILLAGE_STEMS[stem] + ("社区" if urban else "村")
        village = Node(
            f"{town.code}{serial:03d}",
            name,
            Level.VILLAGE,
            town.code,
            cell,
            kind="社区" if urban else "村",
            is_synthetic=True,
            source=SYNTHETIC_SOURCE,
            population=pop,
        )
        town.children.append(village)
        g_seeds = _seeds(cell, 2, np.empty((0, 2)), rng, iters=4)
        g_cells = _cells(cell, g_seeds)
        g_pops = _split(pop, rng.uniform(0.7, 1.3, 2))
        for j, (g_cell, g_pop) in enumerate(zip(g_cells, g_pops, strict=True)):
            village.children.append(
                Node(
                    f"{village.code}{j + 1:03d}",
                    f"{name}第{j + 1}网格",
                    Level.GRID,
                    village.code,
                    g_cell,
                    kind="网格",
                    is_synthetic=True,
                    source=SYNTHETIC_SOURCE,
                    population=g_pop,
                )
            )


def _walk(node: Node) -> list[Node]:
    out = [node]
    for child in node.children:
        out.extend(_walk(child))
    return out


def division_fields(geom: Any) -> dict[str, Any]:
    """geometry/lat/lon/bbox columns for a shapely geometry."""
    point = geom.representative_point()
    x0, y0, x1, y1 = geom.bounds
    return {
        "geometry": shapely.geometry.mapping(geom),
        "lat": round(point.y, 6),
        "lon": round(point.x, 6),
        "min_lon": x0,
        "min_lat": y0,
        "max_lon": x1,
        "max_lat": y1,
    }


def _to_plain(mapping: Any) -> Any:
    # shapely's mapping() gives tuples; JSON columns round-trip lists.
    if isinstance(mapping, dict):
        return {k: _to_plain(v) for k, v in mapping.items()}
    if isinstance(mapping, list | tuple):
        return [_to_plain(v) for v in mapping]
    return mapping


@transaction.atomic
def seed(log: Callable[[str], Any] = print) -> None:
    existing = set(Division.objects.values_list("code", flat=True))
    if CITY_CODE in existing and Division.objects.filter(code__startswith="4418", level=Level.GRID).exists():
        log(f"divisions already present ({len(existing)})")
        return
    tree = build_tree()
    nodes = _walk(tree)
    ids: dict[str, int] = dict(Division.objects.values_list("code", "id"))
    created = 0
    for level in (Level.CITY, Level.DISTRICT, Level.TOWN, Level.VILLAGE, Level.GRID):
        batch = []
        for n in nodes:
            if n.level != level or n.code in ids:
                continue
            geom = _round(n.geom)
            cols = division_fields(geom)
            cols["geometry"] = _to_plain(cols["geometry"])
            batch.append(
                Division(
                    code=n.code,
                    path=division_path(n.code, n.level),
                    name=n.name,
                    level=n.level,
                    parent_id=ids.get(n.parent) if n.parent else None,
                    kind=n.kind,
                    is_formal=n.is_formal,
                    is_synthetic=n.is_synthetic,
                    geometry_source=n.source,
                    population=n.population,
                    **cols,
                )
            )
        Division.objects.bulk_create(batch, batch_size=200)
        created += len(batch)
        ids.update(Division.objects.filter(level=level).values_list("code", "id"))
    transaction.on_commit(lookup.invalidate)
    lookup.invalidate()
    n_towns = sum(len(d.children) for d in tree.children)
    n_villages = sum(1 for n in nodes if n.level == Level.VILLAGE)
    n_grids = sum(1 for n in nodes if n.level == Level.GRID)
    log(
        f"divisions: {created} created (city, {len(tree.children)} districts, {n_towns} township units, "
        f"{n_villages} villages, {n_grids} grids; population {tree.population}; township and smaller "
        "boundaries are synthetic)"
    )

"""The offline base map: county and township boundaries with their names, as one GeoJSON document.

When no tile server is configured (`MAP_TILE_URL` empty: the demo, any offline install) every map
draws this under its own layers, so a reader can tell where they are and a reporter can click
"in 清城区" and land in 清城区.

- Two levels of detail: `full` is the stored geometry exactly as the point-in-division look-up
  (`lookup.locate`) uses it, so what is drawn at street zoom is what decides; `coarse` (for the
  whole-city view) is simplified as a coverage (shared edges stay shared: no slivers or gaps) and
  the counties are dissolved from their simplified townships, so the two levels never disagree.
- Each feature carries a label point inside it (pole of inaccessibility), the county of a township,
  and whether its boundary is synthetic (the demo's township boundaries are, and the map says so).
- Built once per process and boundary fingerprint (the count and latest update of the divisions
  with a geometry: one query), so a request costs one small query whatever the size of the tree.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import shapely
from django.db.models import Count, Max, Q

from .choices import Level
from .models import Division

DETAILS = ("coarse", "full")
COARSE_TOLERANCE = 0.004  # degrees (≈ 400 m): invisible at the city-wide zooms it is drawn at
DECIMALS = {"coarse": 4, "full": 6}


@dataclass(frozen=True)
class Basemap:
    etag: str
    body: bytes
    features: int


_lock = threading.Lock()
_built: dict[tuple[Any, str], Basemap] = {}


def fingerprint() -> tuple[Any, ...]:
    """Changes whenever a county or township row (its boundary, name or flags) changes."""
    agg = Division.objects.filter(level__in=[Level.DISTRICT, Level.TOWN]).aggregate(
        n=Count("id"), g=Count("id", filter=Q(geometry__isnull=False)), t=Max("updated_at")
    )
    return (agg["n"], agg["g"], agg["t"].isoformat() if agg["t"] else "")


def get(detail: str = "full") -> Basemap:
    """The base map document for `detail` ("coarse" or "full"), built at most once per fingerprint."""
    if detail not in DETAILS:
        raise ValueError(detail)
    fp = fingerprint()
    key = (fp, detail)
    found = _built.get(key)
    if found is not None:
        return found
    with _lock:
        found = _built.get(key)
        if found is None:
            found = _build(detail, fp)
            for old in [k for k in _built if k[0] != fp]:
                del _built[old]
            _built[key] = found
        return found


def invalidate() -> None:
    with _lock:
        _built.clear()


def _shape(geometry: Any) -> Any:
    try:
        geom = shapely.geometry.shape(geometry)
    except Exception:  # noqa: BLE001 - one bad stored boundary must not take the base map down
        return None
    if geom.is_empty:
        return None
    return geom if geom.is_valid else shapely.make_valid(geom)


def _polygonal(geom: Any) -> Any:
    parts = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else shapely.union_all(parts)


def label_point(geom: Any) -> tuple[float, float]:
    """(lat, lon) of a point well inside the shape: the pole of inaccessibility of its largest part."""
    parts = list(getattr(geom, "geoms", [geom]))
    largest = max(parts, key=lambda g: g.area)
    try:
        p = shapely.polylabel(largest, tolerance=0.001)
    except Exception:  # noqa: BLE001 - degenerate shapes: any point inside will do
        p = largest.representative_point()
    if not largest.contains(p):
        p = largest.representative_point()
    return (round(p.y, 5), round(p.x, 5))


def _simplified(geoms: list[Any]) -> list[Any]:
    """Simplify a set of polygons as a coverage (shared edges simplified once, alike on both sides)."""
    try:
        out = list(shapely.coverage_simplify(geoms, COARSE_TOLERANCE, simplify_boundary=True))
    except Exception:  # noqa: BLE001 - GEOS refuses some inputs: simplify each on its own
        out = [g.simplify(COARSE_TOLERANCE, preserve_topology=True) for g in geoms]
    return [
        o if (o is not None and not o.is_empty and o.is_valid) else g for o, g in zip(out, geoms, strict=True)
    ]


def _rows() -> list[dict[str, Any]]:
    rows = []
    for pk, code, name, level, parent_id, synthetic, geometry in (
        Division.objects.filter(level__in=[Level.DISTRICT, Level.TOWN])
        .exclude(geometry=None)
        .order_by("code")
        .values_list("id", "code", "name", "level", "parent_id", "is_synthetic", "geometry")
    ):
        geom = _shape(geometry)
        geom = _polygonal(geom) if geom is not None else None
        if geom is None:
            continue
        rows.append(
            {
                "id": pk,
                "code": code,
                "name": name,
                "level": level,
                "parent": parent_id,
                "synthetic": synthetic,
                "geom": geom,
            }
        )
    return rows


def _round_coords(obj: Any, decimals: int) -> Any:
    if isinstance(obj, float):
        return round(obj, decimals)
    if isinstance(obj, list | tuple):
        return [_round_coords(v, decimals) for v in obj]
    return obj


def _feature(row: dict[str, Any], geom: Any, decimals: int, district_name: str = "") -> dict[str, Any]:
    mapping = shapely.geometry.mapping(geom)
    return {
        "type": "Feature",
        "geometry": {"type": mapping["type"], "coordinates": _round_coords(mapping["coordinates"], decimals)},
        "properties": {
            "id": row["id"],
            "code": row["code"],
            "name": row["name"],
            "label": row["name"],
            "level": row["level"],
            "district": district_name if row["level"] == Level.TOWN else row["name"],
            "place": f"{district_name} · {row['name']}" if district_name else row["name"],
            "synthetic": row["synthetic"],
            "label_at": label_point(row["geom"]),
        },
    }


def build_features(rows: Iterable[dict[str, Any]], detail: str) -> list[dict[str, Any]]:
    rows = list(rows)
    districts = {r["id"]: r for r in rows if r["level"] == Level.DISTRICT}
    towns = [r for r in rows if r["level"] == Level.TOWN]
    decimals = DECIMALS[detail]
    drawn: dict[int, Any] = {r["id"]: r["geom"] for r in rows}
    if detail == "coarse":
        if towns:
            for r, g in zip(towns, _simplified([r["geom"] for r in towns]), strict=True):
                drawn[r["id"]] = g
        # A county whose townships all have boundaries is drawn as the union of their simplified
        # cells, so its outline is exactly theirs; the others are simplified on their own.
        by_district: dict[int, list[Any]] = {}
        for r in towns:
            by_district.setdefault(r["parent"], []).append(drawn[r["id"]])
        for pk, r in districts.items():
            parts = by_district.get(pk)
            area = r["geom"].area
            if parts and abs(shapely.union_all(parts).area - area) <= 0.02 * area:
                drawn[pk] = shapely.union_all(parts)
            else:
                drawn[pk] = r["geom"].simplify(COARSE_TOLERANCE, preserve_topology=True)
    out = []
    for r in [*districts.values(), *towns]:
        district = districts.get(r["parent"]) if r["level"] == Level.TOWN else None
        out.append(_feature(r, drawn[r["id"]], decimals, district["name"] if district else ""))
    return out


def _build(detail: str, fp: tuple[Any, ...]) -> Basemap:
    features = build_features(_rows(), detail)
    doc = {
        "type": "FeatureCollection",
        "detail": detail,
        # True when any township boundary is synthetic (the demo's): the map labels it approximate.
        "approximate": any(f["properties"]["synthetic"] for f in features),
        "features": features,
    }
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:24] + '"'
    return Basemap(etag=etag, body=body, features=len(features))

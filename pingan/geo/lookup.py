"""Point → division look-up through an in-memory spatial index (shapely STRtree).

The index holds the boundaries of every division that has one. It is rebuilt when the boundaries
change: each process compares a cheap fingerprint of the table (count and latest update) at most
every REFRESH_SECONDS, so an import in the admin reaches the web workers within that time.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
import shapely
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from pingan.core.actions import ActionError

from .choices import LEVEL_ORDER
from .models import Division

REFRESH_SECONDS = 30.0


@dataclass
class _Index:
    fingerprint: tuple
    tree: shapely.STRtree | None
    geoms: list
    ids: np.ndarray
    depth: np.ndarray  # level order: larger is smaller (finer) division


_lock = threading.Lock()
_index: _Index | None = None
_checked_at = 0.0


def _fingerprint() -> tuple:
    agg = Division.objects.exclude(geometry=None).aggregate(n=Count("id"), t=Max("updated_at"))
    return (agg["n"], agg["t"])


def _build(fp: tuple) -> _Index:
    geoms, ids, depth = [], [], []
    rank = {lvl.value: i for i, lvl in enumerate(LEVEL_ORDER)}
    for pk, level, geometry in Division.objects.exclude(geometry=None).values_list("id", "level", "geometry"):
        try:
            geom = shapely.geometry.shape(geometry)
        except Exception:  # noqa: BLE001 - a bad stored geometry must not take the index down
            continue
        if geom.is_empty:
            continue
        shapely.prepare(geom)
        geoms.append(geom)
        ids.append(pk)
        depth.append(rank.get(level, 0))
    tree = shapely.STRtree(geoms) if geoms else None
    return _Index(fp, tree, geoms, np.array(ids, dtype=np.int64), np.array(depth, dtype=np.int8))


def _current() -> _Index:
    global _index, _checked_at
    now = time.monotonic()
    if _index is not None and now - _checked_at < REFRESH_SECONDS:
        return _index
    with _lock:
        fp = _fingerprint()
        if _index is None or _index.fingerprint != fp:
            _index = _build(fp)
        _checked_at = now
        return _index


def invalidate() -> None:
    """Forget the index in this process (after an import, and in tests)."""
    global _index, _checked_at
    with _lock:
        _index = None
        _checked_at = 0.0


def locate_id(lat: float, lon: float, level: str | None = None) -> int | None:
    """The id of the smallest division containing the point (or of the given level)."""
    idx = _current()
    if idx.tree is None:
        return None
    hits = idx.tree.query(shapely.Point(lon, lat), predicate="intersects")
    if len(hits) == 0:
        return None
    if level is not None:
        wanted = LEVEL_ORDER.index(level)
        hits = hits[idx.depth[hits] == wanted]
        if len(hits) == 0:
            return None
        return int(idx.ids[hits[0]])
    best = hits[np.argmax(idx.depth[hits])]
    return int(idx.ids[best])


def locate(lat: float, lon: float, level: str | None = None) -> Division | None:
    pk = locate_id(lat, lon, level)
    return Division.objects.filter(pk=pk).first() if pk is not None else None


def require_in_city(lat: float | None, lon: float | None, *, field: str = "location") -> Division:
    """The smallest division containing the point, or a clear error naming `field`."""
    if lat is None or lon is None:
        raise ActionError(_("需要位置(纬度和经度)"), field=field, code="required")
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError) as exc:
        raise ActionError(_("纬度和经度必须是数字"), field=field, code="invalid") from exc
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ActionError(
            _("纬度应在 -90 到 90 之间,经度应在 -180 到 180 之间"), field=field, code="out_of_range"
        )
    division = locate(lat, lon)
    if division is None:
        raise ActionError(_("该位置不在本市范围内"), field=field, code="outside_city")
    return division

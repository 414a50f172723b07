"""Import divisions from a GeoJSON FeatureCollection: all or nothing, with a report of every bad feature.

Each feature carries `properties.code` (GB/T 2260 / statistical division code: 6 digits for city and
county level, 9 township, 12 village, 15 grid) and `properties.name`; optional `level` (else implied by
the code), `parent` (else implied by the code; when given it must agree), `kind`, `is_formal`,
`is_synthetic`, `population`, `geometry_source`. Geometry is a Polygon or MultiPolygon in WGS-84.

A feature's parent may come earlier or later in the same file, or already be in the database. A code
that exists is updated (boundary, name …); a new one is created. Codes of the retired 441827 清新县 are
mapped to 441803 清新区. Nothing is written unless every feature is good; afterwards the in-memory
look-up index is rebuilt (`lookup.invalidate()`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import shapely
import shapely.validation
from django.db import transaction
from django.utils.translation import gettext as _

from pingan.core import audit
from pingan.core.permissions import require

from . import lookup
from .choices import CODE_LENGTH, LEVEL_ORDER, Level
from .models import Division
from .rules import division_path, is_formal_township, level_for_code, parent_code

# Older data sets use 441827 清新县 for what is now 441803 清新区 (data/README.md).
RENAMED_PREFIXES = {"441827": "441803"}
EDITABLE = [
    "name",
    "kind",
    "is_formal",
    "is_synthetic",
    "geometry",
    "geometry_source",
    "lat",
    "lon",
    "min_lon",
    "min_lat",
    "max_lon",
    "max_lat",
    "population",
]


@dataclass
class Problem:
    index: int  # 0-based position of the feature in the file
    code: str
    reason: str  # machine code: invalid_geometry, unknown_parent, duplicate_code, code_length, missing_name …
    message: str

    def __str__(self) -> str:
        return _("第 %(n)d 个要素 (%(code)s): %(message)s") % {
            "n": self.index + 1,
            "code": self.code or "—",
            "message": self.message,
        }


@dataclass
class Report:
    features: int = 0
    created: int = 0
    updated: int = 0
    dry_run: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if not self.ok:
            return _("导入失败:%(n)d 个要素有问题,未写入任何数据。") % {"n": len(self.problems)}
        if self.dry_run:
            return _("检查通过:%(n)d 个要素(试运行,未写入)。") % {"n": self.features}
        return _("导入完成:新建 %(c)d 个,更新 %(u)d 个。") % {"c": self.created, "u": self.updated}

    def lines(self) -> list[str]:
        return [self.summary()] + [str(p) for p in self.problems]


@dataclass
class _Row:
    index: int
    code: str
    name: str
    level: str
    parent: str | None
    values: dict[str, Any]


def _normalise_code(code: str) -> str:
    for old, new in RENAMED_PREFIXES.items():
        if code.startswith(old):
            return new + code[len(old) :]
    return code


def _geometry(raw: Any) -> tuple[dict[str, Any] | None, Any, str | None]:
    """(GeoJSON to store, shapely geometry, problem message or None)."""
    if raw is None:
        return None, None, _("缺少边界(geometry)")
    if not isinstance(raw, dict) or raw.get("type") not in ("Polygon", "MultiPolygon"):
        return None, None, _("边界必须是 Polygon 或 MultiPolygon")
    try:
        geom = shapely.geometry.shape(raw)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the feature's problem
        return None, None, _("边界无法解析:%(err)s") % {"err": exc}
    if geom.is_empty:
        return None, None, _("边界为空")
    if not geom.is_valid:
        return None, None, _("边界无效:%(why)s") % {"why": shapely.validation.explain_validity(geom)}
    x0, y0, x1, y1 = geom.bounds
    if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
        return None, None, _("坐标超出经纬度范围(应为 WGS-84 经度、纬度)")
    return json.loads(json.dumps(shapely.geometry.mapping(geom))), geom, None


def parse(data: Any) -> list[Any]:
    """The features of a FeatureCollection given as bytes, text or a parsed dict."""
    if isinstance(data, bytes):
        data = data.decode("utf-8-sig")
    if isinstance(data, str):
        data = json.loads(data)
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        raise ValueError(_("文件不是 GeoJSON FeatureCollection"))
    return data["features"]


def check(features: list[Any]) -> tuple[list[_Row], list[Problem]]:
    """Validate every feature; nothing is written."""
    rows: list[_Row] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}

    def bad(i: int, code: str, reason: str, message: str) -> None:
        problems.append(Problem(i, code, reason, message))

    for i, feature in enumerate(features):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            bad(i, "", "invalid_feature", _("不是 GeoJSON Feature"))
            continue
        props = feature.get("properties") or {}
        code = _normalise_code(str(props.get("code") or props.get("adcode") or "").strip())
        name = str(props.get("name") or "").strip()
        failed = False
        if not code:
            bad(i, "", "missing_code", _("缺少区划代码(code)"))
            failed = True
        if not name:
            bad(i, code, "missing_name", _("缺少名称(name)"))
            failed = True
        level = str(props.get("level") or "").strip() or (level_for_code(code) if code else None)
        if code and level not in Level.values:
            if props.get("level"):
                bad(
                    i,
                    code,
                    "invalid_level",
                    _("层级 %(level)s 无效,应为 %(choices)s")
                    % {"level": props.get("level"), "choices": ", ".join(Level.values)},
                )
            else:
                bad(i, code, "code_length", _("区划代码应为 6、9、12 或 15 位数字"))
            failed = True
        elif code and (not code.isdigit() or len(code) != CODE_LENGTH[Level(level)]):
            bad(
                i,
                code,
                "code_length",
                _("%(level)s 的区划代码应为 %(n)d 位数字,实际为 “%(code)s”")
                % {"level": Level(level).label, "n": CODE_LENGTH[Level(level)], "code": code},
            )
            failed = True
        if code:
            if code in seen:
                bad(i, code, "duplicate_code", _("区划代码与第 %(n)d 个要素重复") % {"n": seen[code] + 1})
                failed = True
            else:
                seen[code] = i
        geometry, geom, why = _geometry(feature.get("geometry"))
        if why:
            bad(i, code, "invalid_geometry", why)
            failed = True
        if failed:
            continue
        implied = parent_code(code, level)
        given = props.get("parent")
        if given not in (None, "") and _normalise_code(str(given)) != implied:
            bad(
                i,
                code,
                "unknown_parent",
                _("上级代码 %(given)s 与区划代码不符(应为 %(implied)s)")
                % {"given": given, "implied": implied},
            )
            continue
        point = geom.representative_point()
        x0, y0, x1, y1 = geom.bounds
        population = props.get("population")
        try:
            population = int(population) if population not in (None, "") else None
            if population is not None and population < 0:
                raise ValueError
        except (TypeError, ValueError):
            bad(i, code, "invalid_population", _("人口必须是非负整数"))
            continue
        values = {
            "name": name[:100],
            "kind": str(props.get("kind") or "")[:20],
            "is_formal": bool(props["is_formal"])
            if "is_formal" in props
            else (is_formal_township(code) if level == Level.TOWN else True),
            "is_synthetic": bool(props.get("is_synthetic", False)),
            "geometry": geometry,
            "geometry_source": str(props.get("geometry_source") or "")[:200],
            "lat": round(point.y, 7),
            "lon": round(point.x, 7),
            "min_lon": x0,
            "min_lat": y0,
            "max_lon": x1,
            "max_lat": y1,
            "population": population,
        }
        rows.append(_Row(i, code, name, level, implied, values))

    # Parents: in the file (any order) or already in the database.
    in_file = {r.code: r.level for r in rows} | {code: None for code in seen}
    wanted = {r.parent for r in rows if r.parent and r.parent not in in_file}
    in_db = dict(Division.objects.filter(code__in=wanted).values_list("code", "level"))
    for r in list(rows):
        if r.parent is None:
            continue
        if r.parent not in in_file and r.parent not in in_db:
            problems.append(
                Problem(
                    r.index,
                    r.code,
                    "unknown_parent",
                    _("上级区划 %(parent)s 既不在文件中也不在系统中") % {"parent": r.parent},
                )
            )
            rows.remove(r)
    problems.sort(key=lambda p: p.index)
    return rows, problems


def import_divisions(data: Any, *, dry_run: bool = False, actor: Any = None, source: str = "") -> Report:
    """Validate and (unless `dry_run` or anything is wrong) write the divisions in one transaction.

    `actor` None is the command line (an operator on the server); a person must be allowed to import."""
    if actor is not None:
        require(actor, "geo.import_divisions", None, _("只有市级管理员可以导入行政区划"))
    report = Report(dry_run=dry_run)
    try:
        features = parse(data)
    except (ValueError, UnicodeDecodeError) as exc:
        report.problems.append(Problem(-1, "", "invalid_file", str(exc)))
        return report
    report.features = len(features)
    rows, problems = check(features)
    report.problems = problems
    if problems or dry_run:
        return report
    with transaction.atomic():
        _write(rows, report)
        audit.record(
            "geo.division.import",
            None,
            actor=actor,
            after={"features": report.features, "created": report.created, "updated": report.updated},
            note=source[:500],
            division_path=_common_path([r.code for r in rows]),
        )
        transaction.on_commit(lookup.invalidate)
    lookup.invalidate()
    return report


def _common_path(codes: list[str]) -> str:
    if not codes:
        return ""
    prefix = min(codes, key=len)
    for c in codes:
        while not c.startswith(prefix):
            prefix = prefix[:-1]
    return prefix


def _write(rows: list[_Row], report: Report) -> None:
    existing = {d.code: d for d in Division.objects.filter(code__in=[r.code for r in rows])}
    ids = {code: d.pk for code, d in existing.items()}
    ids.update(
        Division.objects.filter(code__in=[r.parent for r in rows if r.parent]).values_list("code", "id")
    )
    for level in LEVEL_ORDER:
        create, update = [], []
        for r in rows:
            if r.level != level:
                continue
            obj = existing.get(r.code)
            if obj is None:
                create.append(
                    Division(
                        code=r.code,
                        path=division_path(r.code, r.level),
                        level=r.level,
                        parent_id=ids.get(r.parent) if r.parent else None,
                        **r.values,
                    )
                )
            else:
                for k, v in r.values.items():
                    setattr(obj, k, v)
                obj.level = r.level
                obj.path = division_path(r.code, r.level)
                obj.parent_id = ids.get(r.parent) if r.parent else None
                update.append(obj)
        if create:
            Division.objects.bulk_create(create, batch_size=200)
            report.created += len(create)
        if update:
            # save() keeps updated_at (auto_now) moving, which the look-up index fingerprints.
            for obj in update:
                obj.save()
            report.updated += len(update)
        ids.update(
            Division.objects.filter(code__in=[r.code for r in rows if r.level == level]).values_list(
                "code", "id"
            )
        )

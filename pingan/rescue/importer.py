"""Import teams, experts and shelters from Excel or CSV: all-or-nothing, with every bad row named.

Columns (header row, Chinese or English names):
  teams:    code/编号, name/名称, kind/类型, district/区划代码, lat/纬度, lon/经度, headcount/人数,
            capabilities/能力 (codes separated by ; or 、), leader/负责人, phone/电话
  experts:  name/姓名, specialties/专业, affiliation/单位, title/职称, phone/电话, district/区划代码,
            lat/纬度, lon/经度
  shelters: name/名称, district/区划代码, lat/纬度, lon/经度, capacity/容纳人数, address/地址, area/面积
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from pingan.core import audit
from pingan.core.actions import ActionError
from pingan.core.tables import read_table
from pingan.geo.models import Division

from .choices import DEFAULT_CAPABILITIES, Capability, Specialty, TeamKind
from .models import Expert, Shelter, Team

ALIASES = {
    "code": ["code", "编号"],
    "name": ["name", "名称", "姓名", "队伍名称"],
    "kind": ["kind", "类型", "队伍类型"],
    "district": ["district", "区划代码", "区划"],
    "lat": ["lat", "纬度"],
    "lon": ["lon", "经度"],
    "headcount": ["headcount", "人数"],
    "capabilities": ["capabilities", "能力", "救援能力"],
    "leader": ["leader", "负责人"],
    "phone": ["phone", "电话", "联系电话"],
    "specialties": ["specialties", "专业", "专业领域"],
    "affiliation": ["affiliation", "单位", "工作单位"],
    "title": ["title", "职称"],
    "capacity": ["capacity", "容纳人数"],
    "address": ["address", "地址"],
    "area": ["area", "面积"],
}
REQUIRED = {
    "teams": ["code", "name", "kind", "district", "lat", "lon"],
    "experts": ["name", "specialties", "district"],
    "shelters": ["name", "district", "lat", "lon", "capacity"],
}


@dataclass
class Report:
    created: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, row: int, column: str, message: str) -> None:
        self.problems.append({"row": row, "column": column, "message": message})


def _split(value: str) -> list[str]:
    for sep in ("、", ";", ",", ","):
        value = value.replace(sep, ";")
    return [v.strip() for v in value.split(";") if v.strip()]


def _codes(value: str, choices: Any) -> tuple[list[str], list[str]]:
    by_label = {str(label): code for code, label in choices.choices}
    out, bad = [], []
    for item in _split(value):
        code = item if item in choices.values else by_label.get(item)
        (out if code else bad).append(code or item)
    return out, bad


def import_file(kind: str, content: bytes, filename: str, *, actor: Any) -> Report:
    from pingan.core.permissions import require

    require(actor, "rescue.import", None, _("无权导入"))
    if kind not in REQUIRED:
        raise ActionError(_("未知的导入类型"), field="kind", code="invalid_choice")
    try:
        rows = read_table(content, filename)
    except ValueError as exc:
        raise ActionError(str(exc), field="file", code="unreadable") from exc
    report = Report()
    if not rows:
        report.add(1, "", _("文件是空的"))
        return report
    header = [h.strip().lower() for h in rows[0]]
    pos: dict[str, int] = {}
    for key, names in ALIASES.items():
        for n in names:
            if n.lower() in header:
                pos[key] = header.index(n.lower())
                break
    for key in REQUIRED[kind]:
        if key not in pos:
            report.add(1, key, _("缺少列:%(c)s") % {"c": " / ".join(ALIASES[key])})
    if not report.ok:
        return report
    districts = dict(Division.objects.filter(level__in=["district", "town"]).values_list("code", "id"))
    objs = []
    seen_codes: set[str] = set()
    existing_codes = set(Team.objects.values_list("code", flat=True)) if kind == "teams" else set()
    for i, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue

        def get(key: str, row: list[str] = row) -> str:
            p = pos.get(key)
            return row[p].strip() if p is not None and p < len(row) else ""

        before = len(report.problems)
        for key in REQUIRED[kind]:
            if not get(key):
                report.add(i, key, _("必填"))
        dist = districts.get(get("district"))
        if get("district") and dist is None:
            report.add(i, "district", _("未知的区划代码 %(c)s") % {"c": get("district")})
        lat = lon = None
        if get("lat") or get("lon"):
            try:
                lat, lon = float(get("lat")), float(get("lon"))
                if not (23.0 <= lat <= 25.6 and 111.5 <= lon <= 114.3):
                    report.add(i, "lat", _("坐标不在清远市范围内"))
            except ValueError:
                report.add(i, "lat", _("纬度和经度必须是数字"))
        if kind == "teams":
            kind_code, bad = _codes(get("kind"), TeamKind)
            if bad or len(kind_code) != 1:
                report.add(i, "kind", _("未知的队伍类型 %(v)s") % {"v": get("kind")})
            caps, bad = _codes(get("capabilities"), Capability)
            if bad:
                report.add(i, "capabilities", _("未知的救援能力 %(v)s") % {"v": "、".join(bad)})
            code = get("code")
            if code in existing_codes or code in seen_codes:
                report.add(i, "code", _("编号 %(c)s 已存在") % {"c": code})
            seen_codes.add(code)
            try:
                headcount = int(get("headcount") or 0)
                if headcount < 0:
                    raise ValueError
            except ValueError:
                report.add(i, "headcount", _("人数必须是非负整数"))
                headcount = 0
            if len(report.problems) == before:
                objs.append(
                    Team(
                        code=code,
                        name=get("name"),
                        kind=kind_code[0],
                        division_id=dist,
                        lat=lat,
                        lon=lon,
                        headcount=headcount,
                        capabilities=caps or [str(c) for c in DEFAULT_CAPABILITIES[kind_code[0]]],
                        leader=get("leader"),
                        phone=get("phone"),
                    )
                )
        elif kind == "experts":
            specs, bad = _codes(get("specialties"), Specialty)
            if bad:
                report.add(i, "specialties", _("未知的专业领域 %(v)s") % {"v": "、".join(bad)})
            if len(report.problems) == before:
                objs.append(
                    Expert(
                        name=get("name"),
                        specialties=specs,
                        affiliation=get("affiliation"),
                        title=get("title"),
                        phone=get("phone"),
                        division_id=dist,
                        lat=lat,
                        lon=lon,
                    )
                )
        else:
            try:
                capacity = int(get("capacity"))
                if capacity <= 0:
                    raise ValueError
            except ValueError:
                report.add(i, "capacity", _("容纳人数必须是正整数"))
                capacity = 0
            area = get("area")
            if area and not area.isdigit():
                report.add(i, "area", _("面积必须是整数"))
            if len(report.problems) == before:
                objs.append(
                    Shelter(
                        name=get("name"),
                        division_id=dist,
                        lat=lat,
                        lon=lon,
                        capacity=capacity,
                        address=get("address"),
                        area_m2=int(area) if area else None,
                    )
                )
    if not report.ok:
        return report
    model = {"teams": Team, "experts": Expert, "shelters": Shelter}[kind]
    with transaction.atomic():
        model.objects.bulk_create(objs, batch_size=500)
        audit.record(
            f"rescue.import.{kind}",
            None,
            actor=actor,
            after={"rows": len(objs), "file": filename},
            division_path="4418",
        )
    report.created = len(objs)
    return report

"""Import enterprises (生产经营单位) from CSV or Excel (.xlsx): all or nothing, with a row-by-row report.

The first row holds the column names, in Chinese or English (see COLUMNS). Required: 单位名称/name,
统一社会信用代码/uscc, 行业/industry, 区划代码/division_code. Optional: 规模/scale, 地址/address,
纬度/lat, 经度/lon (WGS-84 unless `crs="gcj02"`; the point must lie inside the division, and the
enterprise is placed in the smallest unit containing it), 重点监管/key_supervision (是/否),
法定代表人, 主要负责人, 联系电话, 从业人数, 监管部门/supervising_departments (department codes,
separated by ; or ,).

Row numbers in the report are the spreadsheet's (the header is row 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core import audit
from pingan.core.permissions import may
from pingan.core.tables import read_table
from pingan.geo.models import Division

from .actions import clean_enterprise
from .models import Department, Enterprise

# field → (Chinese heading, accepted aliases)
COLUMNS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "name": (gettext_lazy("单位名称"), ("单位名称", "名称", "企业名称", "name")),
    "uscc": (gettext_lazy("统一社会信用代码"), ("统一社会信用代码", "信用代码", "uscc")),
    "industry": (gettext_lazy("行业"), ("行业", "行业类别", "industry")),
    "division": (gettext_lazy("区划代码"), ("区划代码", "所在区划代码", "division_code", "division")),
    "scale": (gettext_lazy("规模"), ("规模", "scale")),
    "address": (gettext_lazy("地址"), ("地址", "address")),
    "lat": (gettext_lazy("纬度"), ("纬度", "lat", "latitude")),
    "lon": (gettext_lazy("经度"), ("经度", "lon", "lng", "longitude")),
    "key_supervision": (gettext_lazy("重点监管"), ("重点监管", "key_supervision")),
    "legal_representative": (gettext_lazy("法定代表人"), ("法定代表人", "legal_representative")),
    "principal": (gettext_lazy("主要负责人"), ("主要负责人", "principal")),
    "contact_phone": (gettext_lazy("联系电话"), ("联系电话", "电话", "contact_phone", "phone")),
    "employees": (gettext_lazy("从业人数"), ("从业人数", "employees")),
    "supervising_departments": (
        gettext_lazy("监管部门"),
        ("监管部门", "监管部门编码", "supervising_departments"),
    ),
}
REQUIRED = ("name", "uscc", "industry", "division")


@dataclass
class RowProblem:
    row: int
    column: str
    code: str
    message: str

    def __str__(self) -> str:
        return _("第 %(row)d 行 [%(column)s]: %(message)s") % {
            "row": self.row,
            "column": self.column or "—",
            "message": self.message,
        }


@dataclass
class Report:
    rows: int = 0
    created: int = 0
    dry_run: bool = False
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if not self.ok:
            return _("导入失败:%(n)d 处问题,未写入任何数据。") % {"n": len(self.problems)}
        if self.dry_run:
            return _("检查通过:%(n)d 行(试运行,未写入)。") % {"n": self.rows}
        return _("导入完成:新增 %(n)d 家单位。") % {"n": self.created}

    def lines(self) -> list[str]:
        return [self.summary()] + [str(p) for p in self.problems]


def import_enterprises(
    content: bytes, filename: str = "", *, actor: Any, dry_run: bool = False, crs: str | None = None
) -> Report:
    report = Report(dry_run=dry_run)
    if not may(actor, "org.import_enterprises"):
        report.problems.append(RowProblem(0, "", "forbidden", _("您无权导入生产经营单位")))
        return report
    try:
        table = read_table(content, filename)
    except ValueError as exc:
        report.problems.append(RowProblem(0, "", "invalid_file", str(exc)))
        return report
    table = [r for r in table if any(str(c).strip() for c in r)] if table else []
    if not table:
        report.problems.append(RowProblem(1, "", "empty", _("文件为空")))
        return report
    header = [str(c).strip() for c in table[0]]
    positions: dict[str, int] = {}
    for i, heading in enumerate(header):
        for name, (_label, aliases) in COLUMNS.items():
            if heading in aliases or heading.lower() in aliases:
                positions.setdefault(name, i)
    missing = [name for name in REQUIRED if name not in positions]
    for name in missing:
        report.problems.append(
            RowProblem(
                1,
                str(COLUMNS[name][0]),
                "missing_column",
                _("缺少必填列“%(column)s”") % {"column": COLUMNS[name][0]},
            )
        )
    if missing:
        return report

    body = table[1:]
    report.rows = len(body)
    divisions = {
        d.code: d for d in Division.objects.filter(code__in={_get(r, positions["division"]) for r in body})
    }
    departments = {d.code: d for d in Department.objects.all().only("id", "code", "name")}
    seen: dict[str, int] = {}
    valid: list[tuple[dict[str, Any], list[Department]]] = []
    for offset, row in enumerate(body):
        rownum = offset + 2
        data = {name: _get(row, pos) for name, pos in positions.items()}
        cleaned, problems = clean_enterprise(
            data, actor=actor, crs=crs, divisions=divisions, departments=departments
        )
        for p in problems:
            report.problems.append(RowProblem(rownum, _column(p.field, header, positions), p.code, p.message))
        uscc = cleaned.get("uscc")
        if uscc and not any(p.field == "uscc" for p in problems):
            if uscc in seen:
                report.problems.append(
                    RowProblem(
                        rownum,
                        _column("uscc", header, positions),
                        "uscc_duplicate",
                        _("统一社会信用代码与第 %(row)d 行重复") % {"row": seen[uscc]},
                    )
                )
            else:
                seen[uscc] = rownum
        if not problems:
            depts = cleaned.pop("supervising_departments", [])
            valid.append((cleaned, depts))
    if report.problems or dry_run:
        return report
    with transaction.atomic():
        objs = []
        for cleaned, _depts in valid:
            ent = Enterprise(**{k: v for k, v in cleaned.items() if v is not None})
            objs.append(ent)
        Enterprise.objects.bulk_create(objs, batch_size=500)
        ids = dict(Enterprise.objects.filter(uscc__in=[o.uscc for o in objs]).values_list("uscc", "id"))
        through = Enterprise.supervising_departments.through
        through.objects.bulk_create(
            [
                through(enterprise_id=ids[o.uscc], department_id=d.pk)
                for o, (_c, depts) in zip(objs, valid, strict=True)
                for d in depts
            ],
            batch_size=1000,
            ignore_conflicts=True,
        )
        for o in objs:
            o.pk = ids[o.uscc]
            audit.record(
                "org.enterprise.create",
                o,
                actor=actor,
                after={"uscc": o.uscc, "name": o.name},
                note=_("批量导入 %(file)s") % {"file": filename},
            )
        audit.record(
            "org.enterprise.import",
            None,
            actor=actor,
            after={"rows": report.rows, "created": len(objs)},
            note=filename[:500],
            division_path=getattr(actor, "scope_path", ""),
        )
        report.created = len(objs)
    return report


def _get(row: list[str], pos: int) -> str:
    return str(row[pos]).strip() if pos < len(row) and row[pos] is not None else ""


def _column(field_name: str, header: list[str], positions: dict[str, int]) -> str:
    if field_name == "location":
        parts = [header[positions[n]] for n in ("lat", "lon") if n in positions]
        return "/".join(parts) or str(COLUMNS["lat"][0])
    if field_name in positions:
        return header[positions[field_name]]
    return str(COLUMNS[field_name][0]) if field_name in COLUMNS else field_name

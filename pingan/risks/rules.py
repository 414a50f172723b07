"""The risk rules as pure functions (no ORM): docs/domain §4 (risk grading, LEC and LS), §5 (major
hazard sources, GB 18218-2018) and §12 (the enterprise's daily safety commitment), plus the check
cycles of the dual-prevention chain.

Every table is data with its `source`, `version` and `effective_from`, so that a provincial matrix
or a new edition of the standard is a new table, not new code; each computation returns the version
it used so that the result can be reproduced later. Bad inputs raise `RuleError` naming the field.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

# Level codes (the values of choices.Level): 重大 red · 较大 orange · 一般 yellow · 低 blue.
MAJOR, LARGE, GENERAL, LOW = "major", "large", "general", "low"
LEVEL_COLOURS = {MAJOR: "red", LARGE: "orange", GENERAL: "yellow", LOW: "blue"}
LEVEL_ORDER = (MAJOR, LARGE, GENERAL, LOW)  # most severe first


class RuleError(ValueError):
    """An input outside the rule's domain; `field` names the input (e.g. "chemicals[1].quantity")."""

    def __init__(self, message: str, *, field: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


def _decimal(value: Any, field_name: str) -> Decimal:
    if isinstance(value, bool) or value is None or str(value).strip() == "":
        raise RuleError(_("请填写数值"), field=field_name, code="required")
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise RuleError(_("不是有效的数值"), field=field_name) from exc
    if not d.is_finite():
        raise RuleError(_("不是有效的数值"), field=field_name)
    return d


def _whole(value: Any, field_name: str, minimum: int, message: str) -> int:
    d = _decimal(value, field_name)
    if d != d.to_integral_value() or d < minimum:
        raise RuleError(message, field=field_name, code="min_value")
    return int(d)


# --- §4 LEC: D = L × E × C ------------------------------------------------------------------------
LEC_TABLE: dict[str, Any] = {
    "version": "LEC-2026.1",
    "source": "作业条件危险性评价法(格雷厄姆-金尼 LEC), docs/domain §4 [V2]; 颜色对应为通行做法 [U]",
    "effective_from": dt.date(2026, 1, 1),
    "L": {
        Decimal("10"): "完全可以预料",
        Decimal("6"): "相当可能",
        Decimal("3"): "可能,但不经常",
        Decimal("1"): "可能性小,完全意外",
        Decimal("0.5"): "很不可能,可以设想",
        Decimal("0.2"): "极不可能",
        Decimal("0.1"): "实际不可能",
    },
    "E": {
        Decimal("10"): "连续暴露",
        Decimal("6"): "每天工作时间内暴露",
        Decimal("3"): "每周一次或偶然",
        Decimal("2"): "每月一次",
        Decimal("1"): "每年几次",
        Decimal("0.5"): "非常罕见",
    },
    "C": {
        Decimal("100"): "大灾难,许多人死亡",
        Decimal("40"): "灾难,数人死亡",
        Decimal("15"): "非常严重,一人死亡",
        Decimal("7"): "严重,重伤",
        Decimal("3"): "重大,致残",
        Decimal("1"): "引人注目,需要救护",
    },
    # Upper-inclusive bands: (upper bound or None, band code, label).
    "bands": [
        (Decimal(20), "slight", "稍有危险"),
        (Decimal(70), "general", "一般危险"),
        (Decimal(160), "notable", "显著危险"),
        (Decimal(320), "high", "高度危险"),
        (None, "extreme", "极其危险"),
    ],
    # Upper-inclusive colour mapping to the four levels.
    "levels": [(Decimal(70), LOW), (Decimal(160), GENERAL), (Decimal(320), LARGE), (None, MAJOR)],
}

# --- §4 LS: R = L × S on a 5 × 5 matrix ----------------------------------------------------------
LS_TABLE: dict[str, Any] = {
    "version": "LS-2026.1",
    "source": "风险矩阵法 R = L × S (5×5), docs/domain §4 [V2]; 各省标准分界不同,按数据配置",
    "effective_from": dt.date(2026, 1, 1),
    "scale": (1, 2, 3, 4, 5),
    "levels": [(3, LOW), (8, GENERAL), (16, LARGE), (25, MAJOR)],
}


@dataclass(frozen=True)
class Grading:
    method: str
    inputs: dict[str, str]
    score: Decimal
    level: str
    band: str = ""  # LEC only: 稍有/一般/显著/高度/极其危险
    band_label: str = ""
    version: str = ""

    @property
    def colour(self) -> str:
        return LEVEL_COLOURS[self.level]


def _upper_inclusive(value: Decimal, table: Iterable[tuple[Any, str]]) -> str:
    for upper, code in table:
        if upper is None or value <= upper:
            return code
    raise AssertionError("table without an open top band")  # pragma: no cover


def lec(likelihood: Any, exposure: Any, consequence: Any, table: Mapping[str, Any] = LEC_TABLE) -> Grading:
    """D = L × E × C with each factor taken from its scale; a value off the scale names its field."""
    values = {}
    for name, key, raw in (
        ("likelihood", "L", likelihood),
        ("exposure", "E", exposure),
        ("consequence", "C", consequence),
    ):
        v = _decimal(raw, name)
        if v not in table[key]:
            allowed = "、".join(format(x.normalize(), "f") for x in sorted(table[key]))
            raise RuleError(
                _("%(factor)s 取值必须是 %(allowed)s 之一") % {"factor": key, "allowed": allowed},
                field=name,
                code="off_scale",
            )
        values[name] = v
    d = values["likelihood"] * values["exposure"] * values["consequence"]
    band_code, band_label = "", ""
    for upper, code, label in table["bands"]:
        if upper is None or d <= upper:
            band_code, band_label = code, label
            break
    return Grading(
        "lec",
        {k: format(v.normalize(), "f") for k, v in values.items()},
        d.normalize(),
        _upper_inclusive(d, table["levels"]),
        band_code,
        band_label,
        table["version"],
    )


def ls(likelihood: Any, severity: Any, table: Mapping[str, Any] = LS_TABLE) -> Grading:
    """R = L × S on the matrix's scale (integers 1–5)."""
    values = {}
    for name, raw in (("likelihood", likelihood), ("severity", severity)):
        v = _decimal(raw, name)
        if v != v.to_integral_value() or int(v) not in table["scale"]:
            raise RuleError(
                _("取值必须是 %(low)s–%(high)s 的整数")
                % {"low": table["scale"][0], "high": table["scale"][-1]},
                field=name,
                code="off_scale",
            )
        values[name] = int(v)
    r = Decimal(values["likelihood"] * values["severity"])
    return Grading(
        "ls",
        {k: str(v) for k, v in values.items()},
        r,
        _upper_inclusive(r, table["levels"]),
        version=table["version"],
    )


# Who owns a risk of each level and how often it is checked. The owner per level is docs/domain §4 [V2]
# ("higher risk is controlled at a higher level"); the cycles are our defaults [U], configurable.
LEVEL_CONTROL: dict[str, Any] = {
    "version": "CTRL-2026.1",
    "source": "docs/domain §4 分级管控主体 [V2];排查周期为平台默认值 [U],可配置",
    "effective_from": dt.date(2026, 1, 1),
    MAJOR: {"post": "principal", "cycle": "daily", "every": 1},
    LARGE: {"post": "safety_dept", "cycle": "weekly", "every": 1},
    GENERAL: {"post": "workshop", "cycle": "monthly", "every": 1},
    LOW: {"post": "team", "cycle": "quarterly", "every": 1},
}


def control_for(level: str, table: Mapping[str, Any] = LEVEL_CONTROL) -> dict[str, Any]:
    if level not in LEVEL_COLOURS:
        raise RuleError(_("未知的风险等级"), field="level")
    return dict(table[level])


# --- Check cycles -------------------------------------------------------------------------------
CYCLE_HOURS = {"hourly": 1, "shift": 8}  # a shift is 8 hours [U]
CYCLE_DAYS = {"daily": 1, "weekly": 7}
CYCLE_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}
CYCLES = tuple(CYCLE_HOURS) + tuple(CYCLE_DAYS) + tuple(CYCLE_MONTHS)


def _add_months(when: dt.datetime, months: int) -> dt.datetime:
    month0 = when.month - 1 + months
    year, month = when.year + month0 // 12, month0 % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])  # 31 Jan + 1 month → 28/29 Feb
    return when.replace(year=year, month=month, day=day)


def next_due(after: dt.datetime, cycle: str, every: Any = 1) -> dt.datetime:
    """When the next check of a task is due, one cycle (× every) after `after`."""
    if cycle not in CYCLES:
        raise RuleError(_("未知的检查周期"), field="cycle")
    n = _whole(every, "every", 1, _("检查周期必须是正整数(不能为零)"))
    if cycle in CYCLE_HOURS:
        return after + dt.timedelta(hours=CYCLE_HOURS[cycle] * n)
    if cycle in CYCLE_DAYS:
        return after + dt.timedelta(days=CYCLE_DAYS[cycle] * n)
    return _add_months(after, CYCLE_MONTHS[cycle] * n)


def completion_rate(done: int, due: int) -> Decimal | None:
    """Checks done on time ÷ checks due (None when nothing was due)."""
    if due <= 0:
        return None
    return (Decimal(done) / Decimal(due) * 100).quantize(Decimal("0.1"))


# --- §5 Major hazard sources, GB 18218-2018 -----------------------------------------------------------
GB18218: dict[str, Any] = {
    "version": "GB 18218-2018",
    "source": "GB 18218-2018《危险化学品重大危险源辨识》表1(名称 Q)、表2(类别 Q)、表3(β)、表4(α); "
    "原安监总局令第40号(备案 15 日); docs/domain §5",
    "effective_from": dt.date(2019, 3, 1),
    # Table 2 and 3 by hazard category: code → (Q tonnes, β, label).
    "categories": {
        "J1": (Decimal("5"), Decimal("4"), "急性毒性类别1,气体"),
        "J2": (Decimal("50"), Decimal("1"), "急性毒性类别1,固体、液体"),
        "J3": (Decimal("50"), Decimal("2"), "急性毒性类别2、3,气体"),
        "J4": (Decimal("50"), Decimal("2"), "急性毒性类别2、3,吸入途径液体(沸点≤35℃)"),
        "J5": (Decimal("500"), Decimal("1"), "急性毒性类别2,其他液体、固体"),
        "W1.1": (Decimal("1"), Decimal("2"), "不稳定爆炸物、1.1项爆炸物"),
        "W1.2": (Decimal("10"), Decimal("2"), "1.2、1.3、1.5、1.6项爆炸物"),
        "W1.3": (Decimal("50"), Decimal("2"), "1.4项爆炸物"),
        "W2": (Decimal("10"), Decimal("1.5"), "易燃气体类别1、2"),
        "W3": (Decimal("150"), Decimal("1"), "气溶胶类别1、2"),
        "W4": (Decimal("50"), Decimal("1"), "氧化性气体"),
        "W5.1": (Decimal("10"), Decimal("1.5"), "易燃液体类别1"),
        "W5.2": (Decimal("50"), Decimal("1"), "易燃液体类别2、3(工作温度高于沸点)"),
        "W5.3": (Decimal("1000"), Decimal("1"), "易燃液体类别2、3(其他)"),
        "W5.4": (Decimal("5000"), Decimal("1"), "易燃液体类别2、3(其他储存)"),
        "W6.1": (Decimal("10"), Decimal("1.5"), "自反应物质和混合物A、B型"),
        "W6.2": (Decimal("50"), Decimal("1"), "自反应物质和混合物C–F型"),
        "W7.1": (Decimal("10"), Decimal("1.5"), "有机过氧化物A、B型"),
        "W7.2": (Decimal("50"), Decimal("1"), "有机过氧化物C–F型"),
        "W8": (Decimal("50"), Decimal("1"), "自燃液体、自燃固体"),
        "W9.1": (Decimal("50"), Decimal("1"), "氧化性固体和液体类别1"),
        "W9.2": (Decimal("200"), Decimal("1"), "氧化性固体和液体类别2、3"),
        "W10": (Decimal("200"), Decimal("1"), "易燃固体"),
        "W11": (Decimal("200"), Decimal("1"), "遇水放出易燃气体的物质和混合物"),
    },
    # Table 1 (selected named chemicals): name → (Q tonnes, β or None = β of `category`, category).
    "chemicals": {
        "氯": (Decimal("5"), Decimal("4"), "J1"),
        "氨": (Decimal("10"), Decimal("2"), "J3"),
        "液化石油气": (Decimal("50"), None, "W2"),
        "汽油": (Decimal("200"), None, "W5.3"),
        "甲醇": (Decimal("500"), None, "W5.3"),
        "乙醇": (Decimal("500"), None, "W5.3"),
        "甲苯": (Decimal("500"), None, "W5.3"),
        "苯": (Decimal("50"), None, "W5.3"),
        "甲烷": (Decimal("50"), None, "W2"),
        "天然气": (Decimal("50"), None, "W2"),
        "氢": (Decimal("5"), None, "W2"),
        "乙炔": (Decimal("1"), None, "W2"),
        "乙烯": (Decimal("50"), None, "W2"),
        "硫化氢": (Decimal("5"), Decimal("5"), "J1"),
        "二氧化硫": (Decimal("20"), Decimal("2"), "J3"),
        "氟化氢": (Decimal("1"), Decimal("5"), "J1"),
        "氰化氢": (Decimal("1"), Decimal("10"), "J1"),
        "光气": (Decimal("0.3"), Decimal("20"), "J1"),
        "碳酰氯": (Decimal("0.3"), Decimal("20"), "J1"),
        "环氧乙烷": (Decimal("10"), Decimal("2"), "W2"),
        "异氰酸甲酯": (Decimal("0.75"), Decimal("20"), "J1"),
        "氧": (Decimal("200"), None, "W4"),
    },
    # Other names accepted for the same entry.
    "aliases": {
        "氯气": "氯",
        "Cl2": "氯",
        "液氯": "氯",
        "氨气": "氨",
        "液氨": "氨",
        "NH3": "氨",
        "LPG": "液化石油气",
        "H2S": "硫化氢",
        "SO2": "二氧化硫",
        "HF": "氟化氢",
        "HCN": "氰化氢",
        "氢气": "氢",
        "氧气": "氧",
    },
    # Table 4: α by the people within 500 m outside the plant boundary (lower bound → α), highest first.
    "alpha": [
        (100, Decimal("2.0")),
        (50, Decimal("1.5")),
        (30, Decimal("1.2")),
        (1, Decimal("1.0")),
        (0, Decimal("0.5")),
    ],
    # Grades by R (lower bound → grade), highest first.
    "grades": [(Decimal(100), 1), (Decimal(50), 2), (Decimal(10), 3), (None, 4)],
    "filing_days": 15,
}


@dataclass
class ChemicalStep:
    name: str
    category: str
    quantity: Decimal
    critical: Decimal
    beta: Decimal
    ratio: Decimal  # q / Q
    weighted: Decimal  # β · q / Q
    source: str  # "table1" (named) or "table2" (by category)


@dataclass
class Identification:
    steps: list[ChemicalStep]
    s: Decimal
    is_major: bool
    population: int
    alpha: Decimal
    weighted_sum: Decimal
    r: Decimal | None
    grade: int | None
    version: str
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "source": GB18218["source"],
            "steps": [
                {
                    "name": s.name,
                    "category": s.category,
                    "quantity": str(s.quantity),
                    "critical_quantity": str(s.critical),
                    "beta": str(s.beta),
                    "ratio": _fmt(s.ratio),
                    "weighted": _fmt(s.weighted),
                    "table": s.source,
                }
                for s in self.steps
            ],
            "s": _fmt(self.s),
            "is_major": self.is_major,
            "population": self.population,
            "alpha": str(self.alpha),
            "weighted_sum": _fmt(self.weighted_sum),
            "r": _fmt(self.r) if self.r is not None else None,
            "grade": self.grade,
        }


def _fmt(d: Decimal) -> str:
    q = d.quantize(Decimal("0.0001")).normalize()
    return format(q, "f")


def resolve_chemical(
    name: str, category: str | None, table: Mapping[str, Any] = GB18218, field_prefix: str = ""
) -> tuple[str, str, Decimal, Decimal, str]:
    """(name, category, Q, β, table) of one chemical: the named entry of table 1 when it is there,
    otherwise its hazard category (tables 2 and 3); neither → an error naming `chemical`."""
    name = (name or "").strip()
    key = table["aliases"].get(name, name)
    category = (category or "").strip()
    if category and category not in table["categories"]:
        raise RuleError(_("未知的危险性类别"), field=f"{field_prefix}category", code="unknown_category")
    if key in table["chemicals"]:
        q, beta, cat = table["chemicals"][key]
        if beta is None:
            beta = table["categories"][cat][1]
        return key, cat, q, beta, "table1"
    if not category:
        raise RuleError(
            _("该物质不在 GB 18218 表1 中,请填写危险性类别"),
            field=f"{field_prefix}chemical",
            code="not_in_table",
        )
    q, beta, _label = table["categories"][category]
    return name or table["categories"][category][2], category, q, beta, "table2"


def alpha_for(population: Any, table: Mapping[str, Any] = GB18218) -> Decimal:
    n = _whole(population, "population", 0, _("500米范围内人数必须是非负整数"))
    for lower, alpha in table["alpha"]:
        if n >= lower:
            return Decimal(alpha)
    raise AssertionError("alpha table without 0")  # pragma: no cover


def grade_for(r: Decimal, table: Mapping[str, Any] = GB18218) -> int:
    for lower, grade in table["grades"]:
        if lower is None or r >= lower:
            return int(grade)
    raise AssertionError("grade table without a bottom")  # pragma: no cover


def identify(
    chemicals: Iterable[Mapping[str, Any]], population: Any, table: Mapping[str, Any] = GB18218
) -> Identification:
    """S = Σ qᵢ/Qᵢ (≥ 1: a major hazard source) and, when it is one, R = α Σ βᵢ qᵢ/Qᵢ and the grade.

    `chemicals` are mappings with `chemical` (name), optional `category` and `quantity` (tonnes, the
    design maximum). The same chemical listed twice is summed before dividing."""
    alpha = alpha_for(population, table)
    steps: list[ChemicalStep] = []
    merged: dict[str, ChemicalStep] = {}
    items = list(chemicals)
    if not items:
        raise RuleError(_("至少需要一种危险化学品"), field="chemicals", code="required")
    for i, item in enumerate(items):
        prefix = f"chemicals[{i}]."
        qty = _decimal(item.get("quantity"), f"{prefix}quantity")
        if qty < 0:
            raise RuleError(_("数量不能为负数"), field=f"{prefix}quantity", code="min_value")
        name, cat, critical, beta, src = resolve_chemical(
            item.get("chemical", ""), item.get("category"), table, prefix
        )
        key = f"{name}|{cat}"
        if key in merged:
            merged[key].quantity += qty
            continue
        merged[key] = ChemicalStep(name, cat, qty, critical, beta, Decimal(0), Decimal(0), src)
        steps.append(merged[key])
    for s in steps:
        s.ratio = s.quantity / s.critical
        s.weighted = s.beta * s.ratio
    total = sum((s.ratio for s in steps), Decimal(0))
    weighted = sum((s.weighted for s in steps), Decimal(0))
    is_major = total >= 1
    r = alpha * weighted if is_major else None
    return Identification(
        steps,
        total,
        is_major,
        int(Decimal(str(population))),
        alpha,
        weighted,
        r,
        grade_for(r, table) if r is not None else None,
        table["version"],
    )


# The periodic checks of the three people responsible for a major hazard source (包保责任制).
PACKAGE_CHECKS: dict[str, Any] = {
    "version": "BB-2021",
    "source": "《危险化学品重大危险源安全包保责任制办法(试行)》(应急厅〔2021〕12号) 第十条至第十二条",
    "effective_from": dt.date(2021, 2, 4),
    "checks": [
        ("principal", "quarterly", "主要负责人组织安全检查"),
        ("technical", "monthly", "技术负责人安全检查"),
        ("operational", "weekly", "操作负责人安全检查"),
    ],
}


def filing_due(assessed_on: dt.date, table: Mapping[str, Any] = GB18218) -> dt.date:
    """Filed with the county authority within 15 days of the assessment report (令第40号)."""
    return assessed_on + dt.timedelta(days=table["filing_days"])


# --- §12 The daily safety commitment -----------------------------------------------------------------
COMMITMENT: dict[str, Any] = {
    "version": "CMT-2026.1",
    "source": "安全风险研判与承诺公告制度, docs/domain §12 [V2]; 截止时间为地方做法 [U],默认 09:00",
    "effective_from": dt.date(2026, 1, 1),
    "due_time": dt.time(9, 0),
    "timezone": "Asia/Shanghai",
}


def commitment_due(
    day: dt.date, at: dt.time | None = None, table: Mapping[str, Any] = COMMITMENT
) -> dt.datetime:
    """The moment the commitment of `day` is due (local time, aware)."""
    if not isinstance(day, dt.date):
        raise RuleError(_("日期无效"), field="date")
    at = at or table["due_time"]
    return dt.datetime.combine(day, at, tzinfo=ZoneInfo(table["timezone"]))


def commitment_on_time(submitted_at: dt.datetime, day: dt.date, at: dt.time | None = None) -> bool:
    return submitted_at <= commitment_due(day, at)


def commitment_rate(on_time: int, required: int) -> Decimal | None:
    """承诺完成率 = enterprises that committed on time ÷ enterprises required to commit, in %."""
    if on_time < 0 or required < 0 or on_time > required:
        raise RuleError(_("承诺数不能多于应承诺数"), field="on_time")
    if required == 0:
        return None
    return (Decimal(on_time) / Decimal(required) * 100).quantize(Decimal("0.1"))

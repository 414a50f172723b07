"""The rules of random inspections and special work, as pure functions (no ORM).

Sources (docs/domain/06-random-inspection.md and docs/domain/11-special-work.md):
- 双随机一公开: targets and inspectors drawn at random, results published. Key-supervision targets are
  covered in full, ordinary ones sampled at the plan's ratio. Results are published within 20 working
  days of the inspection's end (Chinese calendar with adjusted working days).
- 行政处罚法 §42: at least two inspectors, each holding a valid enforcement certificate; §43: an
  inspector with an interest in the target steps aside (recusal).
- Territorial jurisdiction is the principle; a cross-district inspection needs a recorded legal basis
  or delegation, and then draws no inspector of the target's own district.
- GB 30871-2022 (special work in hazardous-chemical enterprises): eight work types, hot-work grades
  and their maximum validity, gas analysis at most 30 minutes before work with the flammable-gas
  limits by lower explosive limit, oxygen range in confined spaces. Markers: [V] read in the legal
  text, [V2] read in secondary copies, [U] unconfirmed — a configurable default, never law.

The draw is reproducible: the same seed and the same inputs give the same result with the same
ALGORITHM_VERSION, so anyone holding the published inputs can re-run it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from pingan.core import pdf, workcal


class RuleError(ValueError):
    """Bad input or a refusal by a rule; `field` names the input at fault."""

    def __init__(self, message: str, *, field: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


# --- Rule tables (data, with their source) ------------------------------------------------------
DRAW_RULE: dict[str, Any] = {
    "name": "random-draw",
    "effective_from": dt.date(2021, 7, 15),
    "min_inspectors": 2,
    "source": "行政处罚法 (2021 revision) §42 two inspectors with certificates, §43 recusal [V]; "
    "国务院 双随机一公开 opinions: key targets in full, others by ratio [V]",
}
PUBLICATION_RULE: dict[str, Any] = {
    "name": "publication",
    "effective_from": dt.date(2019, 1, 1),
    "working_days": 20,
    "source": "results of random inspections published within 20 working days of the end [V]",
}
ALGORITHM_VERSION = "draw-v1"

# Eight work types; grades where the standard grades the work. Hot work's grades are in the source
# read for this platform [V2]; the grades of work at height and lifting follow the same standard as
# read in secondary copies [V2].
WORK_TYPES: dict[str, tuple[str, ...]] = {
    "hot_work": ("special", "first", "second"),
    "confined_space": (),
    "blinding": (),
    "height": ("special", "first", "second", "third"),
    "lifting": ("first", "second", "third"),
    "temporary_power": (),
    "excavation": (),
    "road_closure": (),
}
# Maximum validity in hours per (type, grade): 8 h [V2], 72 h [U].
VALIDITY_RULE: dict[str, Any] = {
    "effective_from": dt.date(2023, 6, 1),
    "max_hours": {("hot_work", "special"): 8, ("hot_work", "first"): 8, ("hot_work", "second"): 72},
    "source": "GB 30871-2022: 特级/一级 hot work at most 8 h [V2]; 二级 at most 72 h [U, configurable]",
}
GAS_RULE: dict[str, Any] = {
    "effective_from": dt.date(2023, 6, 1),
    "max_age_minutes": 30,
    "lel_threshold": Decimal("4"),
    "limit_high_lel": Decimal("0.5"),
    "limit_low_lel": Decimal("0.2"),
    "oxygen_min": Decimal("19.5"),
    "oxygen_max": Decimal("21"),
    "oxygen_max_enriched": Decimal("23.5"),
    "needs_analysis": ("hot_work", "confined_space"),
    "source": "GB 30871-2022 gas analysis: sample ≤ 30 min before work; LEL ≥ 4 % → ≤ 0.5 % vol, "
    "LEL < 4 % → ≤ 0.2 % vol; oxygen 19.5–21 % (23.5 % enriched) [U, configurable]",
}
# Who approves which grade is the enterprise's own rule [U]; this is the default. Levels rank
# unit (作业所在单位) < safety (安全管理部门) < principal (主要负责人); a higher level may approve lower.
APPROVER_LEVELS = ("unit", "safety", "principal")
APPROVER_RULE: dict[str, Any] = {
    "effective_from": dt.date(2023, 6, 1),
    "by_grade": {"special": "principal", "first": "safety", "second": "unit", "third": "unit", "": "unit"},
    "source": "the enterprise's own approval rule; this default is [U] and configurable",
}


# --- The random draw ----------------------------------------------------------------------------
@dataclass(frozen=True)
class DrawTarget:
    id: int
    division: str  # the division code path of the target (e.g. "441802006")
    key: bool = False  # key-supervision targets are covered in full


@dataclass(frozen=True)
class DrawInspector:
    id: int
    division: str  # the area the inspector works for (a prefix of the targets' paths)
    certificate_expiry: dt.date | None
    conflicts: frozenset[int] = field(default_factory=frozenset)  # target ids needing recusal


@dataclass(frozen=True)
class DrawResult:
    seed: str
    algorithm: str
    assignments: tuple[tuple[int, tuple[int, ...]], ...]  # (target id, inspector ids)

    def as_data(self) -> list[dict[str, Any]]:
        return [{"target": t, "inspectors": list(i)} for t, i in self.assignments]


def parse_ratio(value: Any) -> Decimal:
    try:
        ratio = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise RuleError(_("抽查比例须为0到1之间的数"), field="ratio") from exc
    if not ratio.is_finite() or ratio < 0 or ratio > 1:
        raise RuleError(_("抽查比例须为0到1之间的数"), field="ratio")
    return ratio


def district_of(path: str) -> str:
    """The county-level code (6 digits) of a division path."""
    return path[:6]


def _rng(seed: str) -> random.Random:
    # A string seed through SHA-256, so the draw does not depend on Python's hash randomisation.
    return random.Random(int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest(), "big"))


def eligible_inspectors(
    target: DrawTarget, inspectors: Iterable[DrawInspector], *, on: dt.date, cross_district: bool
) -> list[DrawInspector]:
    """Certified on `on`, not conflicted with the target, and of the right district."""
    out = []
    for ins in inspectors:
        if ins.certificate_expiry is None or ins.certificate_expiry < on:
            continue
        if target.id in ins.conflicts:
            continue
        if cross_district:
            if district_of(ins.division) == district_of(target.division):
                continue
        elif not target.division.startswith(ins.division):
            continue
        out.append(ins)
    return sorted(out, key=lambda i: i.id)


def draw(
    seed: str,
    targets: Sequence[DrawTarget],
    inspectors: Sequence[DrawInspector],
    *,
    ratio: Any,
    on: dt.date,
    cross_district: bool = False,
    basis: str = "",
    per_inspection: int | None = None,
) -> DrawResult:
    """Draw the targets (key ones in full, the others at `ratio`, rounded up) and ≥ 2 inspectors each.

    Raises RuleError naming the field when an input is bad or a target cannot get enough eligible
    inspectors (the draw fails as a whole: a partial draw would invite re-drawing until it suits).
    """
    if not seed or not isinstance(seed, str):
        raise RuleError(_("抽取须有随机种子"), field="seed")
    ratio_d = parse_ratio(ratio)
    if cross_district and not basis.strip():
        raise RuleError(_("异地交叉检查须记录法律依据或委托"), field="cross_basis")
    need = per_inspection if per_inspection is not None else int(DRAW_RULE["min_inspectors"])
    if need < int(DRAW_RULE["min_inspectors"]):
        raise RuleError(
            _("每次检查至少须有%(n)d名执法人员") % {"n": DRAW_RULE["min_inspectors"]}, field="per_inspection"
        )
    ordered = sorted(targets, key=lambda t: t.id)
    if len({t.id for t in ordered}) != len(ordered):
        raise RuleError(_("检查对象重复"), field="targets")
    staff = sorted(inspectors, key=lambda i: i.id)
    rng = _rng(seed)
    key = [t for t in ordered if t.key]
    ordinary = [t for t in ordered if not t.key]
    k = math.ceil(Decimal(len(ordinary)) * ratio_d)
    chosen = key + sorted(rng.sample(ordinary, k), key=lambda t: t.id)
    assignments = []
    for target in chosen:
        pool = eligible_inspectors(target, staff, on=on, cross_district=cross_district)
        if len(pool) < need:
            raise RuleError(
                _(
                    "检查对象%(target)s可抽取的执法人员只有%(have)d名(持有效执法证、无需回避),至少需要%(need)d名"
                )
                % {"target": target.id, "have": len(pool), "need": need},
                field="inspectors",
                code="too_few_inspectors",
            )
        picked = sorted(i.id for i in rng.sample(pool, need))
        assignments.append((target.id, tuple(picked)))
    return DrawResult(seed=seed, algorithm=ALGORITHM_VERSION, assignments=tuple(assignments))


def draw_inputs(
    targets: Sequence[DrawTarget],
    inspectors: Sequence[DrawInspector],
    *,
    ratio: Any,
    on: dt.date,
    cross_district: bool,
    basis: str,
) -> dict[str, Any]:
    """The published inputs of a draw (JSON): enough to re-run it, no personal data."""
    return {
        "ratio": str(parse_ratio(ratio)),
        "on": on.isoformat(),
        "cross_district": cross_district,
        "basis": basis,
        "targets": [
            {"id": t.id, "division": t.division, "key": t.key} for t in sorted(targets, key=lambda t: t.id)
        ],
        "inspectors": [
            {
                "id": i.id,
                "division": i.division,
                "certificate_expiry": i.certificate_expiry.isoformat() if i.certificate_expiry else None,
                "conflicts": sorted(i.conflicts),
            }
            for i in sorted(inspectors, key=lambda i: i.id)
        ],
    }


def redraw(seed: str, inputs: Mapping[str, Any], algorithm: str) -> DrawResult:
    """Re-run a published draw from its seed and inputs (the verify page and command)."""
    if algorithm != ALGORITHM_VERSION:
        raise RuleError(_("未知的抽取算法版本"), field="algorithm")
    targets = [DrawTarget(id=t["id"], division=t["division"], key=bool(t["key"])) for t in inputs["targets"]]
    inspectors = [
        DrawInspector(
            id=i["id"],
            division=i["division"],
            certificate_expiry=dt.date.fromisoformat(i["certificate_expiry"])
            if i["certificate_expiry"]
            else None,
            conflicts=frozenset(i["conflicts"]),
        )
        for i in inputs["inspectors"]
    ]
    return draw(
        seed,
        targets,
        inspectors,
        ratio=inputs["ratio"],
        on=dt.date.fromisoformat(inputs["on"]),
        cross_district=bool(inputs["cross_district"]),
        basis=inputs.get("basis", ""),
    )


# --- Publication ------------------------------------------------------------------------------------
def publication_deadline(ended_on: dt.date, overrides: Mapping[dt.date, bool] | None = None) -> dt.date:
    """The last day to publish the result: 20 working days after the inspection's end."""
    if not isinstance(ended_on, dt.date):
        raise RuleError(_("检查结束日期无效"), field="ended_on")
    return workcal.add_working_days(ended_on, int(PUBLICATION_RULE["working_days"]), overrides)


# --- Special work -----------------------------------------------------------------------------------
def check_type_and_grade(work_type: str, grade: str) -> None:
    if work_type not in WORK_TYPES:
        raise RuleError(_("未知的特殊作业类型"), field="work_type")
    grades = WORK_TYPES[work_type]
    if grades and grade not in grades:
        raise RuleError(_("该作业类型须选择有效的作业级别"), field="grade")
    if not grades and grade:
        raise RuleError(_("该作业类型不分级别"), field="grade")


def max_validity_hours(work_type: str, grade: str) -> int | None:
    check_type_and_grade(work_type, grade)
    value = VALIDITY_RULE["max_hours"].get((work_type, grade))
    return int(value) if value is not None else None


def check_validity(work_type: str, grade: str, valid_from: dt.datetime, valid_until: dt.datetime) -> None:
    if valid_until <= valid_from:
        raise RuleError(_("作业票有效期的结束时间须晚于开始时间"), field="valid_until")
    limit = max_validity_hours(work_type, grade)
    if limit is not None and valid_until - valid_from > dt.timedelta(hours=limit):
        raise RuleError(
            _("该级别作业票有效期最长%(hours)d小时") % {"hours": limit}, field="valid_until", code="too_long"
        )


def _decimal(value: Any, name: str) -> Decimal:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise RuleError(_("须为数值"), field=name) from exc
    if not d.is_finite():
        raise RuleError(_("须为数值"), field=name)
    return d


def flammable_gas_passes(lel: Any, concentration: Any) -> bool:
    """Percent by volume: LEL ≥ 4 % → at most 0.5 %; LEL < 4 % → at most 0.2 %."""
    lel_d = _decimal(lel, "lel")
    conc = _decimal(concentration, "concentration")
    if lel_d <= 0 or lel_d > 100:
        raise RuleError(_("爆炸下限须在0到100%之间"), field="lel")
    if conc < 0 or conc > 100:
        raise RuleError(_("浓度须在0到100%之间"), field="concentration")
    limit = GAS_RULE["limit_high_lel"] if lel_d >= GAS_RULE["lel_threshold"] else GAS_RULE["limit_low_lel"]
    return bool(conc <= limit)


def oxygen_passes(oxygen: Any, *, enriched: bool = False) -> bool:
    o2 = _decimal(oxygen, "oxygen")
    if o2 < 0 or o2 > 100:
        raise RuleError(_("氧含量须在0到100%之间"), field="oxygen")
    top = GAS_RULE["oxygen_max_enriched"] if enriched else GAS_RULE["oxygen_max"]
    return bool(GAS_RULE["oxygen_min"] <= o2 <= top)


def analysis_fresh(sampled_at: dt.datetime, work_starts_at: dt.datetime) -> bool:
    """Sampled before the work starts and at most 30 minutes before it."""
    age = work_starts_at - sampled_at
    return dt.timedelta(0) <= age <= dt.timedelta(minutes=int(GAS_RULE["max_age_minutes"]))


@dataclass(frozen=True)
class GasSample:
    sampled_at: dt.datetime
    lel: Any = None  # flammable gas: its lower explosive limit, % vol
    concentration: Any = None  # flammable gas concentration, % vol
    oxygen: Any = None  # % vol (confined spaces)


def check_gas_analysis(
    work_type: str, samples: Sequence[GasSample], work_starts_at: dt.datetime, *, enriched: bool = False
) -> None:
    """Refuse (RuleError naming the field) unless the latest analysis is fresh and passes."""
    if work_type not in GAS_RULE["needs_analysis"]:
        return
    if not samples:
        raise RuleError(_("动火和受限空间作业须在作业前进行气体分析"), field="gas_analyses", code="required")
    latest = max(samples, key=lambda s: s.sampled_at)
    if not analysis_fresh(latest.sampled_at, work_starts_at):
        raise RuleError(
            _("气体分析已超过%(minutes)d分钟,须在作业开始前%(minutes)d分钟内重新分析")
            % {"minutes": GAS_RULE["max_age_minutes"]},
            field="gas_analyses",
            code="stale",
        )
    if latest.concentration is not None or latest.lel is not None:
        if latest.concentration is None or latest.lel is None:
            raise RuleError(_("可燃气体分析须同时填写爆炸下限和浓度"), field="gas_analyses")
        if not flammable_gas_passes(latest.lel, latest.concentration):
            raise RuleError(_("可燃气体浓度不合格"), field="gas_analyses", code="gas_fail")
    if work_type == "confined_space":
        if latest.oxygen is None:
            raise RuleError(_("受限空间作业须分析氧含量"), field="gas_analyses", code="required")
        if not oxygen_passes(latest.oxygen, enriched=enriched):
            raise RuleError(_("氧含量不合格"), field="gas_analyses", code="oxygen_fail")


def required_approver(work_type: str, grade: str, rule: Mapping[str, str] | None = None) -> str:
    check_type_and_grade(work_type, grade)
    table = rule if rule is not None else APPROVER_RULE["by_grade"]
    return str(table.get(grade, table.get("", "unit")))


def approver_suffices(level: str, work_type: str, grade: str, rule: Mapping[str, str] | None = None) -> bool:
    if level not in APPROVER_LEVELS:
        raise RuleError(_("未知的审批层级"), field="approver_level")
    need = required_approver(work_type, grade, rule)
    return APPROVER_LEVELS.index(level) >= APPROVER_LEVELS.index(need)


def check_permit(
    work_type: str,
    grade: str,
    valid_from: dt.datetime,
    valid_until: dt.datetime,
    samples: Sequence[GasSample],
) -> None:
    """Every rule a permit must meet before it is filed; the first refusal names its field."""
    check_type_and_grade(work_type, grade)
    check_validity(work_type, grade, valid_from, valid_until)
    check_gas_analysis(work_type, samples, valid_from)


# --- Enforcement documents and penalties ------------------------------------------------------------
PENALTY_RULE: dict[str, Any] = {
    "name": "administrative-penalty",
    "effective_from": dt.date(2021, 7, 15),
    "hearing_request_days": 5,
    "hearing_notice_days": 7,
    "payment_days": 15,
    "surcharge_per_day": Decimal("0.03"),
    "source": "行政处罚法 (2021 revision) §44 the party is told the facts, basis and rights before the "
    "decision; §64(1) a hearing is requested within 5 days of that notice, §64(2) the party is told "
    "the hearing's time and place at least 7 days before it; §67 the fine is paid within 15 days of "
    "receiving the decision; §72(1) a fine not paid by its deadline is surcharged 3 % of the fine per "
    "day, the surcharge never exceeding the fine (加处罚款) [V]",
}


def document_number(prefix: str, abbreviation: str, year: int, seq: int) -> str:
    """The number (文号) of an enforcement document: 清城应急责改〔2026〕3号."""
    if seq < 1:
        raise RuleError(_("文书序号必须从1开始"), field="seq")
    return f"{prefix}{abbreviation}〔{year}〕{seq}号"


def earliest_decision(notified_on: dt.date) -> dt.date:
    """The first day a penalty may be decided: after the party's time to ask for a hearing."""
    return notified_on + dt.timedelta(days=int(PENALTY_RULE["hearing_request_days"]) + 1)


def payment_due(decided_on: dt.date) -> dt.date:
    """The last day to pay a fine (calendar days from the decision)."""
    return decided_on + dt.timedelta(days=int(PENALTY_RULE["payment_days"]))


def hearing_request_open(notified_on: dt.date, on: dt.date) -> bool:
    """May the party still ask for a hearing on the day (§64(1): within 5 days of the notice)?"""
    return notified_on <= on <= notified_on + dt.timedelta(days=int(PENALTY_RULE["hearing_request_days"]))


def earliest_hearing(told_on: dt.date) -> dt.date:
    """The first day a hearing may be held when the party is told of it on `told_on` (§64(2))."""
    return told_on + dt.timedelta(days=int(PENALTY_RULE["hearing_notice_days"]))


def check_hearing_date(hearing_on: Any, told_on: dt.date) -> dt.date:
    if not isinstance(hearing_on, dt.date):
        raise RuleError(_("请填写听证日期"), field="hearing_on", code="required")
    first = earliest_hearing(told_on)
    if hearing_on < first:
        raise RuleError(
            _("听证应在通知当事人七日后举行,最早为%(day)s") % {"day": first.isoformat()},
            field="hearing_on",
            code="too_early",
        )
    return hearing_on


def days_late(pay_by: dt.date | None, on: dt.date) -> int:
    """Whole days past the payment deadline on the day (0 when not yet due)."""
    if pay_by is None or on <= pay_by:
        return 0
    return (on - pay_by).days


def late_surcharge(amount: Any, pay_by: dt.date | None, on: dt.date) -> Decimal:
    """加处罚款 (§72(1)): 3 % of the fine for each day past the deadline, capped at the fine itself."""
    fine = _decimal(amount, "amount")
    if fine <= 0:
        return Decimal("0.00")
    rate = Decimal(str(PENALTY_RULE["surcharge_per_day"]))
    raw: Decimal = fine * rate * days_late(pay_by, on)
    return min(raw, fine).quantize(Decimal("0.01"))


def check_penalty(amount: Any, basis: str, facts: str) -> Decimal:
    """A penalty names its facts and legal basis and a positive amount in yuan (two decimals)."""
    if not str(facts or "").strip():
        raise RuleError(_("请填写违法事实"), field="facts", code="required")
    if not str(basis or "").strip():
        raise RuleError(_("请填写处罚的法律依据"), field="basis", code="required")
    value = _decimal(amount, "amount")
    if value <= 0 or value != value.quantize(Decimal("0.01")):
        raise RuleError(_("罚款金额须为正数,最多两位小数"), field="amount")
    return value


# Dates as official documents write them: shared with other apps' printed forms (pingan.core.pdf).
chinese_date = pdf.chinese_date

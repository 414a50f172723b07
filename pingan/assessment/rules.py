"""The assessment's arithmetic, as pure functions (docs/domain/responsibility-assessment.md).

- Weights: for each kind of unit (districts, departments) the items' weights are ≥ 0 and add up to
  exactly 100 (the city's scheme is data, validated before it is saved).
- A KPI item is scored relative to the other districts: the best value scores 100, the worst
  `FLOOR` (60), the others linearly between, in the figure's direction (a lower overdue count is
  better). All equal → 100 each. A district without a value for the figure is not scored on it.
- The duty item scores the share of the unit's responsibility lists signed by their deadline (0–100).
- A manual item scores what the city entered (0–100); not yet scored → not scored.
- The total is the weighted mean over the items scored: Σ wᵢ·sᵢ / Σ wᵢ, so a missing figure neither
  rewards nor punishes (the report shows which items were scored). No item scored → no total.
- Ranking: by total, highest first; equal totals share a rank and the next rank skips (1, 2, 2, 4);
  units without a total are listed last without a rank.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

SCHEME_SOURCE = {
    "source": "清远市安全生产责任制考核办法 (city's own scheme; weights are data set by the city) [U]",
    "effective_from": "2026-01-01",
}
FLOOR = 60.0
TOTAL_WEIGHT = Decimal("100")


def weights_problems(rows: Sequence[Mapping[str, Any]]) -> list[tuple[str, str, str]]:
    """Problems of a weighting scheme as (field, code, detail) triples; empty when it is valid.

    Each row: {"unit_kind", "key", "weight", "source"}. Codes: `invalid` (not a number), `min_value`,
    `max_value`, `duplicate` (the same key twice for a kind), `kpi_department` (figures are by area:
    a department cannot be scored on one), `sum` (a kind's weights do not add up to 100; detail names
    the kind and its sum)."""
    problems: list[tuple[str, str, str]] = []
    sums: dict[str, Decimal] = {}
    seen: set[tuple[str, str]] = set()
    for i, row in enumerate(rows):
        field = f"items[{i}].weight"
        try:
            w = Decimal(str(row.get("weight")))
        except (InvalidOperation, ValueError):
            problems.append((field, "invalid", str(row.get("weight"))))
            continue
        if not w.is_finite():
            problems.append((field, "invalid", str(row.get("weight"))))
            continue
        if w < 0:
            problems.append((field, "min_value", str(w)))
        if w > TOTAL_WEIGHT:
            problems.append((field, "max_value", str(w)))
        kind = str(row.get("unit_kind"))
        key = (kind, str(row.get("key")))
        if key in seen:
            problems.append((f"items[{i}].key", "duplicate", key[1]))
        seen.add(key)
        if row.get("source") == "kpi" and kind == "department":
            problems.append((f"items[{i}].source", "kpi_department", key[1]))
        sums[kind] = sums.get(kind, Decimal(0)) + w
    if not problems:
        for kind, total in sorted(sums.items()):
            if total != TOTAL_WEIGHT:
                problems.append(("items", "sum", f"{kind}={total.normalize():f}"))
    return problems


def relative_scores(values: Mapping[str, float | None], better: str) -> dict[str, float | None]:
    """Scores of a KPI item across units: best 100, worst FLOOR, linear between; None stays None."""
    known = {k: v for k, v in values.items() if v is not None}
    out: dict[str, float | None] = {k: None for k in values}
    if not known:
        return out
    lo, hi = min(known.values()), max(known.values())
    for k, v in known.items():
        if hi == lo:
            out[k] = 100.0
            continue
        share = (v - lo) / (hi - lo)
        if better == "down":
            share = 1 - share
        out[k] = round(FLOOR + (100 - FLOOR) * share, 2)
    return out


def weighted_total(scored: Iterable[tuple[float, float | None]]) -> float | None:
    """(weight, score) pairs → Σ w·s / Σ w over the pairs with a score; None when none has one."""
    num = den = 0.0
    for weight, score in scored:
        if score is None or weight <= 0:
            continue
        num += weight * score
        den += weight
    return round(num / den, 2) if den else None


def ranks(totals: Mapping[str, float | None]) -> dict[str, int | None]:
    """Competition ranking (1, 2, 2, 4) by total, highest first; None for units without a total."""
    ordered = sorted(((v, k) for k, v in totals.items() if v is not None), key=lambda t: (-t[0], t[1]))
    out: dict[str, int | None] = {k: None for k in totals}
    previous: float | None = None
    rank = 0
    for position, (value, key) in enumerate(ordered, start=1):
        if value != previous:
            rank = position
            previous = value
        out[key] = rank
    return out


def signed_share(signed_on_time: int, total: int) -> float | None:
    """The duty item's score: the share (0–100) of lists signed by their deadline; None without lists."""
    return round(100 * signed_on_time / total, 2) if total else None


# The scheme a new year starts from (the city edits it before scoring). Keys of KPI items are the
# command centre's figure keys; a figure not installed is simply not scored.
DEFAULT_ITEMS: list[dict[str, Any]] = [
    {
        "unit_kind": "district",
        "source": "kpi",
        "key": "hazards.closure_rate",
        "label": "隐患整改率",
        "weight": 20,
    },
    {
        "unit_kind": "district",
        "source": "kpi",
        "key": "hazards.overdue",
        "label": "逾期未改隐患",
        "weight": 10,
    },
    {
        "unit_kind": "district",
        "source": "kpi",
        "key": "monitoring.handling_rate",
        "label": "报警处置率",
        "weight": 10,
    },
    {
        "unit_kind": "district",
        "source": "kpi",
        "key": "risks.commitment_rate",
        "label": "企业每日承诺率",
        "weight": 10,
    },
    {
        "unit_kind": "district",
        "source": "kpi",
        "key": "inspections.done_vs_planned",
        "label": "执法检查计划完成率",
        "weight": 10,
    },
    {
        "unit_kind": "district",
        "source": "kpi",
        "key": "rescue.coverage_30",
        "label": "30分钟救援覆盖",
        "weight": 5,
    },
    {
        "unit_kind": "district",
        "source": "kpi",
        "key": "culture.training_hours",
        "label": "安全培训学时",
        "weight": 5,
    },
    {
        "unit_kind": "district",
        "source": "duty",
        "key": "duty.signed",
        "label": "责任清单按期签订率",
        "weight": 10,
    },
    {
        "unit_kind": "district",
        "source": "manual",
        "key": "manual.leadership",
        "label": "党委政府专题研究安全生产",
        "weight": 10,
    },
    {
        "unit_kind": "district",
        "source": "manual",
        "key": "manual.accidents",
        "label": "生产安全事故控制",
        "weight": 10,
    },
    {
        "unit_kind": "department",
        "source": "duty",
        "key": "duty.signed",
        "label": "责任清单按期签订率",
        "weight": 30,
    },
    {
        "unit_kind": "department",
        "source": "manual",
        "key": "manual.supervision",
        "label": "行业领域监管责任落实",
        "weight": 40,
    },
    {
        "unit_kind": "department",
        "source": "manual",
        "key": "manual.hazard_followup",
        "label": "重大隐患挂牌督办",
        "weight": 30,
    },
]

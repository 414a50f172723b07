"""The rules of safety licensing (行政许可), as pure functions (no ORM). docs/domain/15-licensing.md.

Sources and markers ([V] read in the legal text, [V2] read in secondary copies, [U] unconfirmed —
a configurable default, never law):
- 行政许可法 §32: missing materials are told once, on the spot or within 5 days [V2]; §42: decision
  within 20 days of acceptance, extendable by 10 with a reason [V]; §45: hearings, testing,
  inspection and expert review do not count [V]; §50: renewal at least 30 days before expiry [V];
  §82: the limits are working days [V2].
- 安全生产许可证条例 §7: decision within 45 days [V2]; §8/§9: valid 3 years, renewal in the 3 months
  before expiry [V2].
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from pingan.core import workcal


class RuleError(ValueError):
    """Bad input or a refusal by a rule; `field` names the input at fault."""

    def __init__(self, message: str, *, field: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


GENERAL_RULE: dict[str, Any] = {
    "name": "administrative-licensing",
    "effective_from": dt.date(2019, 4, 23),
    "missing_materials_days": 5,
    "decision_days": 20,
    "extension_days": 10,
    "issue_days": 10,
    "renewal_days_before": 30,
    "source": "行政许可法 §32 (5 days, once) [V2], §42 (20 + 10) [V], §44 (issue in 10) [V], "
    "§45 (time not counted) [V], §50 (renew 30 days before) [V], §82 (working days) [V2]",
}
SAFETY_LICENCE_RULE: dict[str, Any] = {
    "name": "safety-production-licence",
    "effective_from": dt.date(2014, 7, 29),
    "decision_days": 45,
    "validity_years": 3,
    "renewal_months_before": 3,
    "source": "安全生产许可证条例 §7 (45 days), §9 (3 years, renew in the 3 months before) [V2]",
}

# The licences and reviews the emergency bureau handles: (decision limit in working days, validity in
# years or None for a review, renewal rule "months:3" or "days:30", the required materials).
_COMMON = ("application_form", "business_licence", "principal_certificate", "safety_rules")
TYPES: dict[str, dict[str, Any]] = {
    "hazchem_trade": {
        "days": GENERAL_RULE["decision_days"],
        "validity_years": 3,  # 危险化学品经营许可证管理办法 §18 [V2]
        "renewal": ("days", GENERAL_RULE["renewal_days_before"]),
        "materials": _COMMON + ("storage_evaluation", "emergency_plan"),
    },
    "safety_mine": {
        "days": SAFETY_LICENCE_RULE["decision_days"],
        "validity_years": 3,
        "renewal": ("months", SAFETY_LICENCE_RULE["renewal_months_before"]),
        "materials": _COMMON + ("safety_evaluation", "emergency_plan", "insurance"),
    },
    "safety_hazchem": {
        "days": SAFETY_LICENCE_RULE["decision_days"],
        "validity_years": 3,
        "renewal": ("months", SAFETY_LICENCE_RULE["renewal_months_before"]),
        "materials": _COMMON + ("safety_evaluation", "emergency_plan", "insurance", "major_sources"),
    },
    "safety_fireworks": {
        "days": SAFETY_LICENCE_RULE["decision_days"],
        "validity_years": 3,
        "renewal": ("months", SAFETY_LICENCE_RULE["renewal_months_before"]),
        "materials": _COMMON + ("safety_evaluation", "emergency_plan", "insurance"),
    },
    "fireworks_trade": {
        "days": GENERAL_RULE["decision_days"],
        "validity_years": 3,  # wholesale; retail at most 2 years [U]
        "renewal": ("days", GENERAL_RULE["renewal_days_before"]),
        "materials": _COMMON + ("storage_evaluation",),
    },
    # Construction-project safety reviews (三同时): a decision, no licence validity. Their limits follow
    # the general §42 rule here [U, configurable]; 安全条件审查 of hazardous-chemical projects is 45 days
    # in its own measures [V2].
    "review_conditions": {
        "days": 45,
        "validity_years": None,
        "renewal": None,
        "materials": ("application_form", "project_approval", "safety_evaluation"),
    },
    "review_design": {
        "days": GENERAL_RULE["decision_days"],
        "validity_years": None,
        "renewal": None,
        "materials": ("application_form", "conditions_opinion", "safety_design"),
    },
    "review_completion": {
        "days": GENERAL_RULE["decision_days"],
        "validity_years": None,
        "renewal": None,
        "materials": ("application_form", "design_opinion", "acceptance_evaluation", "trial_report"),
    },
}
# Why the clock may stop (行政许可法 §45 and the supplementing of materials during review); any other
# reason is refused.
STOP_REASONS = ("materials", "expert_review", "site_check")


def _check_type(kind: str) -> dict[str, Any]:
    if kind not in TYPES:
        raise RuleError(_("未知的许可类型"), field="kind")
    return TYPES[kind]


def required_materials(kind: str) -> tuple[str, ...]:
    return tuple(_check_type(kind)["materials"])


def missing_materials(kind: str, provided: Iterable[str]) -> list[str]:
    """The required materials not provided, in the order of the list (told once, all at once)."""
    have = set(provided)
    return [m for m in required_materials(kind) if m not in have]


def materials_due(received_on: dt.date, overrides: Mapping[dt.date, bool] | None = None) -> dt.date:
    """The last day to accept the application or tell the missing materials (§32: 5 working days)."""
    return workcal.add_working_days(received_on, int(GENERAL_RULE["missing_materials_days"]), overrides)


def stopped_working_days(
    start: dt.date, end: dt.date, overrides: Mapping[dt.date, bool] | None = None
) -> int:
    """Working days the clock stood still: from the stop's day up to (not including) the resume day."""
    if end < start:
        raise RuleError(_("恢复计时日期不能早于停止日期"), field="ended_on")
    n, day = 0, start
    while day < end:
        if workcal.is_workday(day, overrides):
            n += 1
        day += dt.timedelta(days=1)
    return n


def decision_due(
    kind: str,
    accepted_on: dt.date,
    *,
    stopped_days: int = 0,
    extended: bool = False,
    overrides: Mapping[dt.date, bool] | None = None,
) -> dt.date:
    """The last day of the decision: the type's limit in working days after acceptance, plus the
    working days the clock stood still (§45) and the 10-day extension (§42) when granted."""
    if stopped_days < 0:
        raise RuleError(_("停止计时天数不能为负"), field="stopped_days")
    days = int(_check_type(kind)["days"]) + stopped_days
    if extended:
        days += int(GENERAL_RULE["extension_days"])
    return workcal.add_working_days(accepted_on, days, overrides)


def check_stop_reason(reason: str) -> None:
    if reason not in STOP_REASONS:
        raise RuleError(_("只有补正材料、专家评审和现场核查可以停止计时"), field="reason")


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def validity(kind: str, issued_on: dt.date) -> tuple[dt.date, dt.date] | None:
    """(valid from, valid until) of a licence issued on the day; None for a review."""
    years = _check_type(kind)["validity_years"]
    if years is None:
        return None
    return issued_on, _add_years(issued_on, int(years)) - dt.timedelta(days=1)


def _minus_months(day: dt.date, months: int) -> dt.date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def renewal_opens(kind: str, expires_on: dt.date) -> dt.date | None:
    """The first day to apply for renewal: 3 months before expiry for safety production licences,
    30 days before for the others (§50); None for a review."""
    rule: Sequence[Any] | None = _check_type(kind)["renewal"]
    if rule is None:
        return None
    unit, n = rule
    if unit == "months":
        return _minus_months(expires_on, int(n))
    return expires_on - dt.timedelta(days=int(n))

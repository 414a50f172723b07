"""Emergency-plan rules as pure functions (no ORM): drill frequency, filing and evaluation limits
(docs/domain/14-plans.md), matching plans to an incident or a warning, and which tasks of a
plan an activation at a given response level creates.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pingan.core import workcal

GENERAL = "general"
SPECIAL = "special"
ONSITE = "onsite"

# --- Drill frequency (enterprises) ------------------------------------------------------------------------
DRILL_INTERVAL: dict[str, object] = {
    "source": "生产安全事故应急预案管理办法(原国家安全生产监督管理总局令第88号,2019年修正)第三十三条 [V2]",
    "effective_from": "2019-09-01",
    # plan kind -> months between drills
    "months": {GENERAL: 12, SPECIAL: 12, ONSITE: 6},
}

# --- Filing (备案) of enterprises' plans --------------------------------------------------------------------
FILING: dict[str, object] = {
    "source": "生产安全事故应急预案管理办法第二十六条(公布之日起20个工作日内备案) [U: configurable]",
    "effective_from": "2019-09-01",
    "working_days": 20,
}

# --- Evaluation every three years ---------------------------------------------------------------------------
EVALUATION: dict[str, object] = {
    "source": "生产安全事故应急预案管理办法第三十五条(高危企业每三年至少评估一次);"
    "政府预案按同一周期 [U: configurable]",
    "effective_from": "2019-09-01",
    "years": 3,
    "government": True,  # whether government plans (city, district, department, township) are held to it
}

# Industries the regulation names as high-risk for evaluation (org.Industry codes), and the scales of
# "other" enterprises that count (medium-sized or larger).
HIGH_RISK_INDUSTRIES = frozenset(
    {"mining", "metallurgy", "nonferrous", "construction", "hazchem", "fireworks", "transport", "gas"}
)
LARGE_SCALES = frozenset({"medium", "large"})


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's last day (08-31 + 6 months → 02-28/29)."""
    month0 = day.month - 1 + months
    year = day.year + month0 // 12
    month = month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_drill_due(kind: str, last_drilled: dt.date) -> dt.date:
    """When an enterprise must next drill a plan of `kind`, counted from its last drill."""
    months = DRILL_INTERVAL["months"]
    assert isinstance(months, dict)
    return add_months(last_drilled, int(months[kind]))


def filing_due(published_on: dt.date, overrides: Mapping[dt.date, bool] | None = None) -> dt.date:
    """The last day for filing an enterprise plan: 20 working days after publication, the day of
    publication not counted (holidays and adjusted working days 调休 from the working-day calendar)."""
    return workcal.add_working_days(published_on, int(str(FILING["working_days"])), overrides)


def is_high_risk(industry: str, scale: str = "") -> bool:
    return industry in HIGH_RISK_INDUSTRIES or scale in LARGE_SCALES


def evaluation_applies(is_enterprise: bool, high_risk: bool) -> bool:
    if is_enterprise:
        return high_risk
    return bool(EVALUATION["government"])


def evaluation_due(last: dt.date, is_enterprise: bool, high_risk: bool) -> dt.date | None:
    """When the plan must next be evaluated (None: no evaluation cycle applies)."""
    if not evaluation_applies(is_enterprise, high_risk):
        return None
    return add_months(last, 12 * int(str(EVALUATION["years"])))


# --- Levels -----------------------------------------------------------------------------------------------
GRADE_LEVEL = {"especially_major": "1", "major": "2", "larger": "3", "general": "4"}
COLOUR_LEVEL = {"red": "1", "orange": "2", "yellow": "3", "blue": "4"}


def incident_level(response_level: str, grade: str) -> str:
    """The response level an incident calls for: its decided response level, else its grade's level;
    "" when neither is known (every level of a plan is offered then)."""
    if response_level in ("1", "2", "3", "4"):
        return response_level
    return GRADE_LEVEL.get(grade, "")


def warning_level(colour: str) -> str:
    return COLOUR_LEVEL.get(colour, "")


# Warning event codes (GB/T 35965.1 prefixes) → emergency sub-types a plan names. Data, not law.
WARNING_EVENT_TYPES: dict[str, object] = {
    "source": "GB/T 35965.1-2018 事件类型代码前缀与国家总体预案分类对应(本平台约定)",
    "effective_from": "2018-05-01",
    "exact": {"11B03": ["weather", "flood_drought", "geological"], "11A01": ["flood_drought"]},
    "prefix": {
        "11A": ["flood_drought"],
        "11B": ["weather"],
        "11C": ["earthquake"],
        "11D": ["geological"],
        "11E": ["marine"],
        "11F": ["biological"],
        "11G": ["forest_fire"],
        "12A": ["workplace"],
        "12B": ["transport"],
        "12C": ["public_facility"],
        "12D": ["environment"],
        "13A": ["epidemic"],
        "13B": ["unknown_disease"],
        "13C": ["food_occupational"],
        "13D": ["animal_epidemic"],
    },
}


def warning_event_types(event_code: str) -> list[str]:
    exact = WARNING_EVENT_TYPES["exact"]
    prefix = WARNING_EVENT_TYPES["prefix"]
    assert isinstance(exact, dict) and isinstance(prefix, dict)
    if event_code in exact:
        return list(exact[event_code])
    return list(prefix.get(event_code[:3], []))


# --- Matching -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanFacts:
    id: int
    kind: str
    event_types: tuple[str, ...]
    levels: tuple[str, ...]
    division_path: str
    effective: bool = True


@dataclass(frozen=True)
class Match:
    plan_id: int
    reasons: tuple[str, ...] = field(default_factory=tuple)


KIND_ORDER = {ONSITE: 0, SPECIAL: 1, GENERAL: 2}


def matches(
    plans: Iterable[PlanFacts], event_types: Iterable[str], level: str, division_path: str
) -> list[int]:
    """The plans that apply to an event: effective, naming one of its event types (a general plan with
    no event types covers every type), offering its response level (any level when the level is not
    known), and covering its place (the event lies in the plan's division subtree). Most local first;
    at the same place on-site, then special, then general plans."""
    wanted = set(event_types)
    out: list[PlanFacts] = []
    for p in plans:
        if not p.effective:
            continue
        if not division_path.startswith(p.division_path):
            continue
        if p.event_types and not wanted & set(p.event_types):
            continue
        if not p.event_types and p.kind != GENERAL:
            continue
        if level and p.levels and level not in p.levels:
            continue
        out.append(p)
    out.sort(key=lambda p: (-len(p.division_path), KIND_ORDER.get(p.kind, 9), p.id))
    return [p.id for p in out]


def task_applies(task_level: str, activation_level: str) -> bool:
    """A plan's task for level L is carried out at L and at every higher response (Ⅳ's tasks also at
    Ⅲ, Ⅱ and Ⅰ): a higher response adds tasks, it does not drop the lower ones."""
    return int(task_level) >= int(activation_level)


def task_due(activated_at: dt.datetime, minutes: int) -> dt.datetime:
    return activated_at + dt.timedelta(minutes=minutes)


def on_time(done_at: dt.datetime | None, due_at: dt.datetime) -> bool:
    return done_at is not None and done_at <= due_at

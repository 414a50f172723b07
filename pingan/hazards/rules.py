"""The legal and service rules of the hazard platform, as pure functions (no ORM).

Sources (see docs/domain/01-hazards.md and docs/domain/07-grid.md):
- 安全生产事故隐患排查治理暂行规定 (原国家安监总局令第16号): grades, who fixes what, MAJOR hazards need a
  treatment plan and a report to the regulator; listed supervision (挂牌督办) and the review before
  production resumes; quarterly and annual statistics tables.
- Grid case flow (§7): the clock starts at dispatch (任务派遣); a unit may return a case outside its
  remit; unresolvable cases go to the backlog (挂账). Time limits per sub-type are [U]: data, per
  category, in working days or working hours.

Every threshold here is data with its source and marker; [U] values are defaults an administrator
changes (per category in the console, or in the tables below), never law.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pingan.core import uploads, workcal

# --- States and transitions ------------------------------------------------------------------
# Plain strings (the values of choices.State) so that this module stays free of Django.
SUBMITTED, REGISTERED, DECLINED = "submitted", "registered", "declined"
REPORTED, PLAN_APPROVED, ASSIGNED = "reported", "plan_approved", "assigned"
RECTIFYING, AWAITING_ACCEPTANCE, CLOSED = "rectifying", "awaiting_acceptance", "closed"
RETURNED, MERGED, BACKLOG = "returned", "merged", "backlog"
GENERAL, MAJOR = "general", "major"

# action → (states it may start from, state it leads to). `None` as target: stays where it is.
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "register": (frozenset({SUBMITTED}), REGISTERED),
    "decline": (frozenset({SUBMITTED, RETURNED}), DECLINED),
    "merge": (frozenset({SUBMITTED, REGISTERED, RETURNED}), MERGED),
    "close_on_spot": (frozenset({SUBMITTED, REGISTERED}), CLOSED),
    "report": (frozenset({REGISTERED}), REPORTED),
    "approve_plan": (frozenset({REPORTED}), PLAN_APPROVED),
    "assign": (frozenset({REGISTERED, PLAN_APPROVED, RETURNED}), ASSIGNED),
    "reassign": (frozenset({ASSIGNED, RECTIFYING, RETURNED}), ASSIGNED),
    "return": (frozenset({ASSIGNED, RECTIFYING}), RETURNED),
    "start": (frozenset({ASSIGNED}), RECTIFYING),
    "submit_rectification": (frozenset({RECTIFYING}), AWAITING_ACCEPTANCE),
    "accept": (frozenset({AWAITING_ACCEPTANCE}), CLOSED),
    "reject": (frozenset({AWAITING_ACCEPTANCE}), RECTIFYING),
    "backlog": (frozenset({REGISTERED, PLAN_APPROVED, ASSIGNED, RECTIFYING, RETURNED}), BACKLOG),
    "resume_backlog": (frozenset({BACKLOG}), RECTIFYING),
    "reopen": (frozenset({CLOSED}), RECTIFYING),
}

# Actions that a MAJOR hazard may take only once it has been reported to the regulator and its
# treatment plan approved (docs/domain/01-hazards.md: a MAJOR hazard closed without plan and report
# is refused; the plan must exist before the work is dispatched).
MAJOR_NEEDS_PLAN_AND_REPORT = frozenset(
    {"assign", "reassign", "start", "submit_rectification", "accept", "close_on_spot", "resume_backlog"}
)


@dataclass(frozen=True)
class Facts:
    """What the transition guard needs to know about a case besides its state and grade."""

    reported: bool = False  # the report to the regulator has been made
    plan_approved: bool = False  # the treatment plan (six fields) is approved
    listed: bool = False  # under listed supervision (挂牌督办)
    resume_approved: bool = False  # the regulator approved the application to resume production


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str  # English, for logs; the actions layer shows a translated message by code
    field: str | None = None


def check_transition(action: str, state: str, grade: str, facts: Facts = Facts()) -> Refusal | None:
    """Why `action` may not be taken now (None: it may). Pure: docs/domain/01-hazards.md's guard table."""
    if action not in TRANSITIONS:
        return Refusal("unknown_action", f"unknown action {action!r}", "action")
    sources, _target = TRANSITIONS[action]
    if state not in sources:
        return Refusal("bad_state", f"{action} is not possible in state {state}", "state")
    if grade == MAJOR:
        if action == "close_on_spot":
            return Refusal("major_not_on_spot", "a MAJOR hazard cannot be closed on the spot", "grade")
        if action in MAJOR_NEEDS_PLAN_AND_REPORT:
            if not facts.reported:
                return Refusal(
                    "major_needs_report", "a MAJOR hazard must first be reported to the regulator", "report"
                )
            if not facts.plan_approved:
                return Refusal("major_needs_plan", "a MAJOR hazard needs an approved treatment plan", "plan")
        if action == "accept" and facts.listed and not facts.resume_approved:
            return Refusal(
                "listed_needs_resume_review",
                "a hazard under listed supervision closes only after the resume review",
                "resume",
            )
    elif action in ("report", "approve_plan"):
        return Refusal("general_no_report", "only MAJOR hazards are reported with a treatment plan", "grade")
    return None


def target_state(action: str) -> str | None:
    return TRANSITIONS[action][1]


def allowed_actions(state: str, grade: str, facts: Facts = Facts()) -> list[str]:
    return [a for a in TRANSITIONS if check_transition(a, state, grade, facts) is None]


# The six fields of a treatment plan (docs/domain/01-hazards.md [U]: the list is the rule's; its form
# is ours).
PLAN_FIELDS = (
    ("goal_tasks", "治理的目标和任务"),
    ("methods", "采取的方法和措施"),
    ("funding_materials", "经费和物资的落实"),
    ("organisation_people", "负责治理的机构和人员"),
    ("time_limit_requirements", "治理的时限和要求"),
    ("safety_emergency", "安全措施和应急预案"),
)
# The report to the regulator (docs/domain/01-hazards.md [V2]): ① current state and cause ② harm and
# difficulty ③ plan.
REPORT_FIELDS = (("current_state_cause", "现状及其产生原因"), ("harm_difficulty", "危害程度和整改难易程度"))


def missing_fields(values: Mapping[str, str], fields: tuple[tuple[str, str], ...]) -> list[str]:
    return [name for name, _label in fields if not str(values.get(name) or "").strip()]


# --- Time limits -----------------------------------------------------------------------------
@dataclass(frozen=True)
class TimeLimit:
    amount: float
    unit: str  # "working_days" | "working_hours"
    source: str = "[U] configurable default"


RULE_SET = {
    "name": "hazards-time-limits",
    "effective_from": dt.date(2025, 1, 1),
    "source": "docs/domain §1/§7; CJ/T 315 values are [U], so these are configurable defaults",
}

# Per deadline kind, the default when a category gives none. [U] everywhere: configurable.
DEFAULT_LIMITS: dict[str, TimeLimit] = {
    # 受理 → 立案: the dispatch centre registers or declines a submission.
    "register": TimeLimit(4, "working_hours", "[U] grid practice (CJ/T 315 sub-type limits are [U])"),
    # 派遣 → 整改完成, GENERAL: "fixed at once" (§1) — a service level, not a legal limit.
    "rectify_general": TimeLimit(5, "working_days", "[U] configurable per category"),
    # MAJOR: the plan sets the limit (治理的时限); this is the default until it does.
    "rectify_major": TimeLimit(60, "working_days", "[U] the treatment plan's own time limit wins"),
    # 待验收 → 验收 (核查结案, a field re-check).
    "accept": TimeLimit(3, "working_days", "[U] configurable"),
    # 挂牌督办: the regulator's on-site review after the application to resume (§1: 10 days common).
    "resume_review": TimeLimit(10, "working_days", "[U] docs/domain §1: 'configurable; 10 days is common'"),
}
# How long before a deadline the assignee department is reminded, as a share of the period. [U]
REMIND_SHARE = 0.25
# Escalation steps after the deadline: level 1 at due (department head and the level above),
# level 2 this long after (the dispatch centre and the city administrators). [U]
SECOND_ESCALATION_AFTER = dt.timedelta(days=1)


def rectify_limit(
    grade: str, category_limit: TimeLimit | None = None, plan_due: dt.date | None = None
) -> TimeLimit:
    """The rectification time limit of a case: the plan's own date for MAJOR, the category's, or the
    default for the grade."""
    if category_limit is not None:
        return category_limit
    return DEFAULT_LIMITS["rectify_major" if grade == MAJOR else "rectify_general"]


def compute_due(
    start: dt.datetime, limit: TimeLimit, overrides: Mapping[dt.date, bool] | None = None
) -> dt.datetime:
    """When a period of `limit` starting at `start` ends, on the Chinese working-day calendar
    (adjusted working days 调休 count as working days; `overrides` are the administrators')."""
    if limit.unit == "working_hours":
        return workcal.add_working_hours(start, limit.amount, overrides)
    if limit.unit == "working_days":
        return workcal.end_of_working_day(start, int(math.ceil(limit.amount)), overrides)
    raise ValueError(f"unknown unit {limit.unit!r}")


def remind_before(start: dt.datetime, due: dt.datetime, share: float = REMIND_SHARE) -> dt.timedelta:
    return (due - start) * share


def plan_due(plan_date: dt.date) -> dt.datetime:
    """The end of the treatment plan's last day, Beijing time."""
    return dt.datetime.combine(plan_date, dt.time(23, 59, 59), workcal.TZ)


# --- Statistics due dates (docs/domain/01-hazards.md [V2]) ----------------------------------------
STATISTICS_RULE: dict[str, Any] = {
    "source": "安监总局令第16号 第十四条 (as read in secondary copies) [V2]",
    "quarterly_day": 15,
    "annual_month_day": (1, 31),
}


def quarterly_due(year: int, quarter: int, inclusive: bool = True) -> dt.date:
    """The quarterly table is due "before the 15th of the month after the quarter".
    inclusive=True (the default, a flag per docs/domain/01-hazards.md): the 15th itself is the last day.
    Q1 2025 → 2025-04-15."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter must be 1..4")
    month = quarter * 3 + 1
    y = year + (1 if month > 12 else 0)
    month = month - 12 if month > 12 else month
    due = dt.date(y, month, STATISTICS_RULE["quarterly_day"])
    return due if inclusive else due - dt.timedelta(days=1)


def annual_due(year: int, inclusive: bool = True) -> dt.date:
    """The annual table is due before 31 January of the next year. Year 2025 → 2026-01-31."""
    m, d = STATISTICS_RULE["annual_month_day"]
    due = dt.date(year + 1, m, d)
    return due if inclusive else due - dt.timedelta(days=1)


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


# --- Duplicates ------------------------------------------------------------------------------
DUPLICATE_RULE: dict[str, Any] = {
    "distance_m": 100.0,
    "source": "[U] configurable (HAZARDS_DUPLICATE_DISTANCE_M)",
}
EARTH_RADIUS_M = 6_371_008.8


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bbox_around(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, min_lon, max_lat, max_lon) of a box containing the circle: the index pre-filter."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = math.degrees(radius_m / (EARTH_RADIUS_M * max(0.01, math.cos(math.radians(lat)))))
    return lat - dlat, lon - dlon, lat + dlat, lon + dlon


def is_possible_duplicate(
    new: tuple[float, float],
    other: tuple[float, float],
    same_category: bool,
    max_distance_m: float = DUPLICATE_RULE["distance_m"],
) -> bool:
    """An open case of the same category within the configured distance is a possible duplicate."""
    return same_category and distance_m(new[0], new[1], other[0], other[1]) <= max_distance_m


# --- Tracking codes --------------------------------------------------------------------------
# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a code read out over the phone or copied by hand stays right.
TRACKING_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
TRACKING_LENGTH = 12  # 25^12 ≈ 6e16 codes: unguessable at any request rate the throttle allows


def new_tracking_code(length: int = TRACKING_LENGTH) -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(length))


def normalise_tracking_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


# --- Photos ----------------------------------------------------------------------------------
PHOTO_RULE = {
    "max_bytes": 10 * 1024 * 1024,
    "max_pixels": 40_000_000,
    "formats": ("JPEG", "PNG", "WEBP"),
    "source": "[U] configurable (HAZARDS_PHOTO_MAX_BYTES)",
}


# The public (tracking page, Open311 media_url) sees the reporters' photos and the rectification
# photos (before/after); acceptance photos are the acceptors' evidence and stay with the staff.
PUBLIC_PHOTO_KINDS = frozenset({"report", "rectification", "before", "after"})


def sniff_image_format(head: bytes) -> str | None:
    """The image format from the file's first bytes (never from its name)."""
    if head[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


# --- Free text shown to the public -------------------------------------------------------------
TEXT_RULE = {
    "description_max_chars": 4000,  # a report is a few sentences, not a document
    "source": "[U] service rule: bounds what one anonymous request can store and every page must show",
}

# A mainland mobile number: 1, then 3–9, then nine digits, written as one run or as 3-4-4 with one
# space, hyphen or dot (half- or full-width) between any of the groups. `\d` matches full-width digits too
# (１３８…); the first two are checked by value in _mask_one so that no other script's digits count.
_SEP = r"[ \-.\u00a0\u2010-\u2015\u3000\uff0d\uff0e]"
_PHONE_RE = re.compile(rf"(?<!\d)(\d{{3}})({_SEP}?)(\d{{4}})({_SEP}?)(\d{{4}})(?!\d)")


def _digit(ch: str) -> int:
    return unicodedata.digit(ch, -1)


def _mask_one(m: re.Match[str]) -> str:
    head, sep1, _middle, sep2, tail = m.groups()
    if _digit(head[0]) != 1 or not 3 <= _digit(head[1]) <= 9:
        return m.group(0)  # not a mobile number
    return f"{head}{sep1}****{sep2}{tail}"


def mask_phones(text: str | None) -> str:
    """Mobile numbers in free text masked before the public sees them: 138****5678, 138-****-5678,
    １３８****５６７８. Landlines and other numbers are left as written."""
    return _PHONE_RE.sub(_mask_one, text or "")


# --- Open311 ---------------------------------------------------------------------------------
def open311_status(state: str) -> str:
    """GeoReport v2 knows only open and closed; the detail goes into status_notes."""
    return "closed" if state in (CLOSED, DECLINED, MERGED) else "open"


# --- Escalation ------------------------------------------------------------------------------
@dataclass
class EscalationPlan:
    level: int
    notify_department_head: bool = False
    notify_level_above: bool = False
    notify_dispatch: bool = False
    next_after: dt.timedelta | None = None
    notes: list[str] = field(default_factory=list)


def escalation_plan(level: int) -> EscalationPlan:
    """What an escalation step does: level 1 at the deadline (the department head and the level
    above), level 2 a day later (the dispatch centre and the city), then nothing more."""
    if level <= 1:
        return EscalationPlan(
            1, notify_department_head=True, notify_level_above=True, next_after=SECOND_ESCALATION_AFTER
        )
    return EscalationPlan(level, notify_dispatch=True, next_after=None)


# --- Rectification evidence ---------------------------------------------------------------------
COST_MIN = Decimal("0")
COST_MAX_DIGITS = 12  # as the column: up to 9,999,999,999.99 yuan
COST_DECIMAL_PLACES = 2
COST_RULE = {
    "min": COST_MIN,
    "max_digits": COST_MAX_DIGITS,
    "decimal_places": COST_DECIMAL_PLACES,
    "source": "[U] 整改费用以元计,精确到分 (yuan, to the fen)",
}


def parse_cost(value: object) -> tuple[Decimal | None, str | None]:
    """The rectification cost from what a person typed: (amount, None) or (None, error code).

    Blank is "not given" (None, None). Codes: "invalid" (not a number), "negative", "precision"
    (more than two decimals), "too_large"."""
    text = str(value if value is not None else "").strip().replace(",", "")
    if not text:
        return None, None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None, "invalid"
    if not amount.is_finite():
        return None, "invalid"
    if amount < COST_MIN:
        return None, "negative"
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > COST_DECIMAL_PLACES:
        return None, "precision"
    if amount.adjusted() >= COST_MAX_DIGITS - COST_DECIMAL_PLACES:
        return None, "too_large"
    return amount.quantize(Decimal("0.01")), None


# --- Attachments ----------------------------------------------------------------------------------
ATTACHMENT_RULE = {
    "max_bytes": 20 * 1024 * 1024,
    "formats": ("pdf", "docx", "doc"),
    "per_case": 20,
    "source": "[U] configurable (HAZARDS_ATTACHMENT_MAX_BYTES)",
}
# The document sniffing rule is shared with every app that takes documents (pingan.core.uploads).
OLE_MAGIC = uploads.OLE_MAGIC
sniff_document_format = uploads.sniff_document_format


# --- Notices --------------------------------------------------------------------------------------
NOTICE_ABBREVIATIONS = {"rectify": "隐改", "supervise": "隐督"}


def notice_number(department: str, kind: str, year: int, seq: int) -> str:
    """The number printed on a notice: 清城区应急管理局隐改〔2026〕3号 (per department, year and kind)."""
    return f"{department}{NOTICE_ABBREVIATIONS[kind]}〔{year}〕{seq}号"


NOTICE_STATES = {
    # 整改通知书: the work has been dispatched and is not yet done.
    "rectify": frozenset({ASSIGNED, RECTIFYING}),
    # 督办通知书: pressing a lead department that is late, or a case under listed supervision.
    "supervise": frozenset({ASSIGNED, RECTIFYING, AWAITING_ACCEPTANCE, BACKLOG}),
}


def notice_refusal(kind: str, state: str, *, has_lead: bool, listed: bool, overdue: bool) -> str | None:
    """Why a notice of `kind` cannot be issued now (a code), or None when it can."""
    if kind not in NOTICE_STATES:
        return "unknown_kind"
    if state not in NOTICE_STATES[kind] or not has_lead:
        return "bad_state"
    if kind == "supervise" and not (listed or overdue):
        return "not_overdue"
    return None

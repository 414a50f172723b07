"""Safety education rules as pure functions (no ORM): statutory training hours (docs/domain/13-training.md),
quiz scoring, certificate codes, redaction of case studies, mountain vs urban townships.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

# --- Training hours (docs/domain/13-training.md) [V2] ---------------------------------------------------
PRINCIPAL = "principal"  # 主要负责人
SAFETY_MANAGER = "safety_manager"  # 安全生产管理人员
NEW_WORKER = "new_worker"  # 新上岗从业人员
CADRE = "cadre"  # 基层干部 (no statutory hours: tracked, never judged)
INITIAL = "initial"
REFRESHER = "refresher"

# Industries the regulation names as high-risk, as org.Industry codes: coal and non-coal mines,
# hazardous chemicals, fireworks, metal smelting (冶金 and 有色 smelting).
HIGH_RISK_INDUSTRIES = frozenset({"mining", "hazchem", "fireworks", "metallurgy", "nonferrous"})

TRAINING_HOURS: dict[str, object] = {
    "source": "生产经营单位安全培训规定(原国家安全生产监督管理总局令第3号,2015年修正)第九条、第十三条 "
    "(docs/domain/13-training.md) [V2]",
    "effective_from": "2015-07-01",
    # (who, high-risk industry, kind) -> minimum hours; None: no statutory minimum
    "table": {
        (PRINCIPAL, False, INITIAL): 32,
        (PRINCIPAL, False, REFRESHER): 12,
        (PRINCIPAL, True, INITIAL): 48,
        (PRINCIPAL, True, REFRESHER): 16,
        (SAFETY_MANAGER, False, INITIAL): 32,
        (SAFETY_MANAGER, False, REFRESHER): 12,
        (SAFETY_MANAGER, True, INITIAL): 48,
        (SAFETY_MANAGER, True, REFRESHER): 16,
        (NEW_WORKER, False, INITIAL): 24,
        (NEW_WORKER, True, INITIAL): 72,
        (NEW_WORKER, True, REFRESHER): 20,
    },
}
REFRESHER_EVERY = timedelta(days=365)  # "每年再培训"
REFRESHER_REMIND_BEFORE = timedelta(days=30)


def is_high_risk(industry: str) -> bool:
    return industry in HIGH_RISK_INDUSTRIES


def required_hours(who: str, high_risk: bool, kind: str) -> int | None:
    """The statutory minimum hours (None: the regulation sets none for this case)."""
    table = TRAINING_HOURS["table"]
    assert isinstance(table, dict)
    value = table.get((who, high_risk, kind))
    return int(value) if value is not None else None


def compliant(who: str, high_risk: bool, kind: str, hours: float) -> bool | None:
    """Whether `hours` meet the minimum; None when there is no minimum to judge against ("以上" includes
    the number itself)."""
    need = required_hours(who, high_risk, kind)
    if need is None:
        return None
    return hours >= need


def refresher_due(trained_on: date, who: str, high_risk: bool) -> date | None:
    """When the next yearly refresher is due (None: no statutory refresher for this person)."""
    if required_hours(who, high_risk, REFRESHER) is None:
        return None
    return trained_on + REFRESHER_EVERY


# --- Quizzes ----------------------------------------------------------------------------------------------
def score(answers: dict[int, int], key: dict[int, int]) -> int:
    """Percentage of the questions in `key` answered right (unanswered count as wrong), rounded down."""
    if not key:
        return 0
    right = sum(1 for q, a in key.items() if answers.get(q) == a)
    return right * 100 // len(key)


def passed(percent: int, pass_mark: int) -> bool:
    return percent >= pass_mark


# --- Certificate codes ------------------------------------------------------------------------------------
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed from paper


def format_code(raw: str) -> str:
    """Groups of four, e.g. 7K3M-Q9TX-2HPA."""
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise_code(text: str) -> str:
    """What a person typed, as stored: upper case, groups and spaces ignored, O read as 0 is not in
    the alphabet so a typo stays a miss."""
    raw = re.sub(r"[\s\-]", "", text.upper())
    return format_code(raw) if raw and all(c in CODE_ALPHABET for c in raw) else ""


# --- Case studies -----------------------------------------------------------------------------------------
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def redact(text: str, personal: Iterable[str]) -> str:
    """A narrative with personal data removed: the given names and places, mobile and landline
    numbers, identity card numbers."""
    for item in sorted({p for p in personal if p and len(p) >= 2}, key=len, reverse=True):
        text = text.replace(item, "某某")
    text = _ID_CARD.sub("[已删除]", text)
    return _PHONE.sub("[已删除]", text)


# --- Mountain and urban townships (docs/domain/09-qingyuan.md) [V] -----------------------------------------
MOUNTAIN_COUNTIES = {
    "source": "docs/domain/09-qingyuan.md: the north (连州, 连山, 连南, 阳山) is mountainous",
    "codes": frozenset({"441882", "441825", "441826", "441823"}),
}


def is_mountain(division_code: str) -> bool:
    codes = MOUNTAIN_COUNTIES["codes"]
    assert isinstance(codes, frozenset)
    return division_code[:6] in codes


@dataclass(frozen=True)
class SideBySide:
    years: list[int]
    mountain: list[int]
    urban: list[int]


def participation_by_side(rows: Iterable[tuple[str, int, int]]) -> SideBySide:
    """(division code, year, participants) rows → participants per year, mountain vs the rest."""
    mountain: dict[int, int] = {}
    urban: dict[int, int] = {}
    for code, year, n in rows:
        side = mountain if is_mountain(code) else urban
        side[year] = side.get(year, 0) + n
    years = sorted(set(mountain) | set(urban))
    return SideBySide(years, [mountain.get(y, 0) for y in years], [urban.get(y, 0) for y in years])


# --- Demonstration sites ----------------------------------------------------------------------------------
SITE_PASS_SCORE = 80  # of 100; the criteria's points add up to 100 (choices.SITE_CRITERIA)


def site_score(points: dict[str, int], met: Iterable[str]) -> int:
    return sum(points.get(c, 0) for c in set(met))


# --- Enterprise incentive points (企业安全文化激励) ---------------------------------------------------
# No law sets these: an enterprise's incentive scheme rewards its own hazard reporting, its people's
# compliant training and the checks its posts complete on time. Platform configuration [U].
INCENTIVE_POINTS: dict[str, object] = {
    "source": "platform configuration: the enterprise safety-culture incentive scheme (no legal source) [U]",
    "effective_from": "2026-01-01",
    "per": {"training": 10, "hazard": 5, "check": 1},
}


@dataclass(frozen=True)
class Points:
    training: int
    hazard: int
    check: int

    @property
    def total(self) -> int:
        return self.training + self.hazard + self.check


def incentive_points(trainings: int, hazards: int, checks: int) -> Points:
    """Points for compliant trainings, hazards the enterprise reported itself and on-time checks."""
    per = INCENTIVE_POINTS["per"]
    assert isinstance(per, dict)
    if min(trainings, hazards, checks) < 0:
        raise ValueError("counts are never negative")
    return Points(
        training=trainings * int(per["training"]),
        hazard=hazards * int(per["hazard"]),
        check=checks * int(per["check"]),
    )

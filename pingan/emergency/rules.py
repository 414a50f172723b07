"""The legal rules of duty and incident reporting, as pure functions (no ORM).

Sources:
- 生产安全事故报告和调查处理条例 (国务院令第493号): grades (§3), reporting chain and limits (§9, §10),
  report contents (§12), supplementary reports (§13). Counting rule: "以上" includes the number,
  "以下" excludes it, so 以上 is ≥ and 以下 is <.
- 生产安全事故罚款处罚规定 (应急管理部令第14号, in force 2024-03-01): 迟报/漏报/谎报/瞒报.
- 清远市三防 practice (docs/domain/08-warnings.md): member units report every day before 09:00 and 16:00.

Thresholds are data (`GRADE_RULES`, `CHAIN_RULES`, `SUPPLEMENT_RULES`, `SANFANG_RULES`) carrying
their `source` and `effective_from`, so a revision is a new table entry, not new code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")

# Grade values (same strings as choices.Grade) from lowest to highest.
GENERAL, LARGER, MAJOR, ESPECIALLY_MAJOR = "general", "larger", "major", "especially_major"
GRADES = [GENERAL, LARGER, MAJOR, ESPECIALLY_MAJOR]
GRADE_NAMES = {GENERAL: "一般", LARGER: "较大", MAJOR: "重大", ESPECIALLY_MAJOR: "特别重大"}

# Chain levels (same strings as choices.ChainLevel), lowest first.
UNIT, COUNTY, CITY, PROVINCE, MINISTRY, STATE_COUNCIL = (
    "unit",
    "county",
    "city",
    "province",
    "ministry",
    "state_council",
)
CHAIN = [UNIT, COUNTY, CITY, PROVINCE, MINISTRY, STATE_COUNCIL]

# ---------------------------------------------------------------------------------------------
# Grades (§3)
# ---------------------------------------------------------------------------------------------

GRADE_RULES = [
    {
        "source": "生产安全事故报告和调查处理条例(国务院令第493号)第三条",
        "effective_from": dt.date(2007, 6, 1),
        # (grade, deaths ≥, serious injuries ≥, direct loss ≥ CNY) from the highest grade down;
        # 一般 is what is left (all three below the 较大 thresholds).
        "thresholds": [
            (ESPECIALLY_MAJOR, 30, 100, Decimal("100000000")),
            (MAJOR, 10, 50, Decimal("50000000")),
            (LARGER, 3, 10, Decimal("10000000")),
        ],
    },
]


def _rule_for(table: list[dict[str, Any]], on: dt.date | None) -> dict[str, Any]:
    on = on or dt.date.today()
    usable = [r for r in table if r["effective_from"] <= on] or table[:1]
    return max(usable, key=lambda r: r["effective_from"])


@dataclass(frozen=True)
class GradeResult:
    grade: str
    by: tuple[str, ...]  # the criteria that reached the grade: "deaths", "serious_injuries", "direct_loss"
    source: str

    @property
    def basis(self) -> str:
        names = {"deaths": "死亡人数", "serious_injuries": "重伤人数", "direct_loss": "直接经济损失"}
        reason = "、".join(names[b] for b in self.by) if self.by else "三项均未达到较大事故标准"
        return f"{GRADE_NAMES[self.grade]}:{reason}({self.source})"


def accident_grade(
    deaths: int, serious_injuries: int, direct_loss: Decimal | int | float | str, *, on: dt.date | None = None
) -> GradeResult:
    """The grade is the highest reached by any of the three criteria (§3)."""
    loss = parse_loss(direct_loss)
    if deaths < 0 or serious_injuries < 0 or loss < 0:
        raise ValueError("counts and loss must not be negative")
    rule = _rule_for(GRADE_RULES, on)
    for grade, d_min, s_min, loss_min in rule["thresholds"]:
        by = tuple(
            name
            for name, ok in (
                ("deaths", deaths >= d_min),
                ("serious_injuries", serious_injuries >= s_min),
                ("direct_loss", loss >= loss_min),
            )
            if ok
        )
        if by:
            return GradeResult(grade, by, rule["source"])
    return GradeResult(GENERAL, (), rule["source"])


def grade_table(on: dt.date | None = None) -> list[dict[str, str]]:
    """The grading thresholds in force as rows for people to read (highest grade first), derived
    from GRADE_RULES so that the guidance shown never drifts from the rule applied."""
    thresholds = _rule_for(GRADE_RULES, on)["thresholds"]
    rows: list[dict[str, str]] = []
    upper: tuple[int, int, Decimal] | None = None
    for grade, d_min, s_min, loss_min in thresholds:
        if upper is None:
            rows.append(
                {
                    "grade": grade,
                    "deaths": f"≥{d_min}",
                    "serious_injuries": f"≥{s_min}",
                    "direct_loss": f"≥{loss_min:,.0f}",
                }
            )
        else:
            rows.append(
                {
                    "grade": grade,
                    "deaths": f"{d_min}–{upper[0] - 1}",
                    "serious_injuries": f"{s_min}–{upper[1] - 1}",
                    "direct_loss": f"{loss_min:,.0f} – <{upper[2]:,.0f}",
                }
            )
        upper = (d_min, s_min, loss_min)
    if upper is not None:
        rows.append(
            {
                "grade": GENERAL,
                "deaths": f"<{upper[0]}",
                "serious_injuries": f"<{upper[1]}",
                "direct_loss": f"<{upper[2]:,.0f}",
            }
        )
    return rows


def parse_loss(value: Decimal | int | float | str) -> Decimal:
    """A money amount in CNY; raises ValueError for anything that is not a finite number."""
    if isinstance(value, bool):
        raise ValueError("not a number")
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValueError("not a number") from exc
    if not amount.is_finite():
        raise ValueError("not a number")
    return amount


def grade_rank(grade: str) -> int:
    return GRADES.index(grade) if grade in GRADES else -1


# ---------------------------------------------------------------------------------------------
# The reporting chain (§9, §10)
# ---------------------------------------------------------------------------------------------

CHAIN_RULES = [
    {
        "source": "生产安全事故报告和调查处理条例(国务院令第493号)第九条、第十条",
        "effective_from": dt.date(2007, 6, 1),
        "unit_to_county": dt.timedelta(hours=1),
        "per_level": dt.timedelta(hours=2),
        # where the chain stops by grade (特别重大/重大 then go to the State Council at once)
        "end": {GENERAL: CITY, LARGER: PROVINCE, MAJOR: MINISTRY, ESPECIALLY_MAJOR: MINISTRY},
        "then_immediately": {MAJOR: STATE_COUNCIL, ESPECIALLY_MAJOR: STATE_COUNCIL},
    },
]


def chain_end(grade: str, *, on: dt.date | None = None) -> str:
    """The highest level an accident of `grade` must reach (the ministry for 重大 and above; the
    ministry then reports to the State Council immediately, outside this platform)."""
    end: str = _rule_for(CHAIN_RULES, on)["end"].get(grade, CITY)
    return end


def chain_hops(grade: str, from_level: str = UNIT, *, on: dt.date | None = None) -> list[tuple[str, str]]:
    """(sender level, receiver level) for every hop from `from_level` up to the end of the chain."""
    end = chain_end(grade, on=on)
    start, stop = CHAIN.index(from_level), CHAIN.index(end)
    return [(CHAIN[i], CHAIN[i + 1]) for i in range(start, stop)]


def hop_limit(sender_level: str, *, on: dt.date | None = None) -> dt.timedelta:
    rule = _rule_for(CHAIN_RULES, on)
    limit: dt.timedelta = rule["unit_to_county"] if sender_level == UNIT else rule["per_level"]
    return limit


def hop_due(sender_level: str, basis_at: dt.datetime, *, on: dt.date | None = None) -> dt.datetime:
    """When a hop must be sent: 1 hour after the unit head learns of it (unit → county); 2 hours
    after the sender's own receipt for every level above."""
    return basis_at + hop_limit(sender_level, on=on)


def skipped_levels(sender_level: str, receiver_level: str) -> list[str]:
    """The levels jumped over by a report (越级上报, allowed and recorded)."""
    a, b = CHAIN.index(sender_level), CHAIN.index(receiver_level)
    if b <= a:
        raise ValueError("a report goes upwards")
    return CHAIN[a + 1 : b]


FINDING_RULES = [
    {
        "source": "生产安全事故罚款处罚规定(应急管理部令第14号)",
        "effective_from": dt.date(2024, 3, 1),
        # 迟报 is decided by the clock; 漏报/谎报/瞒报 need a person's finding
        # (knowledge, intent, investigation)
        "automatic": ("late",),
        "by_people": ("omitted", "false", "concealed"),
        # a report sent in the deadline's minute is in time; one minute later is late
        "grace": dt.timedelta(0),
    },
]


def has_unit_report(*, natural_disaster: bool, unit_name: str, enterprise_id: int | None) -> bool:
    """Whether the chain starts with the unit's own report (事发单位负责人 → county within 1 hour).

    An accident always has a unit, named or not yet known. A natural disaster (a flood, a landslide)
    has one only when a 事发单位 is recorded; without one it is reported by the government chain
    alone, and must not be flagged 迟报 for a unit report that never existed."""
    return not natural_disaster or bool(unit_name.strip()) or enterprise_id is not None


def is_late(sent_at: dt.datetime, due_at: dt.datetime, *, on: dt.date | None = None) -> bool:
    """迟报: sent after the limit (应急管理部令第14号). On the minute is in time."""
    grace: dt.timedelta = _rule_for(FINDING_RULES, on)["grace"]
    return sent_at > due_at + grace


def level_reached(grade_from: str, grade_to: str) -> bool:
    """True when a re-grade moves the chain's end upwards (new hops are needed)."""
    return CHAIN.index(chain_end(grade_to)) > CHAIN.index(chain_end(grade_from))


# ---------------------------------------------------------------------------------------------
# Supplementary reports (§13)
# ---------------------------------------------------------------------------------------------

SUPPLEMENT_RULES = [
    {
        "source": "生产安全事故报告和调查处理条例(国务院令第493号)第十三条",
        "effective_from": dt.date(2007, 6, 1),
        "days": 30,
        "days_short": 7,
        "short_kinds": ("road_traffic", "fire"),
        # [U] configurable: True = the accident day counts as day 1 ("第8日死亡不在补报期限内")
        "accident_day_is_day_one": True,
    },
]


def supplement_window_last_day(
    accident_on: dt.date, accident_kind: str, *, accident_day_is_day_one: bool | None = None
) -> dt.date:
    """The last calendar day on which a casualty change still requires a supplementary report."""
    rule = _rule_for(SUPPLEMENT_RULES, accident_on)
    days = rule["days_short"] if accident_kind in rule["short_kinds"] else rule["days"]
    day_one = rule["accident_day_is_day_one"] if accident_day_is_day_one is None else accident_day_is_day_one
    return accident_on + dt.timedelta(days=days - 1 if day_one else days)


def in_supplement_window(
    accident_on: dt.date,
    change_on: dt.date,
    accident_kind: str,
    *,
    accident_day_is_day_one: bool | None = None,
) -> bool:
    if change_on < accident_on:
        return False
    return change_on <= supplement_window_last_day(
        accident_on, accident_kind, accident_day_is_day_one=accident_day_is_day_one
    )


# ---------------------------------------------------------------------------------------------
# 三防 member-unit reports
# ---------------------------------------------------------------------------------------------

SANFANG_RULES = [
    {
        "source": "清远市三防指挥部应急响应工作要求(docs/domain §8):成员单位每日9时、16时前书面报告",
        "effective_from": dt.date(2020, 1, 1),
        "slots": (dt.time(9, 0), dt.time(16, 0)),
    },
]


def sanfang_slots(start: dt.datetime, until: dt.datetime) -> list[dt.datetime]:
    """The report deadlines (aware datetimes, Beijing time) falling after `start` and at or before
    `until`: 09:00 and 16:00 of every day. A response started at 08:30 owes the 09:00 report."""
    rule = _rule_for(SANFANG_RULES, start.astimezone(BEIJING).date())
    out: list[dt.datetime] = []
    day = start.astimezone(BEIJING).date()
    last = until.astimezone(BEIJING).date()
    while day <= last:
        for t in rule["slots"]:
            due = dt.datetime.combine(day, t, tzinfo=BEIJING)
            if start < due <= until:
                out.append(due)
        day += dt.timedelta(days=1)
    return out


def next_sanfang_slot(after: dt.datetime) -> dt.datetime:
    return sanfang_slots(after, after + dt.timedelta(days=1))[0]


# ---------------------------------------------------------------------------------------------
# Duty rotations, gaps, iCal
# ---------------------------------------------------------------------------------------------


def rotation_shifts(
    starts_on: dt.date,
    start_time: dt.time,
    shift_hours: int,
    n_crews: int,
    window_from: dt.datetime,
    window_to: dt.datetime,
    tz: dt.tzinfo = BEIJING,
) -> list[tuple[dt.datetime, dt.datetime, int]]:
    """(start, end, crew index) of each shift of a rotation overlapping [window_from, window_to).
    Crews take turns in order from `starts_on`."""
    if shift_hours <= 0 or n_crews <= 0:
        raise ValueError("a rotation needs crews and a positive shift length")
    origin = dt.datetime.combine(starts_on, start_time, tzinfo=tz)
    step = dt.timedelta(hours=shift_hours)
    first = max(0, int((window_from - origin) // step))
    out = []
    i = first
    while True:
        s = origin + i * step
        if s >= window_to:
            break
        e = s + step
        if e > window_from:
            out.append((s, e, i % n_crews))
        i += 1
    return out


def coverage_gaps(
    shifts: list[tuple[dt.datetime, dt.datetime, bool]], window_from: dt.datetime, window_to: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Periods of [window_from, window_to) with no staffed shift. `shifts` are (start, end, staffed)."""
    staffed = sorted((s, e) for s, e, ok in shifts if ok and e > window_from and s < window_to)
    gaps, cursor = [], window_from
    for s, e in staffed:
        if s > cursor:
            gaps.append((cursor, min(s, window_to)))
        cursor = max(cursor, e)
        if cursor >= window_to:
            break
    if cursor < window_to:
        gaps.append((cursor, window_to))
    return gaps


def _ics_escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """RFC 5545 §3.1: lines longer than 75 octets are folded (CRLF + one space)."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts: list[str] = []
    current, size = "", 0
    for ch in line:
        n = len(ch.encode("utf-8"))
        limit = 75 if not parts else 74
        if size + n > limit:
            parts.append(current)
            current, size = "", 0
        current += ch
        size += n
    parts.append(current)
    return "\r\n ".join(parts)


def ical(
    events: list[dict[str, Any]], *, calname: str, stamp: dt.datetime, prodid: str = "-//Ping'an//Duty//ZH"
) -> str:
    """An RFC 5545 calendar. Each event: uid, start, end (aware), summary, optional description
    and location. Times are written in UTC ("Z")."""

    def utc(t: dt.datetime) -> str:
        return t.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")

    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{prodid}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_ics_escape(calname)}",
    ]
    for ev in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{ev['uid']}",
            f"DTSTAMP:{utc(stamp)}",
            f"DTSTART:{utc(ev['start'])}",
            f"DTEND:{utc(ev['end'])}",
            f"SUMMARY:{_ics_escape(ev['summary'])}",
        ]
        if ev.get("description"):
            lines.append(f"DESCRIPTION:{_ics_escape(ev['description'])}")
        if ev.get("location"):
            lines.append(f"LOCATION:{_ics_escape(ev['location'])}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


# ---------------------------------------------------------------------------------------------
# Report contents (§12)
# ---------------------------------------------------------------------------------------------

# (key, label) of the §12 contents in order; a report cannot be sent with one of the required ones empty.
REPORT_CONTENTS = [
    ("unit_overview", "事故发生单位概况"),
    ("occurred_place_scene", "事故发生的时间、地点以及事故现场情况"),
    ("course", "事故的简要经过"),
    ("casualties_loss", "已经造成或者可能造成的伤亡人数(包括下落不明的人数)和初步估计的直接经济损失"),
    ("measures", "已经采取的措施"),
    ("other_matters", "其他应当报告的情况"),
]
REQUIRED_CONTENTS = ("unit_overview", "occurred_place_scene", "course", "casualties_loss", "measures")


def missing_contents(content: dict[str, str]) -> list[str]:
    """The required §12 items that are empty."""
    return [key for key in REQUIRED_CONTENTS if not str(content.get(key, "") or "").strip()]

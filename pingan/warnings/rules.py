"""Rules of early-warning publication (docs/domain §3 and §8), as pure functions and data tables.

No ORM here: these are tested with the DOMAIN vectors in tests/test_rules.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

# --- Severity: the Chinese profile's colours and the CAP 1.2 values (§8 [V2]) -----------------------
SEVERITY_BY_COLOUR: dict[str, str] = {
    "red": "Extreme",
    "orange": "Severe",
    "yellow": "Moderate",
    "blue": "Minor",
    "unknown": "Unknown",
}
SEVERITY_SOURCE = {
    "source": "GB/T 35965.1 应急信息交互协议 第1部分:预警信息 (docs/domain §8)",
    "effective_from": "2018-02-06",
}
COLOUR_BY_SEVERITY: dict[str, str] = {v: k for k, v in SEVERITY_BY_COLOUR.items()}

# §3: the four warning levels; 一级 is the highest.
LEVEL_BY_COLOUR: dict[str, int] = {"red": 1, "orange": 2, "yellow": 3, "blue": 4}


def cap_severity(colour: str) -> str:
    """The CAP 1.2 `severity` for a Chinese warning colour (red → Extreme … blue → Minor)."""
    return SEVERITY_BY_COLOUR.get(colour, "Unknown")


def colour_from_severity(value: str) -> str:
    """The colour of an incoming message's `severity`: the Chinese feed writes the colour itself
    (Red/Orange/Yellow/Blue/Unknown), CAP 1.2 producers write Extreme…Minor; both are accepted."""
    v = (value or "").strip()
    if v.lower() in SEVERITY_BY_COLOUR:
        return v.lower()
    return COLOUR_BY_SEVERITY.get(v.capitalize(), "unknown")


# --- Event codes (§8 [V2]) ----------------------------------------------------------------------------
EVENT_CODES: dict[str, str] = {
    "11B01": "台风",
    "11B03": "暴雨",
    "11B04": "暴雪",
    "11B05": "寒潮",
    "11B06": "大风",
    "11B07": "沙尘暴",
    "11B09": "高温",
    "11B14": "雷电",
    "11B15": "冰雹",
    "11B16": "霜冻",
    "11B17": "大雾",
    "11B19": "霾",
    "11B20": "雷雨大风",
    "11B21": "道路结冰",
    "11B22": "干旱",
    # [U] Not in the list of docs/domain/08-warnings.md: GB/T 35965.1's 11A (水旱灾害) group, used for a
    # river water level over its warning level measured by monitoring.
    "11A01": "洪水",
}
EVENT_CODES_SOURCE = {
    "source": "GB/T 35965.1 预警事件类型代码 (docs/domain §8)",
    "effective_from": "2018-02-06",
}
EVENT_CODE_VALUE_NAME = "GB/T 35965.1"
GEOCODE_VALUE_NAME = "GB/T 2260"
RAINSTORM = "11B03"
FLOOD = "11A01"


def event_name(code: str) -> str | None:
    return EVENT_CODES.get(code)


# --- Identifier (§8 [V2]): ZZZZZZDDDUUUXX_YYYYMMDDhhmmss[_N] -----------------------------------------
IDENTIFIER_RE = re.compile(r"^(?P<division>\d{6})(?P<unit>[0-9A-Za-z]{8})_(?P<stamp>\d{14})(?:_(?P<n>\d+))?$")


@dataclass(frozen=True)
class Identifier:
    division: str
    unit: str
    sent: datetime
    n: int | None


def parse_identifier(value: str) -> Identifier | None:
    """Parse either form of the Chinese identifier (with or without `_N`); None when it is not one."""
    m = IDENTIFIER_RE.match(value or "")
    if not m:
        return None
    try:
        sent = datetime.strptime(m["stamp"], "%Y%m%d%H%M%S")
    except ValueError:
        return None
    return Identifier(m["division"], m["unit"], sent, int(m["n"]) if m["n"] else None)


def make_identifier(division_code: str, unit: str, sent: datetime, n: int | None = None) -> str:
    """`division_code` is the GB/T 2260 code of the issuing area (its first six digits are used);
    `unit` the eight characters DDDUUUXX of the issuing department; `sent` in local time."""
    if len(unit) != 8:
        raise ValueError("unit must be 8 characters (DDDUUUXX)")
    base = f"{division_code[:6]}{unit}_{sent:%Y%m%d%H%M%S}"
    return f"{base}_{n}" if n else base


# --- Message types and the chain (§8 [V2]) ---------------------------------------------------------------
MSG_TYPES = ("Alert", "Update", "Cancel")


def references_problem(msg_type: str, references: list[str]) -> str | None:
    """Why a message's references are wrong (None when right): Update and Cancel must reference
    the message(s) they change; a first Alert references nothing."""
    if msg_type not in MSG_TYPES:
        return "msg_type"
    if msg_type == "Alert" and references:
        return "alert_with_references"
    if msg_type in ("Update", "Cancel") and not references:
        return "missing_references"
    return None


def cap_reference(sender: str, identifier: str, sent_iso: str) -> str:
    """One entry of CAP `references`: "sender,identifier,sent"."""
    return f"{sender},{identifier},{sent_iso}"


def times_problem(onset: datetime | None, expires: datetime | None, now: datetime) -> str | None:
    """`expires` is required in the Chinese profile, and must lie after the onset and after now."""
    if expires is None:
        return "expires_required"
    if onset is not None and expires <= onset:
        return "expires_before_onset"
    if expires <= now:
        return "expires_in_past"
    return None


# --- Who may issue (§3) -----------------------------------------------------------------------------------
# Warnings exist for natural disasters, accidents and public-health events only (§3 [V]).
WARNING_CATEGORIES = ("natural", "accident", "public_health")

# The level of government that approves a warning of each colour. §3 names the levels but not the
# approving level; this table is the platform's configuration after the county/city split of the
# 突发事件应对法 (art. 64–65: county-level and higher governments issue warnings within their powers):
# the two highest levels go to the city, the two lower ones may be approved in the district.
APPROVAL_LEVEL: dict[str, str] = {
    "red": "city",
    "orange": "city",
    "yellow": "district",
    "blue": "district",
    "unknown": "city",
}
APPROVAL_LEVEL_SOURCE = {
    "source": "突发事件应对法: county-level and higher governments issue warnings within their powers; "
    "levels 三/四 and 一/二 carry different measures (2007 text §44/§45). The approving level per colour "
    "is the platform's reading [U] (docs/domain/03-emergencies.md)",
    "effective_from": "2024-11-01",
}


def approval_level(colour: str) -> str:
    """'city' or 'district': who must approve a warning of this colour (unknown → the city)."""
    return APPROVAL_LEVEL.get(colour, "city")


def warning_allowed(category: str) -> bool:
    return category in WARNING_CATEGORIES


# --- Rainstorm signals (§8 [V2]) ----------------------------------------------------------------------------
# (colour, window in hours, rainfall in mm): the national signals, highest first.
NATIONAL_RAINSTORM: tuple[tuple[str, float, float], ...] = (
    ("red", 3, 100),
    ("orange", 3, 50),
    ("yellow", 6, 50),
    ("blue", 12, 50),
)
NATIONAL_RAINSTORM_SOURCE = {
    "source": "中国气象局 气象灾害预警信号 暴雨 (docs/domain §8)",
    "effective_from": "2007-06-12",
}

# Signal schemes whose thresholds we know and may compute from rainfall. Guangdong issues its own
# signals (黄/橙/红) with thresholds we have not verified: they are only ever ingested as issued.
DERIVABLE_SCHEMES = frozenset({"national"})


class NotDerivable(ValueError):
    """A signal that must be taken as issued by the weather bureau, never computed from rainfall."""


def rainstorm_signal(rain_mm: float, hours: float, scheme: str = "national") -> str | None:
    """The national rainstorm signal for `rain_mm` fallen within `hours` (None below blue).

    A window counts when the rain fell within it: 55 mm in 5 h lies within 6 h (yellow) but not within 3 h.
    Guangdong's own signals raise NotDerivable: they are ingested from the bureau's feed (§8).
    """
    if scheme not in DERIVABLE_SCHEMES:
        raise NotDerivable(scheme)
    for colour, window, threshold in NATIONAL_RAINSTORM:
        if hours <= window and rain_mm >= threshold:
            return colour
    return None

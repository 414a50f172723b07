"""Pure rules about division codes (no ORM)."""

from __future__ import annotations

import re

from .choices import CODE_LENGTH, PARENT_LEVEL, Level

_DIGITS = re.compile(r"^\d+$")


def division_path(code: str, level: str) -> str:
    """The prefix that every descendant's code starts with.

    A city's code 441800 stands for the prefix 4418 (its districts are 4418xx); a district's six
    digits, a township's nine and so on are their own prefixes.
    """
    if level == Level.CITY:
        return code[:4]
    return code


def level_for_code(code: str) -> str | None:
    """The level a code's length implies (a six-digit code ending in 00 is a city)."""
    if not _DIGITS.match(code or ""):
        return None
    if len(code) == 6:
        return Level.CITY if code.endswith("00") else Level.DISTRICT
    return {9: Level.TOWN, 12: Level.VILLAGE, 15: Level.GRID}.get(len(code))


def parent_code(code: str, level: str) -> str | None:
    """The code of the parent division implied by a code, or None for a city."""
    if level == Level.CITY:
        return None
    if level == Level.DISTRICT:
        return code[:4] + "00"
    parent_level = PARENT_LEVEL[Level(level)]
    return code[: CODE_LENGTH[parent_level]]


def is_formal_township(code: str) -> bool:
    """Township-level codes 4xx (林场, 开发区, 自然保护区) are statistical units, not formal townships."""
    return len(code) == 9 and code[6] != "4"

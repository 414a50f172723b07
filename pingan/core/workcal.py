"""Working-day arithmetic on the Chinese calendar.

The national holiday schedule, including adjusted working days (调休, weekends that become working
days), comes from the maintained `chinesecalendar` package; administrators correct or extend it
with CalendarOverride rows (a new year's schedule before the package knows it, a local holiday).
The pure functions take the overrides as a dict, so rules can be tested without the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from zoneinfo import ZoneInfo

import chinese_calendar

TZ = ZoneInfo("Asia/Shanghai")
WORK_START = dt.time(8, 30)
WORK_END = dt.time(17, 30)


def is_workday(day: dt.date, overrides: Mapping[dt.date, bool] | None = None) -> bool:
    if overrides and day in overrides:
        return overrides[day]
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        # A year the package does not cover yet: Monday–Friday until an administrator enters the
        # published schedule as overrides.
        return day.weekday() < 5


def add_working_days(start: dt.date, days: int, overrides: Mapping[dt.date, bool] | None = None) -> dt.date:
    """The date `days` working days after `start` (start itself not counted)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    day = start
    left = days
    while left:
        day += dt.timedelta(days=1)
        if is_workday(day, overrides):
            left -= 1
    return day


def add_working_hours(
    start: dt.datetime,
    hours: float,
    overrides: Mapping[dt.date, bool] | None = None,
    work_start: dt.time = WORK_START,
    work_end: dt.time = WORK_END,
) -> dt.datetime:
    """`start` plus `hours` of office time (work_start–work_end on working days, Beijing time)."""
    if hours < 0:
        raise ValueError("hours must be >= 0")
    local = start.astimezone(TZ)
    remaining = dt.timedelta(hours=hours)
    while True:
        day = local.date()
        open_at = dt.datetime.combine(day, work_start, TZ)
        close_at = dt.datetime.combine(day, work_end, TZ)
        if not is_workday(day, overrides) or local >= close_at:
            local = dt.datetime.combine(day + dt.timedelta(days=1), work_start, TZ)
            continue
        if local < open_at:
            local = open_at
        available = close_at - local
        if remaining <= available:
            return (local + remaining).astimezone(start.tzinfo or TZ)
        remaining -= available
        local = dt.datetime.combine(day + dt.timedelta(days=1), work_start, TZ)


def end_of_working_day(
    start: dt.datetime, days: int, overrides: Mapping[dt.date, bool] | None = None
) -> dt.datetime:
    """The end (23:59:59 Beijing time) of the day `days` working days after `start`'s date."""
    local = start.astimezone(TZ)
    day = add_working_days(local.date(), days, overrides)
    return dt.datetime.combine(day, dt.time(23, 59, 59), TZ)


# A year's published schedule (国务院办公厅关于节假日安排的通知) always closes at least seven weekdays
# (New Year, Spring Festival, Qingming, Labour Day, Dragon Boat, Mid-Autumn, National Day); five
# weekday holidays entered by hand is taken as "the administrator has entered that year's schedule",
# fewer as a local holiday or two.
MIN_ENTERED_WEEKDAY_HOLIDAYS = 5


def package_knows(year: int) -> bool:
    """Whether the `chinesecalendar` package has the State Council's schedule for `year`."""
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def schedule_known(year: int, overrides: Mapping[dt.date, bool] | None = None) -> bool:
    """Working days of `year` are known: from the package, or entered by an administrator."""
    if package_knows(year):
        return True
    entered = sum(
        1 for day, work in (overrides or {}).items() if day.year == year and not work and day.weekday() < 5
    )
    return entered >= MIN_ENTERED_WEEKDAY_HOLIDAYS


def calendar_gap(today: dt.date, overrides: Mapping[dt.date, bool] | None = None) -> int | None:
    """The year whose holiday schedule is missing and needed now: this year's at any time, next
    year's from December on (the State Council publishes it in the autumn). None when all is known.
    Until it is entered, working-day deadlines in that year count Monday to Friday: provisional."""
    if not schedule_known(today.year, overrides):
        return today.year
    if today.month == 12 and not schedule_known(today.year + 1, overrides):
        return today.year + 1
    return None


def load_overrides() -> dict[dt.date, bool]:
    """The administrators' corrections, from the database."""
    from .models import CalendarOverride

    return dict(CalendarOverride.objects.values_list("date", "is_workday"))

"""Parsing values from query strings (console pages, exports, API filters) without server errors.

An id beyond 64 bits overflowed the database driver, ``int("abc")`` or ``int("inf")`` raised, a year
0 or 99999 made a date that Python or the database refuses: each was a 500. These helpers parse one
parameter and either give a value inside its bounds (or the default when the parameter is absent or
empty) or raise `BadParameter`, a 400 that names the parameter — in the API through the core
exception handler (``{"errors": [{"field": "year", ...}]}``), on console pages through
`BadParameterMiddleware` (a 400 page naming it).

    year = params.int_param(request.GET, "year", default=today.year, minimum=1900, maximum=2100)
    division = params.id_param(request.GET, "division")          # None when absent
    bbox = params.bbox_param(request.GET, "bbox")                # 4 finite floats in range
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.utils.translation import gettext as _

from .actions import ActionError

# The largest id a database primary key (bigint) can hold.
MAX_ID = 2**63 - 1
# Bounds for years typed by people (statistics, reports): wide enough for every record, narrow
# enough that no date computation overflows.
MIN_YEAR = 1900
MAX_YEAR = 2100
# Bulk actions: ids per request.
MAX_BULK_IDS = 500

T = TypeVar("T")


class BadParameter(ActionError):
    """A query parameter that cannot be used as given: 400, naming it."""

    def __init__(self, field: str, message: str | None = None) -> None:
        super().__init__(
            message or _("参数 %(field)s 的值无效") % {"field": field}, field=field, code="invalid"
        )


def _raw(params: Mapping[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def int_param(
    params: Mapping[str, Any],
    name: str,
    *,
    default: T | None = None,
    minimum: int = -MAX_ID,
    maximum: int = MAX_ID,
) -> int | T | None:
    """An integer within [minimum, maximum]; `default` when absent or empty; else BadParameter."""
    raw = _raw(params, name)
    if raw is None:
        return default
    digits = raw[1:] if raw[0] in "+-" else raw
    if len(digits) > 19 or not (digits.isascii() and digits.isdigit()):
        raise BadParameter(name, _("参数 %(field)s 应为整数") % {"field": name})
    value = int(raw)
    if not minimum <= value <= maximum:
        raise BadParameter(
            name,
            _("参数 %(field)s 应在 %(min)s 到 %(max)s 之间")
            % {"field": name, "min": minimum, "max": maximum},
        )
    return value


def id_param(params: Mapping[str, Any], name: str) -> int | None:
    """A database id (1 … 2⁶³−1) or None when absent."""
    value = int_param(params, name, minimum=1, maximum=MAX_ID)
    return value if isinstance(value, int) else None


def is_id(value: Any) -> bool:
    """True for a string or int that a database id column can hold (for `isdigit()`-style checks)."""
    text = str(value).strip()
    return text.isascii() and text.isdigit() and len(text) <= 19 and 1 <= int(text) <= MAX_ID


def float_param(
    params: Mapping[str, Any],
    name: str,
    *,
    default: T | None = None,
    minimum: float = -math.inf,
    maximum: float = math.inf,
) -> float | T | None:
    """A finite float within [minimum, maximum] (never inf or NaN); `default` when absent."""
    raw = _raw(params, name)
    if raw is None:
        return default
    return finite(raw, name, minimum=minimum, maximum=maximum)


def finite(value: Any, name: str, *, minimum: float = -math.inf, maximum: float = math.inf) -> float:
    """`value` as a finite float within bounds, or BadParameter naming `name`."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise BadParameter(name, _("参数 %(field)s 应为数字") % {"field": name}) from None
    if not math.isfinite(number):
        raise BadParameter(name, _("参数 %(field)s 应为有限的数字") % {"field": name})
    if not minimum <= number <= maximum:
        raise BadParameter(
            name,
            _("参数 %(field)s 应在 %(min)s 到 %(max)s 之间")
            % {"field": name, "min": minimum, "max": maximum},
        )
    return number


def date_param(
    params: Mapping[str, Any],
    name: str,
    *,
    default: T | None = None,
    min_year: int = MIN_YEAR,
    max_year: int = MAX_YEAR,
) -> dt.date | T | None:
    """An ISO date (YYYY-MM-DD) with a year in [min_year, max_year]; `default` when absent."""
    raw = _raw(params, name)
    if raw is None:
        return default
    try:
        day = dt.date.fromisoformat(raw[:10])
    except ValueError:
        raise BadParameter(name, _("参数 %(field)s 应为日期(YYYY-MM-DD)") % {"field": name}) from None
    if not min_year <= day.year <= max_year:
        raise BadParameter(
            name,
            _("参数 %(field)s 的年份应在 %(min)s 到 %(max)s 之间")
            % {"field": name, "min": min_year, "max": max_year},
        )
    return day


def year_param(params: Mapping[str, Any], name: str = "year", *, default: int | None = None) -> int | None:
    """A year in [MIN_YEAR, MAX_YEAR]."""
    value = int_param(params, name, default=default, minimum=MIN_YEAR, maximum=MAX_YEAR)
    return value if isinstance(value, int) else None


def choice_param(
    params: Mapping[str, Any], name: str, choices: Iterable[Any], *, default: T | None = None
) -> str | T | None:
    """One of `choices` (compared as strings); `default` when absent."""
    raw = _raw(params, name)
    if raw is None:
        return default
    allowed = {str(c) for c in choices}
    if raw not in allowed:
        raise BadParameter(name, _("参数 %(field)s 不是可选的值") % {"field": name})
    return raw


def bbox_param(params: Mapping[str, Any], name: str = "bbox") -> tuple[float, float, float, float] | None:
    """``west,south,east,north`` in degrees (finite, within the globe), or None when absent."""
    raw = _raw(params, name)
    if raw is None:
        return None
    parts = raw.split(",")
    if len(parts) != 4:
        raise BadParameter(name, _("参数 %(field)s 应为 西,南,东,北 四个数") % {"field": name})
    w, s, e, n = (finite(p, name) for p in parts)
    if not (-180 <= w <= 180 and -180 <= e <= 180 and -90 <= s <= 90 and -90 <= n <= 90):
        raise BadParameter(name, _("参数 %(field)s 超出经纬度范围") % {"field": name})
    return w, s, e, n


def id_list(values: Iterable[Any], name: str, *, limit: int = MAX_BULK_IDS) -> list[int]:
    """Ids of a bulk action (form checkboxes or a JSON list): each a valid id, at most `limit`."""
    out: list[int] = []
    for value in values:
        if len(out) >= limit:
            raise BadParameter(name, _("一次最多处理 %(n)d 条") % {"n": limit})
        if isinstance(value, bool) or not is_id(value):
            raise BadParameter(name, _("参数 %(field)s 应为编号") % {"field": name})
        out.append(int(str(value).strip()))
    return out


class BadParameterMiddleware:
    """Console pages and exports: a `BadParameter` (or any `ActionError` escaping a GET) becomes a
    400 page naming the parameter, instead of a server error. The API answers these itself (the
    core exception handler); JSON endpoints outside it (GeoJSON layers) get the API's error body."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        # A NUL byte in a query string reaches no page: PostgreSQL refuses it in any text parameter
        # (a 500 wherever a view filters by the raw value), and no real value contains one.
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in v for v in values):
                field = name.replace("\x00", "")[:40] or "?"
                error = BadParameter(field, _("参数 %(field)s 含有不允许的字符") % {"field": field})
                return self.process_exception(request, error)
        return self.get_response(request)

    def process_exception(self, request: Any, exception: Exception) -> Any:
        if not isinstance(exception, BadParameter):
            return None
        from django.http import JsonResponse
        from django.shortcuts import render

        if request.path.startswith("/api/") or request.path.endswith((".json", ".geojson")):
            return JsonResponse({"errors": [exception.as_dict()]}, status=400)
        return render(request, "400.html", {"error": exception}, status=400)

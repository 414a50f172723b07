"""Hazard figures for the command centre's KPIs by area and period (pingan.dashboard.figures)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import OPEN_STATES, State
from .models import HazardCase

DAY = 86400.0


def _cases(user: Any) -> Any:
    # Merged and declined reports are not hazards found; they never count.
    return HazardCase.objects.visible_to(user).exclude(state__in=(State.DECLINED, State.MERGED))


def found(user: Any, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    rows = _cases(user).filter(created_at__gte=start, created_at__lt=end)
    return dict(rows.values("division_path").annotate(n=Count("pk")).values_list("division_path", "n"))


def closed(user: Any, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    rows = _cases(user).filter(state=State.CLOSED, closed_at__gte=start, closed_at__lt=end)
    return dict(rows.values("division_path").annotate(n=Count("pk")).values_list("division_path", "n"))


def overdue(user: Any, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    # At the end of the period (or now, when the period runs to today): still open and past its deadline.
    at = min(end, timezone.now())
    rows = _cases(user).filter(state__in=OPEN_STATES, created_at__lt=end, due_at__lt=at)
    return dict(rows.values("division_path").annotate(n=Count("pk")).values_list("division_path", "n"))


def closure_rate(user: Any, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    rows = (
        _cases(user)
        .filter(created_at__gte=start, created_at__lt=end)
        .values("division_path")
        .annotate(n=Count("pk"), done=Count("pk", filter=Q(state=State.CLOSED)))
    )
    return {r["division_path"]: (r["done"], r["n"]) for r in rows}


def days_to_close(user: Any, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    rows = (
        _cases(user)
        .filter(state=State.CLOSED, closed_at__gte=start, closed_at__lt=end)
        .values_list("division_path", "created_at", "closed_at")
    )
    out: dict[str, list[float]] = defaultdict(list)
    for path, created, closed_at in rows:
        out[path].append((closed_at - created).total_seconds() / DAY)
    return out


def figures() -> list[dict[str, Any]]:
    return [
        {
            "key": "hazards.found",
            "label": _("发现隐患"),
            "definition": _("期间内上报并受理的隐患数(不含不予立案与合并的报告)。"),
            "kind": "count",
            "unit": "",
            "better": "up",
            "compute": found,
        },
        {
            "key": "hazards.closed",
            "label": _("销号隐患"),
            "definition": _("期间内验收销号的隐患数。"),
            "kind": "count",
            "unit": "",
            "better": "up",
            "compute": closed,
        },
        {
            "key": "hazards.overdue",
            "label": _("超期隐患"),
            "definition": _("期末(或此刻)仍在办且已超过当前环节期限的隐患数。"),
            "kind": "count",
            "unit": "",
            "better": "down",
            "compute": overdue,
        },
        {
            "key": "hazards.closure_rate",
            "label": _("隐患销号率"),
            "definition": _("期间内发现的隐患中,至今已销号的比例。"),
            "kind": "rate",
            "unit": "%",
            "better": "up",
            "compute": closure_rate,
        },
        {
            "key": "hazards.days_to_close",
            "label": _("销号用时中位数"),
            "definition": _("期间内销号的隐患,从上报到销号所用天数的中位数。"),
            "kind": "median",
            "unit": _("天"),
            "better": "down",
            "compute": days_to_close,
        },
    ]

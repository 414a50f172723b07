"""Inspection figures for the command centre's KPIs by area and period (pingan.dashboard.figures)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import InspectionState
from .models import Inspection


def done_vs_planned(user: Any, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    # Inspections are planned per year: the plans of the years the period touches, and of those, the
    # inspections finished before the period's end.
    years = range(timezone.localtime(start).year, timezone.localtime(end - dt.timedelta(seconds=1)).year + 1)
    done = Q(state__in=(InspectionState.FINISHED, InspectionState.CLOSED), ended_at__lt=end)
    rows = (
        Inspection.objects.visible_to(user)
        .filter(plan__year__in=list(years))
        .values("division__path")
        .annotate(n=Count("pk"), done=Count("pk", filter=done))
    )
    return {r["division__path"]: (r["done"], r["n"]) for r in rows}


def figures() -> list[dict[str, Any]]:
    return [
        {
            "key": "inspections.done_vs_planned",
            "label": _("执法检查完成率"),
            "definition": _("期间所在年度抽查计划中的检查对象,在期末前已完成现场检查的比例(已完成/计划)。"),
            "kind": "rate",
            "unit": "%",
            "better": "up",
            "compute": done_vs_planned,
        }
    ]

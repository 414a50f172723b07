"""Rescue figures for the command centre's KPIs by area and period (pingan.dashboard.figures)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from .choices import RunStatus
from .models import CoverageRun


def coverage_30(user: Any, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """From the latest finished coverage analysis (before the period's end): the population within 30
    minutes of an able team, per district. An analysis is a snapshot, so the value is the one in force."""
    run = (
        CoverageRun.objects.visible_to(user)
        .filter(status=RunStatus.DONE, finished_at__lt=end)
        .order_by("-finished_at")
        .first()
    )
    if run is None:
        return {}
    out: dict[str, Any] = {}
    for d in (run.results or {}).get("districts", []):
        share = d.get("share", {})
        value = share.get("30.0", share.get("30"))
        if value is None:
            continue
        pop = float(d.get("population") or 0)
        out[d["code"]] = (value * pop, pop)
    return out


def figures() -> list[dict[str, Any]]:
    return [
        {
            "key": "rescue.coverage_30",
            "label": _("30分钟救援覆盖率"),
            "definition": _("最近一次覆盖分析中,30分钟内可到达具备能力救援队伍的人口比例(只到区县一级)。"),
            "kind": "rate",
            "unit": "%",
            "better": "up",
            "compute": coverage_30,
        }
    ]

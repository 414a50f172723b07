"""Warning figures for the command centre's KPIs by area and period (pingan.dashboard.figures)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .choices import State
from .models import EarlyWarning


def published(user: Any, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    rows = EarlyWarning.objects.visible_to(user).filter(
        sent__gte=start,
        sent__lt=end,
        state__in=(State.PUBLISHED, State.SUPERSEDED, State.CANCELLED, State.EXPIRED),
    )
    return dict(rows.values("division__path").annotate(n=Count("pk")).values_list("division__path", "n"))


def figures() -> list[dict[str, Any]]:
    return [
        {
            "key": "warnings.published",
            "label": _("预警发布数"),
            "definition": _("期间内发布的预警信息数(按发布区域计;全市发布的只计入全市合计)。"),
            "kind": "count",
            "unit": "",
            "better": "up",
            "compute": published,
        }
    ]

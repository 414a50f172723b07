"""Training figures for the command centre's KPIs by area and period (pingan.dashboard.figures)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import TrainingRecord


def training_hours(user: Any, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """Hours of statutory training recorded in the period, by the township where it was given."""
    rows = TrainingRecord.objects.visible_to(user).filter(
        trained_on__gte=timezone.localtime(start).date(), trained_on__lt=timezone.localtime(end).date()
    )
    return {
        path: float(hours or 0)
        for path, hours in rows.values("division__path")
        .annotate(h=Sum("hours"))
        .values_list("division__path", "h")
    }


def figures() -> list[dict[str, Any]]:
    return [
        {
            "key": "culture.training_hours",
            "label": _("培训学时"),
            "definition": _("期间内登记的安全生产培训学时合计(按培训所在乡镇/街道计)。"),
            "kind": "count",
            "unit": _("学时"),
            "better": "up",
            "compute": training_hours,
        }
    ]

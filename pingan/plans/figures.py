"""Emergency-plan figures for the command centre's KPIs by area and period (pingan.dashboard.figures)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from .choices import TaskState
from .models import Activation, ActivationTask


def activations(user: Any, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """Plans put into effect in the period, by the division of the event."""
    rows = (
        Activation.objects.visible_to(user)
        .filter(activated_at__gte=start, activated_at__lt=end)
        .values("division__path")
        .annotate(n=Count("id"))
        .values_list("division__path", "n")
    )
    return dict(rows)


def tasks_on_time(user: Any, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """Of the activation tasks due in the period, those done by their deadline (closed tasks of a
    response stood down before they fell due are not counted)."""
    rows = (
        ActivationTask.objects.visible_to(user)
        .filter(due_at__gte=start, due_at__lt=end)
        .exclude(state=TaskState.CLOSED, activation__stood_down_at__lt=F("due_at"))
        .values("activation__division__path")
        .annotate(
            on_time=Count("id", filter=Q(state=TaskState.DONE, done_at__lte=F("due_at"))),
            n=Count("id"),
        )
        .values_list("activation__division__path", "on_time", "n")
    )
    return {path: (on_time, n) for path, on_time, n in rows}


def figures() -> list[dict[str, Any]]:
    return [
        {
            "key": "plans.activations",
            "label": _("预案启动次数"),
            "definition": _("期间内针对突发事件或预警启动应急预案的次数(按事发区划计)。"),
            "kind": "count",
            "unit": "",
            "better": "down",
            "compute": activations,
        },
        {
            "key": "plans.tasks_on_time",
            "label": _("预案任务按时完成率"),
            "definition": _(
                "期间内到期的预案响应任务中,在时限内标记完成的比例;响应在任务到期前终止而关闭的任务不计入。"
            ),
            "kind": "rate",
            "unit": "%",
            "better": "up",
            "compute": tasks_on_time,
        },
    ]

"""Monitoring figures for the command centre's KPIs by area and period (pingan.dashboard.figures)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from .choices import AlarmState, DeviceState
from .models import Alarm, Device

ACKED = (AlarmState.ACTIVE_ACK, AlarmState.CLEARED_ACK)


def online_rate(user: Any, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    # A device's state is kept as of now (no history), so this figure is the same for every period.
    rows = (
        Device.objects.visible_to(user)
        .exclude(state=DeviceState.RETIRED)
        .values("division__path")
        .annotate(n=Count("pk"), on=Count("pk", filter=Q(state=DeviceState.ONLINE)))
    )
    return {r["division__path"]: (r["on"], r["n"]) for r in rows}


def handling_rate(user: Any, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    rows = (
        Alarm.objects.visible_to(user)
        .filter(raised_at__gte=start, raised_at__lt=end)
        .values("division__path")
        .annotate(n=Count("pk"), done=Count("pk", filter=Q(state__in=ACKED)))
    )
    return {r["division__path"]: (r["done"], r["n"]) for r in rows}


def minutes_to_ack(user: Any, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    rows = (
        Alarm.objects.visible_to(user)
        .filter(raised_at__gte=start, raised_at__lt=end, acked_at__isnull=False)
        .values_list("division__path", "raised_at", "acked_at")
    )
    out: dict[str, list[float]] = defaultdict(list)
    for path, raised, acked in rows:
        out[path].append(max(0.0, (acked - raised).total_seconds() / 60))
    return out


def figures() -> list[dict[str, Any]]:
    from .triage import false_alarm_rate

    return [
        {
            "key": "monitoring.online_rate",
            "label": _("设备在线率"),
            "definition": _("当前在线的监测设备占在册设备(不含停用)的比例;设备状态无历史,各期相同。"),
            "kind": "rate",
            "unit": "%",
            "better": "up",
            "compute": online_rate,
        },
        {
            "key": "monitoring.handling_rate",
            "label": _("报警处置率"),
            "definition": _("期间内产生的报警中已被确认的比例。"),
            "kind": "rate",
            "unit": "%",
            "better": "up",
            "compute": handling_rate,
        },
        {
            "key": "monitoring.minutes_to_ack",
            "label": _("报警确认用时中位数"),
            "definition": _("期间内产生并已确认的报警,从报警到确认所用分钟数的中位数。"),
            "kind": "median",
            "unit": _("分钟"),
            "better": "down",
            "compute": minutes_to_ack,
        },
        {
            "key": "monitoring.false_alarm_rate",
            "label": _("误报率"),
            "definition": _("期间内研判完毕的报警中被判为误报的比例。"),
            "kind": "rate",
            "unit": "%",
            "better": "down",
            "compute": false_alarm_rate,
        },
    ]

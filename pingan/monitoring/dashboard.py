"""Monitoring figures and layers for the command centre (pingan.dashboard.registry)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from pingan.core.permissions import may

from .choices import AlarmState, DeviceState
from .models import Alarm, Device


def kpis(user: Any) -> list[dict[str, Any]]:
    alarms = (
        Alarm.objects.visible_to(user)
        .filter(is_active=True)
        .aggregate(active=Count("pk"), unack=Count("pk", filter=Q(state=AlarmState.ACTIVE_UNACK)))
    )
    offline = Device.objects.visible_to(user).filter(state=DeviceState.OFFLINE).count()
    # A figure links to its page only for those who may open it (offered means allowed).
    console = reverse("monitoring:console") if may(user, "monitoring.view_console") else None
    devices = reverse("monitoring:devices") if may(user, "monitoring.view_devices") else None
    return [
        {
            "label": _("报警中(未确认)"),
            "value": f"{alarms['active']}({alarms['unack']})",
            "colour": "red" if alarms["unack"] else "green",
            "url": console,
        },
        {
            "label": _("离线设备"),
            "value": offline,
            "colour": "grey" if not offline else "orange",
            "url": devices,
        },
    ]


def layers(user: Any) -> list[dict[str, Any]]:
    return [
        {
            "url": reverse("monitoring-api:sensor-geojson"),
            "name": _("监测传感器"),
            "kind": "points",
            "radius": 4,
        }
    ]

"""The monitoring panels of the enterprise workspace (declared on the AppConfig as
``workspace_panels``): the enterprise's sensors with those offline, and its active alarms.

Each panel is ``{"title", "count", "url", "items": [{"label", "url", "pill", "when"}]}``. The
queries are a fixed handful however many sensors or alarms there are (tests check 1 vs many).
Everything is read through `visible_to`, so a person sees only their own enterprise's rows, and
every link goes to a page that person may open (the alarm and sensor pages ask `monitoring.view`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from pingan.core.choices import colour_of
from pingan.core.permissions import may

from .choices import DeviceState
from .models import Alarm, Sensor

LATEST = 10


def panels(user: Any) -> list[dict[str, Any]]:
    """The panels for an enterprise user; none for anyone else (staff have the console)."""
    if not may(user, "monitoring.view_workspace_panels"):
        return []
    return [_sensors(user), _alarms(user)]


def _sensors(user: Any) -> dict[str, Any]:
    sensors = Sensor.objects.visible_to(user).filter(is_active=True)
    offline_q = Q(device__state=DeviceState.OFFLINE)
    totals = sensors.order_by().aggregate(n=Count("id"), offline=Count("id", filter=offline_q))
    offline = (
        sensors.filter(offline_q).select_related("device").order_by("device__last_seen_at", "pk")[:LATEST]
    )
    items = [
        {
            "label": f"{s.name} · {s.device.code}",
            "url": reverse("monitoring:sensor", args=[s.pk]),
            "pill": (str(DeviceState.OFFLINE.label), colour_of(DeviceState, DeviceState.OFFLINE)),
            "when": s.device.last_seen_at,
        }
        for s in offline
    ]
    return {
        "title": _("监测传感器(离线 %(n)d)") % {"n": totals["offline"]},
        "count": totals["n"],
        "url": None,
        "items": items,
    }


def _alarms(user: Any) -> dict[str, Any]:
    active = Alarm.objects.visible_to(user).filter(is_active=True)
    latest = active.order_by("-raised_at", "-pk")[:LATEST]
    items = [
        {
            "label": a.title,
            "url": reverse("monitoring:alarm", args=[a.pk]),
            "pill": (a.get_state_display(), a.state_colour),
            "when": a.raised_at,
        }
        for a in latest
    ]
    return {"title": _("报警中"), "count": active.count(), "url": None, "items": items}

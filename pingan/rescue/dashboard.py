"""Rescue figures and layers for the command centre (pingan.dashboard.registry)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from pingan.core.permissions import may

from .choices import TeamStatus
from .models import Team


def kpis(user: Any) -> list[dict[str, Any]]:
    teams = Team.objects.visible_to(user).aggregate(
        n=Count("pk"), ready=Count("pk", filter=Q(status=TeamStatus.READY)), people=Sum("headcount")
    )
    url = reverse("rescue:teams") if may(user, "rescue.view") else None  # offered means allowed
    return [
        {
            "label": _("救援队伍(待命/总数)"),
            "value": f"{teams['ready']}/{teams['n']}",
            "colour": "blue",
            "url": url,
        },
        {"label": _("救援人员"), "value": teams["people"] or 0, "colour": "blue", "url": url},
    ]


def layers(user: Any) -> list[dict[str, Any]]:
    return [{"url": reverse("rescue:teams-geojson"), "name": _("救援队伍"), "kind": "points", "radius": 6}]

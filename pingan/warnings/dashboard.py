"""Early warnings for the command centre (pingan.dashboard.registry)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import State
from .models import EarlyWarning


def kpis(user: Any) -> list[dict[str, Any]]:
    qs = EarlyWarning.objects.visible_to(user)
    counts = qs.aggregate(
        active=Count("pk", filter=Q(pk__in=EarlyWarning.objects.active(timezone.now()).values("pk"))),
        waiting=Count("pk", filter=Q(state__in=(State.REVIEW, State.APPROVED))),
    )
    url = reverse("warnings:list")
    return [
        {
            "label": _("生效预警"),
            "value": counts["active"],
            "colour": "red" if counts["active"] else "green",
            "url": url + "?state=published",
        },
        {
            "label": _("待审批/待发布预警"),
            "value": counts["waiting"],
            "colour": "purple",
            "url": url + "?state=review",
        },
    ]


def layers(user: Any) -> list[dict[str, Any]]:
    """The warnings in force are public, so the layer is the public GeoJSON (the same for everyone)."""
    return [
        {
            "url": reverse("warnings-public:geojson"),
            "name": _("生效预警"),
            "kind": "areas",
            "fillOpacity": 0.2,
            "weight": 2,
        }
    ]

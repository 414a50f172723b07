"""Emergency figures and layers for the command centre (pingan.dashboard.registry)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import IncidentState, ReportState
from .models import Incident, Report


def kpis(user: Any) -> list[dict[str, Any]]:
    incidents = Incident.objects.visible_to(user).aggregate(
        open=Count("pk", filter=Q(state=IncidentState.OPEN))
    )
    overdue = Report.objects.visible_to(user).filter(state=ReportState.DUE, due_at__lt=timezone.now()).count()
    return [
        {
            "label": _("处置中的突发事件"),
            "value": incidents["open"],
            "colour": "orange",
            "url": reverse("emergency:incidents"),
        },
        {
            "label": _("超期未报的事故信息"),
            "value": overdue,
            "colour": "red" if overdue else "green",
            "url": reverse("emergency:console"),
        },
    ]


def layers(user: Any) -> list[dict[str, Any]]:
    return [
        {"url": reverse("emergency:incidents_geojson"), "name": _("突发事件"), "kind": "points", "radius": 8}
    ]

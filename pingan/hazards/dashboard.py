"""Hazard figures and layers for the command centre (pingan.dashboard.registry)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import OPEN_STATES, Grade
from .models import HazardCase


def kpis(user: Any) -> list[dict[str, Any]]:
    now = timezone.now()
    open_q = Q(state__in=OPEN_STATES)
    counts = HazardCase.objects.visible_to(user).aggregate(
        open=Count("pk", filter=open_q),
        major=Count("pk", filter=open_q & Q(grade=Grade.MAJOR)),
        overdue=Count("pk", filter=open_q & Q(due_at__lt=now)),
    )
    url = reverse("hazards:list")
    return [
        {"label": _("在办隐患"), "value": counts["open"], "colour": "orange", "url": url},
        {"label": _("在办重大隐患"), "value": counts["major"], "colour": "red", "url": url + "?grade=major"},
        {
            "label": _("超期隐患"),
            "value": counts["overdue"],
            "colour": "red" if counts["overdue"] else "green",
            "url": url + "?overdue=1",
        },
    ]


def layers(user: Any) -> list[dict[str, Any]]:
    return [{"url": reverse("hazards-api:hazard-map"), "name": _("隐患"), "kind": "points", "radius": 5}]

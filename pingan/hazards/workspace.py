"""The hazard panels of the enterprise workspace (org collects them through
`HazardsConfig.workspace_panels`).

Each panel: {"title", "count", "url", "items": [{"label", "url", "pill": (label, colour) | None,
"when"}]}. The enterprise's own cases, and its self-reports (自查自报), the latest ten of each: four
queries whatever the number of cases.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from pingan.core.choices import colour_of
from pingan.core.permissions import may

from .choices import Source, State
from .models import HazardCase

LATEST = 10


def _items(qs: QuerySet[HazardCase]) -> list[dict[str, Any]]:
    labels = dict(State.choices)
    rows = qs.order_by("-created_at", "-id").only("id", "title", "state", "created_at", "updated_at")[:LATEST]
    return [
        {
            "label": f"{c.number} {c.title}",
            "url": reverse("hazards:detail", args=[c.pk]),
            "pill": (str(labels.get(c.state, c.state)), colour_of(State, c.state)),
            "when": c.updated_at,
        }
        for c in rows
    ]


def panels(user: Any) -> list[dict[str, Any]]:
    """The enterprise's panels; none for anyone else (the workspace is the enterprise's own)."""
    if not may(user, "hazards.view_workspace"):
        return []
    own = HazardCase.objects.visible_to(user).filter(enterprise=user.enterprise_id)
    self_reports = own.filter(source=Source.ENTERPRISE)
    list_url = reverse("hazards:list")
    return [
        {"title": _("本单位隐患"), "count": own.count(), "url": list_url, "items": _items(own)},
        {
            "title": _("自查自报"),
            "count": self_reports.count(),
            "url": f"{list_url}?source={Source.ENTERPRISE}",
            "items": _items(self_reports),
        },
    ]

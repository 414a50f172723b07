"""Risk figures and layers for the command centre (pingan.dashboard.registry)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import CheckTask, RiskObject
from .selectors import commitment_rate


def kpis(user: Any) -> list[dict[str, Any]]:
    from .permissions import can_view_rates

    if not can_view_rates(user):
        return []
    counts = RiskObject.objects.visible_to(user).aggregate(
        major=Count("pk", filter=Q(level="major")), large=Count("pk", filter=Q(level="large"))
    )
    overdue = (
        CheckTask.objects.visible_to(user).filter(is_active=True, next_due_at__lt=timezone.now()).count()
    )
    rate = commitment_rate(user, timezone.localdate())
    value = f"{rate['rate']}%" if rate["rate"] is not None else "—"
    return [
        {
            "label": _("重大风险点"),
            "value": counts["major"],
            "colour": "red",
            "url": reverse("risks:list") + "?level=major",
        },
        {
            "label": _("较大风险点"),
            "value": counts["large"],
            "colour": "orange",
            "url": reverse("risks:list") + "?level=large",
        },
        {
            "label": _("超期排查任务"),
            "value": overdue,
            "colour": "red" if overdue else "green",
            "url": reverse("risks:tasks") + "?overdue=1",
        },
        {
            "label": _("今日承诺完成率"),
            "value": value,
            "colour": "green" if rate["rate"] == 100 else "orange",
            "url": reverse("risks:commitments"),
            "testid": "commitment-rate",
        },
    ]


def layers(user: Any) -> list[dict[str, Any]]:
    from .permissions import can_view_lifelines, can_view_rates

    if not can_view_rates(user):
        return []
    out = [
        {"url": reverse("risks-api:risk-object-map"), "name": _("风险四色图"), "kind": "points", "radius": 5}
    ]
    if can_view_lifelines(user):
        out.append(
            {
                "url": reverse("risks:lifeline_geojson") + "?shape=line",
                "name": _("城市生命线"),
                "kind": "lines",
                "weight": 3,
            }
        )
    return out

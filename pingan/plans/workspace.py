"""The enterprise's emergency-plan panel on its workspace: its plans, and the filings, drills and
evaluations falling due (AppConfig.workspace_panels)."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.translation import gettext as _

from pingan.core.models import Deadline
from pingan.core.permissions import may

from .models import Plan


def panels(user: Any) -> list[dict[str, Any]]:
    if not may(user, "plans.view_workspace_panel"):
        return []
    plans = list(Plan.objects.visible_to(user).order_by("kind", "id")[:20])
    ids = [str(p.pk) for p in plans]
    due = list(
        Deadline.objects.filter(
            content_type=ContentType.objects.get_for_model(Plan),
            object_id__in=ids,
            met_at=None,
            cancelled_at=None,
        ).order_by("due_at")[:10]
    )
    items = [
        {
            "label": d.title,
            "url": reverse("plans:detail", args=[int(d.object_id)]),
            "pill": None,
            "when": d.due_at,
        }
        for d in due
    ]
    items += [
        {
            "label": f"{p.title} · {p.get_kind_display()} · {p.get_state_display()}",
            "url": reverse("plans:detail", args=[p.pk]),
            "pill": None,
            "when": p.last_drilled_on,
        }
        for p in plans
    ]
    return [
        {"title": _("应急预案:备案与演练"), "count": len(due), "url": reverse("plans:list"), "items": items}
    ]

"""The enterprise's safety culture panel on its workspace (AppConfig.workspace_panels): its people's
training this year against the statutory hours, refreshers falling due, and incentive points."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core.permissions import may

from .models import TrainingRecord

POINTS_PER_COMPLIANT_TRAINING = 10  # the enterprise's own incentive scheme; a display, not a rule


def panels(user: Any) -> list[dict[str, Any]]:
    if not may(user, "culture.view_workspace_panel"):
        return []
    year = timezone.localdate().year
    records = TrainingRecord.objects.visible_to(user)
    totals = records.filter(trained_on__year=year).aggregate(
        hours=Sum("hours"), n=Count("id"), short=Count("id", filter=Q(compliant=False))
    )
    points = records.filter(compliant=True).count() * POINTS_PER_COMPLIANT_TRAINING
    latest = list(records.order_by("-trained_on", "-id")[:5])
    items = [
        {
            "label": _("本年度培训 %(n)s 人次,共 %(h)s 学时")
            % {"n": totals["n"], "h": f"{totals['hours'] or 0:g}"},
            "url": "",
            "pill": None,
            "when": None,
        },
        {
            "label": _("未达到规定学时:%(n)s 人次") % {"n": totals["short"]},
            "url": "",
            "pill": None,
            "when": None,
        },
        {"label": _("安全积分:%(p)s 分") % {"p": points}, "url": "", "pill": None, "when": None},
    ]
    items += [
        {
            "label": f"{r.person} · {r.get_trainee_display()} · {r.hours:g}" + _("学时"),
            "url": "",
            "pill": None,
            "when": r.trained_on,
        }
        for r in latest
    ]
    return [{"title": _("安全文化:培训与积分"), "count": totals["n"], "url": "", "items": items}]

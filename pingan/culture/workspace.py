"""The enterprise's safety culture panel on its workspace (AppConfig.workspace_panels): its people's
training this year against the statutory hours, refreshers falling due, and incentive points."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core.permissions import may

from . import rules
from .models import TrainingRecord


def points_of(user: Any, enterprise_id: int) -> rules.Points:
    """The enterprise's incentive points: its compliant trainings, the hazards it reported itself
    (hazards.services) and its on-time checks (risks.services), all years."""
    from django.apps import apps

    trainings = TrainingRecord.objects.visible_to(user).filter(compliant=True).count()
    hazards = checks = 0
    if apps.is_installed("pingan.hazards"):
        from pingan.hazards import services as hazards_services

        hazards = hazards_services.reported_by_enterprise(enterprise_id)
    if apps.is_installed("pingan.risks"):
        from pingan.risks import services as risks_services

        checks = risks_services.checks_done_by_enterprise(enterprise_id)
    return rules.incentive_points(trainings, hazards, checks)


def panels(user: Any) -> list[dict[str, Any]]:
    if not may(user, "culture.view_workspace_panel"):
        return []
    year = timezone.localdate().year
    records = TrainingRecord.objects.visible_to(user)
    totals = records.filter(trained_on__year=year).aggregate(
        hours=Sum("hours"), n=Count("id"), short=Count("id", filter=Q(compliant=False))
    )
    points = points_of(user, user.enterprise_id)
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
        {
            "label": _("安全积分:%(p)s 分(培训 %(t)s、自查上报隐患 %(h)s、按时排查 %(c)s)")
            % {"p": points.total, "t": points.training, "h": points.hazard, "c": points.check},
            "url": "",
            "pill": None,
            "when": None,
        },
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

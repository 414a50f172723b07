"""The enterprise workspace panel of the risk module (collected by the console)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core.permissions import may

from .models import CheckTask, Commitment, MajorHazardSource


def panels(user: Any) -> list[dict[str, Any]]:
    """Due checks, today's commitment and unfiled major hazard sources of the person's enterprise."""
    if not may(user, "risks.submit_commitment") or not getattr(user, "enterprise_id", None):
        return []
    now = timezone.now()
    due = list(
        CheckTask.objects.visible_to(user)
        .filter(is_active=True, next_due_at__lt=now + dt.timedelta(days=1))
        .select_related("risk_object")[:8]
    )
    items = [
        {
            "label": f"{t.name} · {t.risk_object.name}",
            "url": reverse("risks:task", args=[t.pk]),
            "pill": _("超期") if t.next_due_at < now else _("待检"),
            "when": t.next_due_at,
        }
        for t in due
    ]
    today = timezone.localdate()
    committed = Commitment.objects.visible_to(user).filter(day=today).exists()
    has_mhs = MajorHazardSource.objects.visible_to(user).exclude(grade="none").exists()
    if has_mhs:
        items.insert(
            0,
            {
                "label": _("今日安全承诺"),
                "url": reverse("risks:commitments"),
                "pill": _("已提交") if committed else _("待提交"),
                "when": today,
            },
        )
    for src in MajorHazardSource.objects.visible_to(user).filter(filing_state="unfiled")[:3]:
        items.append(
            {
                "label": _("重大危险源备案: %(name)s") % {"name": src.name},
                "url": reverse("risks:mhs_detail", args=[src.pk]),
                "pill": _("待备案"),
                "when": src.filing_due,
            }
        )
    return [{"title": _("风险防控"), "count": len(items), "url": reverse("risks:tasks"), "items": items}]

"""Risk figures for the command centre's KPIs by area and period (pingan.dashboard.figures)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Commitment


def commitment_rate(user: Any, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    from pingan.org.models import Enterprise

    from .permissions import can_view_rates

    if not can_view_rates(user):
        return {}
    first = timezone.localtime(start).date()
    last = min(timezone.localtime(end).date() - dt.timedelta(days=1), timezone.localdate())
    days = max(0, (last - first).days + 1)
    # Who must commit is known as of today only (no history of major hazard sources), so each day of the
    # period counts today's required enterprises.
    required = (
        Enterprise.objects.visible_to(user)
        .filter(is_active=True, major_hazard_sources__grade__in=["1", "2", "3", "4"])
        .distinct()
        .values_list("pk", "division__path")
    )
    paths = dict(required)
    done = (
        Commitment.objects.visible_to(user)
        .filter(day__gte=first, day__lte=last, on_time=True, enterprise_id__in=list(paths))
        .values("enterprise_id")
        .annotate(n=Count("day", distinct=True))
    )
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for path in paths.values():
        out[path][1] += days
    for row in done:
        out[paths[row["enterprise_id"]]][0] += row["n"]
    return {p: (v[0], v[1]) for p, v in out.items()}


def figures() -> list[dict[str, Any]]:
    return [
        {
            "key": "risks.commitment_rate",
            "label": _("安全承诺率"),
            "definition": _(
                "期间内每日按时提交安全承诺的企业日数,占应承诺(有重大危险源的在营企业)企业日数的比例。"
            ),
            "kind": "rate",
            "unit": "%",
            "better": "up",
            "compute": commitment_rate,
        }
    ]

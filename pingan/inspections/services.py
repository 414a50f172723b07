"""What other apps may use of inspections: the one definition of the special-work types (GB
30871-2022) and the counts of special work filed as permits, which feed the risks module's daily
safety commitment (docs/domain/12-daily-commitment.md).

The permits are the owner of the special-work types; risks.choices.SpecialWork is this WorkType.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .actions.field import FieldFinding, OnSite
from .choices import WorkType

__all__ = [
    "FieldFinding",
    "OnSite",
    "WorkType",
    "field_inspections",
    "field_record_summary",
    "record_on_site",
    "special_work_counts",
]


def special_work_counts(enterprise: Any, day: dt.date) -> dict[str, int]:
    """Approved permits of the enterprise whose validity overlaps the (local) day, by work type."""
    from django.db.models import Count
    from django.utils import timezone

    from .choices import PermitState
    from .models import WorkPermit

    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tz)
    end = start + dt.timedelta(days=1)
    rows = (
        WorkPermit.objects.filter(
            enterprise=enterprise, state=PermitState.APPROVED, valid_from__lt=end, valid_until__gt=start
        )
        .values("work_type")
        .annotate(n=Count("pk"))
    )
    return {r["work_type"]: int(r["n"]) for r in rows}


# --- The field app (pingan.field): the inspector's phone, offline ---------------------------------------
def field_inspections(user: Any) -> list[dict[str, Any]]:
    """The inspections this person was drawn for and may still record on site, each with what the
    phone needs offline: the target, the drawn inspectors and the checklist of the target's industry.
    Four queries whatever the number of inspections."""
    from django.db.models import Prefetch

    from .choices import InspectionState
    from .models import CheckItem, Inspection, Inspector

    rows = list(
        Inspection.objects.visible_to(user)
        .filter(
            inspectors__user=user,
            state__in=[InspectionState.PLANNED, InspectionState.STARTED],
            field_record__isnull=True,
        )
        .select_related("target", "enterprise", "division", "plan")
        .prefetch_related(Prefetch("inspectors", queryset=Inspector.objects.select_related("user")))
        .order_by("pk")
    )
    industries = {r.target.industry for r in rows}
    items: dict[str, list[dict[str, Any]]] = {}
    for c in CheckItem.objects.filter(industry__in=industries).order_by("code"):
        items.setdefault(c.industry, []).append(
            {"id": c.pk, "code": c.code, "title": c.title, "basis": c.basis, "major": c.major}
        )
    return [
        {
            "id": r.pk,
            "label": str(r),
            "plan": str(r.plan.name),
            "mode": r.mode,
            "mode_label": str(r.get_mode_display()),
            "state": r.state,
            "target": {
                "name": str(r.enterprise.name),
                "address": str(r.enterprise.address or ""),
                "industry": r.target.industry,
                "industry_label": str(r.target.get_industry_display()),
                "division": str(r.division.name),
            },
            "representative": r.representative,
            "inspectors": [
                {"id": i.pk, "name": str(i), "certificate_no": i.certificate_no, "me": i.user_id == user.pk}
                for i in r.inspectors.all()
            ],
            "items": items.get(r.target.industry, []),
        }
        for r in rows
    ]


def record_on_site(actor: Any, inspection_id: int, data: OnSite) -> tuple[Any, bool]:
    """The on-site record of a visible inspection (404 otherwise); (record, created)."""
    from pingan.core.actions import get_visible_or_404

    from .actions.field import do_record_on_site
    from .models import Inspection

    inspection = get_visible_or_404(
        Inspection.objects.select_related("target", "plan__department", "enterprise", "division"),
        actor,
        pk=inspection_id,
    )
    return do_record_on_site(actor, inspection, data)


def field_record_summary(record: Any) -> dict[str, Any]:
    """What the phone shows after a sync: the record, its findings' hazard cases, the documents."""
    from django.urls import reverse

    inspection = record.inspection
    inspection.refresh_from_db(fields=["state"])
    return {
        "id": record.pk,
        "inspection": inspection.pk,
        "state": inspection.state,
        "findings": [
            {"id": f.pk, "major": f.major, "hazard_case": f.hazard_case_id}
            for f in inspection.findings.order_by("pk")
        ],
        "documents": [
            {
                "kind": d.kind,
                "title": str(d.get_kind_display()),
                "number": d.number,
                "pdf": reverse("inspections:document", args=[d.pk, "pdf"]),
            }
            for d in inspection.documents.order_by("pk")
        ],
    }

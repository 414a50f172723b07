"""Read queries for the pages and the API: scoped through `visible_to`, constant in queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet

from .choices import HIDDEN_MODES, InspectionState
from .models import CheckItem, Draw, Finding, Inspection, Inspector, Plan, Target, WorkPermit


def inspections(user: Any) -> QuerySet[Inspection]:
    return (
        Inspection.objects.visible_to(user)
        .select_related("enterprise", "division", "plan", "target")
        .prefetch_related(Prefetch("inspectors", queryset=Inspector.objects.select_related("user")))
        .annotate(open_findings=Count("findings", filter=Q(findings__state="open"), distinct=True))
        .order_by("-pk")
    )


def inspection_detail(user: Any) -> QuerySet[Inspection]:
    return inspections(user).prefetch_related(
        Prefetch("findings", queryset=Finding.objects.select_related("item"))
    )


def plans(user: Any) -> QuerySet[Plan]:
    return (
        Plan.objects.visible_to(user)
        .select_related("department", "division", "created_by")
        .annotate(inspection_count=Count("inspections", distinct=True), draw_pk=F("draw__id"))
        .order_by("-year", "-pk")
    )


def items(user: Any, industry: str | None = None) -> QuerySet[CheckItem]:
    qs = CheckItem.objects.visible_to(user)
    return qs.filter(industry=industry) if industry else qs


def targets(user: Any) -> QuerySet[Target]:
    return Target.objects.visible_to(user).select_related("enterprise", "division")


def inspectors(user: Any) -> QuerySet[Inspector]:
    return (
        Inspector.objects.visible_to(user)
        .select_related("user", "department", "division")
        .prefetch_related("recusals__enterprise")
    )


def permits(user: Any) -> QuerySet[WorkPermit]:
    return WorkPermit.objects.visible_to(user).select_related("enterprise", "division", "approver")


def public_draws() -> QuerySet[Draw]:
    """Draws anyone may verify: a hidden plan's draw is published once none of its inspections is
    still unrevealed (the draw would otherwise tell the target it is coming)."""
    unrevealed = Inspection.objects.filter(mode__in=HIDDEN_MODES, state=InspectionState.PLANNED).values(
        "plan_id"
    )
    return (
        Draw.objects.select_related("plan", "plan__department")
        .exclude(plan_id__in=unrevealed)
        .order_by("-pk")
    )


def published_results() -> QuerySet[Inspection]:
    """Results on the portal: the target, dates, mode and the counts of findings — never the
    inspectors' names, the representative or the findings' text (personal and enforcement data)."""
    return (
        Inspection.objects.exclude(published_at=None)
        .select_related("enterprise", "division")
        .annotate(
            finding_count=Count("findings", distinct=True),
            major_count=Count("findings", filter=Q(findings__major=True), distinct=True),
        )
        .order_by("-published_at")
    )

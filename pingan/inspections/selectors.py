"""Read queries for the pages and the API: scoped through `visible_to`, constant in queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet

from .choices import HIDDEN_MODES, InspectionState
from .models import (
    CheckItem,
    Draw,
    EnforcementDocument,
    Finding,
    Inspection,
    Inspector,
    Penalty,
    Plan,
    Target,
    WorkPermit,
)


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
        Prefetch("findings", queryset=Finding.objects.select_related("item")),
        Prefetch("documents", queryset=EnforcementDocument.objects.order_by("issued_at", "pk")),
        Prefetch("penalties", queryset=Penalty.objects.prefetch_related("documents")),
    )


def documents(user: Any) -> QuerySet[EnforcementDocument]:
    return EnforcementDocument.objects.visible_to(user).select_related("inspection", "department")


def penalties(user: Any) -> QuerySet[Penalty]:
    """The penalty register (行政处罚台账): amount, basis, decision document, payment state."""
    decision = EnforcementDocument.objects.filter(kind="penalty_decision")
    return (
        Penalty.objects.visible_to(user)
        .select_related("enterprise", "division", "department", "inspection")
        .prefetch_related(Prefetch("documents", queryset=decision, to_attr="decisions"))
        .order_by("-notified_at", "-pk")
    )


def _district_code(path: str) -> str:
    return path[:6]


def statistics(user: Any, year: int) -> dict[str, list[dict[str, Any]]]:
    """Inspections planned and done, findings per inspection, MAJOR findings and penalties of one
    year, by department, district and month, inside what the user sees (four queries whatever the
    number of rows)."""
    from pingan.geo.models import Division

    rows = list(
        Inspection.objects.visible_to(user)
        .filter(plan__year=year)
        .annotate(
            n_findings=Count("findings", distinct=True),
            n_major=Count("findings", filter=Q(findings__major=True), distinct=True),
        )
        .values(
            "pk",
            "state",
            "ended_at",
            "plan__department__name",
            "division__path",
            "plan__draw__drawn_at",
            "n_findings",
            "n_major",
        )
    )
    pens = list(
        Penalty.objects.visible_to(user)
        .filter(inspection__plan__year=year)
        .values("inspection_id", "amount", "state", "notified_at")
    )
    codes = {_district_code(r["division__path"]) for r in rows}
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    by_inspection: dict[int, list[dict[str, Any]]] = {}
    for p in pens:
        by_inspection.setdefault(p["inspection_id"], []).append(p)

    def month(value: Any) -> str:
        from django.utils import timezone

        return timezone.localtime(value).strftime("%Y-%m") if value else "—"

    keys = {
        "department": lambda r: r["plan__department__name"],
        "district": lambda r: names.get(_district_code(r["division__path"]), r["division__path"]),
        # An inspection belongs to the month it ended (done), else the month it was drawn (planned).
        "month": lambda r: month(r["ended_at"] or r["plan__draw__drawn_at"]),
    }
    out: dict[str, list[dict[str, Any]]] = {}
    for name, key in keys.items():
        groups: dict[str, dict[str, Any]] = {}
        for r in rows:
            g = groups.setdefault(
                str(key(r)),
                {
                    "key": str(key(r)),
                    "planned": 0,
                    "done": 0,
                    "findings": 0,
                    "major": 0,
                    "penalties": 0,
                    "amount": 0,
                },
            )
            g["planned"] += 1
            g["done"] += 1 if r["ended_at"] else 0
            g["findings"] += r["n_findings"]
            g["major"] += r["n_major"]
            for p in by_inspection.get(r["pk"], []):
                g["penalties"] += 1
                g["amount"] += p["amount"]
        for g in groups.values():
            g["per_inspection"] = round(g["findings"] / g["done"], 2) if g["done"] else 0
        out[name] = sorted(groups.values(), key=lambda g: g["key"])
    return out


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
    # Without the divisions' boundaries (GeoJSON): lists show names; a page of 200 parsed 200 of them.
    return (
        Target.objects.visible_to(user).select_related("enterprise", "division").defer("division__geometry")
    )


def inspectors(user: Any) -> QuerySet[Inspector]:
    return (
        Inspector.objects.visible_to(user)
        .select_related("user", "department", "division")
        .defer("division__geometry")
        .prefetch_related("recusals__enterprise")
    )


def permits(user: Any) -> QuerySet[WorkPermit]:
    return (
        WorkPermit.objects.visible_to(user)
        .select_related("enterprise", "division", "approver")
        .defer("division__geometry")
    )


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

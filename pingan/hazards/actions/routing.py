from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from pingan.core import audit
from pingan.core.audit import snapshot
from pingan.core.permissions import require
from pingan.geo.choices import Level
from pingan.geo.models import Division
from pingan.org.models import Department

from .. import selectors
from ..models import (
    Category,
    HazardCase,
    RoutingRule,
)

"""The routing table (category × level → lead and co-handling sectors) and its resolution to the
departments of a case's area; changes to the table go through these actions too."""

# Nearer levels win when a category has rules at several levels.
LEVEL_ORDER = {Level.TOWN: 0, Level.DISTRICT: 1, Level.CITY: 2}


def _department_in(sector: str, division: Division | None) -> Department | None:
    """The department of `sector` in `division`, else in the nearest ancestor that has one."""
    node = division
    while node is not None:
        dept = Department.objects.filter(sector=sector, division=node, is_active=True).order_by("id").first()
        if dept is not None:
            return dept
        node = node.parent
    return None


def find_route(category: Category, grade: str) -> RoutingRule | None:
    """The routing rule of the category (or its nearest ancestor with one); a rule for the grade
    wins over one for every grade."""
    node: Category | None = category
    while node is not None:
        rows = list(RoutingRule.objects.filter(category=node).filter(Q(grade=grade) | Q(grade="")))
        if rows:
            rows.sort(key=lambda r: (r.grade != grade, LEVEL_ORDER[r.level]))
            return rows[0]
        node = node.parent
    return None


def route_case(case: HazardCase) -> tuple[Department | None, list[Department], str]:
    """(lead, co-handlers, why) for a case: the supervising department of its site or enterprise
    wins over the area rule; otherwise the routing table resolved in the case's area."""
    rule = find_route(case.category, case.grade)
    co: list[Department] = []
    lead: Department | None = None
    why = ""
    area_lead = None
    if rule is not None:
        base = selectors.ancestor_at(case.division, rule.level) or case.division
        area_lead = _department_in(rule.lead_sector, base)
        for sector in rule.co_sectors or []:
            dept = _department_in(sector, base)
            if dept is not None:
                co.append(dept)
    if case.site_id and case.site.supervising_department_id:
        lead, why = case.site.supervising_department, "site"
    elif case.enterprise_id:
        sup = list(case.enterprise.supervising_departments.filter(is_active=True).order_by("id"))
        if sup:
            # The enterprise's supervisor in the same line as the area rule, if any; else the first.
            same = [d for d in sup if rule is not None and d.sector == rule.lead_sector]
            lead, why = (same or sup)[0], "enterprise"
    if lead is None:
        lead, why = area_lead, ("rule" if area_lead else "none")
    elif area_lead is not None and area_lead != lead:
        co.insert(0, area_lead)
    co = [d for i, d in enumerate(co) if d != lead and d not in co[:i]]
    return lead, co, why


# --- the routing table --------------------------------------------------------------------------

ROUTE_FIELDS = ["category", "level", "grade", "lead_sector", "co_sectors", "note"]


def check_edit_routes(actor: Any) -> None:
    require(actor, "hazards.edit_routes", None, _("只有市级管理员可以修改派遣规则"))


@transaction.atomic
def do_save_route(actor: Any, row: RoutingRule) -> RoutingRule:
    """Create or change one routing rule (the console form and the API both come here)."""
    check_edit_routes(actor)
    creating = row.pk is None
    before = (
        None if creating else snapshot(RoutingRule.objects.select_for_update().get(pk=row.pk), ROUTE_FIELDS)
    )
    row.save()
    audit.record(
        "hazards.route.create" if creating else "hazards.route.update",
        row,
        actor=actor,
        before=before,
        after=snapshot(row, ROUTE_FIELDS),
    )
    return row


@transaction.atomic
def do_delete_route(actor: Any, row: RoutingRule) -> None:
    check_edit_routes(actor)
    audit.record("hazards.route.delete", row, actor=actor, before=snapshot(row, ROUTE_FIELDS))
    row.delete()

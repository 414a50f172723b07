"""The reporting bodies: the levels of the statutory chain (county, city, province, ministry …).

Two kinds of look-up, kept apart on purpose: `find_*` only reads (for pages, selectors and
permission predicates — a read path never inserts rows); `body_for_division` / `body_of_user`
create a county or city body on first use and are for write paths (actions, the demo).
"""

from __future__ import annotations

from typing import Any

from .choices import ChainLevel
from .models import ReportingBody

PROVINCE_BODY = "广东省应急管理厅"
MINISTRY_BODY = "应急管理部"
STATE_COUNCIL_BODY = "国务院"


def _target(division: Any) -> tuple[str, Any] | None:
    """The level and division of the county-level or city-level body for `division`."""
    from pingan.geo.choices import Level

    if division is None:
        return None
    if division.level == Level.CITY:
        return ChainLevel.CITY, division
    target = division.district
    return (ChainLevel.COUNTY, target) if target is not None else None


def _em_department(division: Any) -> Any:
    from pingan.org.choices import Sector
    from pingan.org.models import Department

    return (
        Department.objects.filter(division=division, sector=Sector.EMERGENCY, is_active=True)
        .order_by("kind", "pk")
        .first()
    )


def find_body_for_division(division: Any) -> ReportingBody | None:
    """The existing county/city body for a division, or None (never creates one)."""
    found = _target(division)
    if found is None:
        return None
    level, target = found
    return ReportingBody.objects.filter(level=level, division=target).select_related("department").first()


def find_body_of_user(user: Any) -> ReportingBody | None:
    """The existing body a staff member works for (by their division's county or city), or None."""
    if getattr(user, "division_id", None) is None:
        return None
    return find_body_for_division(user.division)


def body_for_division(division: Any) -> ReportingBody | None:
    """The county-level or city-level reporting body for a division (created on first use from the
    emergency-management department of that division). For write paths only."""
    found = _target(division)
    if found is None:
        return None
    level, target = found
    body = ReportingBody.objects.filter(level=level, division=target).select_related("department").first()
    if body is not None:
        return body
    dept = _em_department(target)
    parent = None
    if level == ChainLevel.COUNTY and target.parent is not None:
        parent = body_for_division(target.parent)
    elif level == ChainLevel.CITY:
        parent = province_body()
    name = dept.name if dept else f"{target.name}应急管理部门"
    return ReportingBody.objects.create(
        name=name, level=level, division=target, department=dept, parent=parent
    )


def province_body() -> ReportingBody:
    """The province's body (and the ministry and State Council above it), created on first use."""
    ministry = ReportingBody.objects.filter(level=ChainLevel.MINISTRY).first()
    if ministry is None:
        council = ReportingBody.objects.filter(
            level=ChainLevel.STATE_COUNCIL
        ).first() or ReportingBody.objects.create(name=STATE_COUNCIL_BODY, level=ChainLevel.STATE_COUNCIL)
        ministry = ReportingBody.objects.create(
            name=MINISTRY_BODY, level=ChainLevel.MINISTRY, parent=council, contact="应急管理部总值班室"
        )
    province = ReportingBody.objects.filter(level=ChainLevel.PROVINCE).first()
    if province is None:
        province = ReportingBody.objects.create(
            name=PROVINCE_BODY, level=ChainLevel.PROVINCE, parent=ministry, contact="省应急管理厅总值班室"
        )
    return province


def body_of_user(user: Any) -> ReportingBody | None:
    """The reporting body a staff member works for, created on first use. For write paths only."""
    if getattr(user, "division_id", None) is None:
        return None
    return body_for_division(user.division)


def bodies_up(body: ReportingBody) -> dict[str, ReportingBody]:
    """The body and every body above it, by level."""
    out: dict[str, ReportingBody] = {}
    node: ReportingBody | None = body
    while node is not None:
        out[node.level] = node
        node = node.parent
    return out

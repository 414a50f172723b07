"""Who may do what in the risk module: the only place that decides it (see pingan.core.permissions).

Visibility (`visible_to`) has already answered 404 for objects out of scope, so predicates below may
assume the object is the user's to see and decide only what they may do with it.

- Government staff read risk points, tasks, maps, major hazard sources and commitments of their area;
  enterprise people read their own enterprise's.
- City risk points are kept (created, assessed, given events, measures and tasks) by the departments
  and the district/township offices whose area covers them; enterprises keep their own analysis
  units, major hazard sources and daily commitments (a city administrator may act for either).
- A check is recorded by the person it is assigned to, by whoever keeps the object, and for city
  points also by grid workers and inspectors of the area.
"""

from __future__ import annotations

from typing import Any

from pingan.core.permissions import covers, has_role, is_city_admin, is_staff, own_enterprise, signed_in
from pingan.org.choices import Role

KEEPERS = (Role.CITY_ADMIN, Role.DEPT_STAFF, Role.AREA_STAFF)
CHECKERS = KEEPERS + (Role.GRID_WORKER, Role.INSPECTOR)


def _reader(user: Any) -> bool:
    return is_staff(user) or has_role(user, Role.ENTERPRISE)


def _risk_object(obj: Any) -> Any:
    """The risk object behind a chain record (event, measure, task) or the object itself."""
    for attr in ("risk_object", "event"):
        inner = getattr(obj, attr, None)
        if inner is not None:
            return _risk_object(inner)
    return obj


def can_view_list(user: Any, obj: Any = None) -> bool:
    return _reader(user)


def can_view_map(user: Any, obj: Any = None) -> bool:
    """The four-colour map: the city's for staff (their area), the enterprise's own plan for it."""
    return _reader(user)


def can_view_rates(user: Any, obj: Any = None) -> bool:
    """Area figures (commitment and completion rates, counts by division): government staff."""
    return is_staff(user)


def can_manage(user: Any, obj: Any = None) -> bool:
    """Create or keep a risk object and its chain (events, measures, tasks)."""
    if obj is None:
        return has_role(user, *KEEPERS, Role.ENTERPRISE)
    ro = _risk_object(obj)
    if ro.kind == "analysis_unit":
        return own_enterprise(user, ro.enterprise_id) or is_city_admin(user)
    return has_role(user, *KEEPERS) and covers(user, ro.division)


def can_assess(user: Any, obj: Any = None) -> bool:
    return can_manage(user, obj)


def can_record_check(user: Any, obj: Any = None) -> bool:
    if obj is None:
        return has_role(user, *CHECKERS, Role.ENTERPRISE)
    if signed_in(user) and getattr(obj, "assignee_id", None) == user.pk:
        return True
    ro = _risk_object(obj)
    if ro.kind == "analysis_unit":
        return own_enterprise(user, ro.enterprise_id) or is_city_admin(user)
    return has_role(user, *CHECKERS) and covers(user, ro.division)


def can_browse_registers(user: Any, obj: Any = None) -> bool:
    """Major hazard sources, the calculator and the commitments in the menu: desk staff and
    enterprises (a grid worker's part of the chain is its check tasks and the risk map)."""
    return _reader(user) and user.role not in (Role.GRID_WORKER, Role.INTEGRATION)


def can_view_mhs(user: Any, obj: Any = None) -> bool:
    return _reader(user)


def can_manage_mhs(user: Any, obj: Any = None) -> bool:
    """Declare a major hazard source (obj: the enterprise or the source) and file it."""
    if obj is None:
        return has_role(user, Role.ENTERPRISE, Role.CITY_ADMIN)
    enterprise_id = getattr(obj, "enterprise_id", None) or getattr(obj, "pk", None)
    return own_enterprise(user, enterprise_id) or is_city_admin(user)


def can_file_mhs(user: Any, obj: Any = None) -> bool:
    return can_manage_mhs(user, obj)


def can_calculate(user: Any, obj: Any = None) -> bool:
    return _reader(user)


def can_view_commitments(user: Any, obj: Any = None) -> bool:
    return _reader(user)


def can_submit_commitment(user: Any, obj: Any = None) -> bool:
    """Only the enterprise itself commits (obj: the enterprise)."""
    if obj is None:
        return has_role(user, Role.ENTERPRISE)
    return own_enterprise(user, getattr(obj, "pk", None))


def hazard_source_for(user: Any, risk_object: Any) -> str:
    """The hazard platform's source value for a finding of this person's check."""
    if risk_object.kind == "analysis_unit" and own_enterprise(user, risk_object.enterprise_id):
        return "enterprise"
    if has_role(user, Role.GRID_WORKER) and not user.is_superuser:
        return "grid"
    if has_role(user, Role.INSPECTOR) and not user.is_superuser:
        return "inspection"
    return "console"


def can_view_lifelines(user: Any, obj: Any = None) -> bool:
    """City lifelines (list, map, asset pages): government staff of the area and the operating
    enterprise for its own assets (visible_to keeps each to theirs)."""
    if obj is not None and has_role(user, Role.ENTERPRISE):
        return own_enterprise(user, getattr(obj, "enterprise_id", None))
    if has_role(user, Role.ENTERPRISE):
        return True
    return is_staff(user) and user.role not in (Role.GRID_WORKER, Role.INTEGRATION)


def can_manage_lifeline(user: Any, obj: Any = None) -> bool:
    """Register a lifeline asset and apply a monitoring template to it: the departments and the
    district/township offices whose area covers it, and its operating enterprise for its own."""
    if obj is None:
        return has_role(user, *KEEPERS)
    if has_role(user, Role.ENTERPRISE):
        return own_enterprise(user, getattr(obj, "enterprise_id", None))
    return has_role(user, *KEEPERS) and covers(user, obj.division)


def can_attach_sensors(user: Any, obj: Any = None) -> bool:
    """Attach monitoring sensors to a major hazard source (obj: the source): its enterprise, or a
    city administrator."""
    return can_manage_mhs(user, obj)

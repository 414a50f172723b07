"""Who may do what with emergency plans — the only place that decides it (pingan.core.permissions).

- Plans are written and kept (edited, published, evaluated, drills recorded) by city administrators,
  department staff and district/township staff for plans of their area, and by an enterprise for its
  own plans. The authority that receives a filing (备案) records it: staff of the area, not the
  enterprise.
- Matching plans to an incident or a warning is for the console's desk staff.
- Activation, standing down and the after-action review are for the authorised leader: a duty leader
  (带班领导) whose area covers the plan's area, or a city administrator.
- A task of an activation is marked by the staff of the department that holds it (city
  administrators may mark any, standing in for a department that has no account).
"""

from __future__ import annotations

from typing import Any

from pingan.core.permissions import (
    covers,
    has_role,
    is_desk_staff,
    own_enterprise,
    same_department,
    signed_in,
)
from pingan.org.choices import Role

KEEPERS = (Role.CITY_ADMIN, Role.DEPT_STAFF, Role.AREA_STAFF)
LEADERS = (Role.CITY_ADMIN, Role.DUTY_LEADER)


def can_view_list(user: Any, obj: Any = None) -> bool:
    return is_desk_staff(user) or (
        has_role(user, Role.ENTERPRISE) and bool(getattr(user, "enterprise_id", None))
    )


def can_view(user: Any, obj: Any = None) -> bool:
    return can_view_list(user, obj)


def can_edit(user: Any, obj: Any = None) -> bool:
    """`obj`: a plan (None: may write plans at all)."""
    if has_role(user, Role.ENTERPRISE) and not getattr(user, "is_superuser", False):
        if obj is None:
            return bool(getattr(user, "enterprise_id", None))
        return own_enterprise(user, obj.enterprise_id)
    if not has_role(user, *KEEPERS):
        return False
    return obj is None or covers(user, obj.division)


def can_create(user: Any, obj: Any = None) -> bool:
    return can_edit(user, None)


def can_publish(user: Any, obj: Any = None) -> bool:
    return can_edit(user, obj)


def can_retire(user: Any, obj: Any = None) -> bool:
    return can_edit(user, obj)


def can_evaluate(user: Any, obj: Any = None) -> bool:
    return can_edit(user, obj)


def can_attach(user: Any, obj: Any = None) -> bool:
    return can_edit(user, obj)


def can_record_drill(user: Any, obj: Any = None) -> bool:
    return can_edit(user, obj)


def can_record_filing(user: Any, obj: Any = None) -> bool:
    """`obj`: an enterprise's plan. The receiving authority (staff of the area) records the filing."""
    if not has_role(user, *KEEPERS):
        return False
    if obj is None:
        return True
    return obj.enterprise_id is not None and covers(user, obj.division)


def can_view_matches(user: Any, obj: Any = None) -> bool:
    """`obj`: an incident or a warning the person can already see."""
    return is_desk_staff(user)


def can_activate(user: Any, obj: Any = None) -> bool:
    """`obj`: the plan to put into effect (None: may activate plans at all)."""
    if not has_role(user, *LEADERS):
        return False
    return obj is None or covers(user, obj.division)


def can_stand_down(user: Any, obj: Any = None) -> bool:
    """`obj`: an activation."""
    if not has_role(user, *LEADERS):
        return False
    return obj is None or covers(user, obj.plan.division)


def can_review(user: Any, obj: Any = None) -> bool:
    return can_stand_down(user, obj)


def can_view_board(user: Any, obj: Any = None) -> bool:
    return is_desk_staff(user)


def can_update_task(user: Any, obj: Any = None) -> bool:
    """`obj`: an activation task (None: may mark tasks at all)."""
    if not signed_in(user) or not is_desk_staff(user):
        return False
    if obj is None:
        return True
    return has_role(user, Role.CITY_ADMIN) or same_department(user, obj.department_id)


def can_view_workspace_panel(user: Any, obj: Any = None) -> bool:
    return has_role(user, Role.ENTERPRISE) and bool(getattr(user, "enterprise_id", None))

"""Who may do what with licence applications and licences — the only place that decides it.

- an enterprise applies for its own licences, supplements its materials and follows its applications;
- the licensing offices (department staff of a department, city administrators) accept, tell the
  missing materials, stop and resume the clock, decide, and suspend or revoke licences;
- anyone tracks an application on the portal with its number and the applicant's credit code.
"""

from __future__ import annotations

from typing import Any

from pingan.core.permissions import has_role, is_city_admin, is_staff, own_enterprise
from pingan.org.choices import Role


def is_office(user: Any) -> bool:
    if is_city_admin(user):
        return True
    return has_role(user, Role.DEPT_STAFF) and bool(getattr(user, "department_id", None))


def is_enterprise(user: Any) -> bool:
    return has_role(user, Role.ENTERPRISE) and bool(getattr(user, "enterprise_id", None))


def can_view(user: Any, obj: Any = None) -> bool:
    """Applications and licences: staff (in their area) and enterprises (their own)."""
    return (is_staff(user) and not has_role(user, Role.GRID_WORKER)) or is_enterprise(user)


def can_apply(user: Any, obj: Any = None) -> bool:
    """`obj` the enterprise: an enterprise user for their own enterprise."""
    return is_enterprise(user) and (obj is None or own_enterprise(user, obj.pk))


def can_supplement(user: Any, obj: Any = None) -> bool:
    """`obj` the application: its own enterprise."""
    return is_enterprise(user) and (obj is None or own_enterprise(user, obj.enterprise_id))


def can_review(user: Any, obj: Any = None) -> bool:
    """Accept, tell missing materials, stop/resume the clock, decide (`obj` the application, already
    visible: inside the office's area)."""
    return is_office(user)


def can_sanction(user: Any, obj: Any = None) -> bool:
    """Suspend or revoke a licence (`obj` the licence)."""
    return is_office(user)


def can_track(user: Any, obj: Any = None) -> bool:
    """The portal's tracking page: anyone with the number and the credit code."""
    return True

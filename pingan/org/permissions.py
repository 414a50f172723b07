"""Who may do what in org (the enterprise register, the department directory, the enterprise workspace)."""

from __future__ import annotations

from typing import Any

from pingan.core.permissions import covers, has_role, is_city_admin, own_enterprise

from .choices import Role

# People who work with the register in the console (the integration account is a machine).
CONSOLE_ROLES = (
    Role.CITY_ADMIN,
    Role.DEPT_STAFF,
    Role.AREA_STAFF,
    Role.GRID_WORKER,
    Role.INSPECTOR,
    Role.DUTY_OFFICER,
    Role.DUTY_LEADER,
    Role.RESCUE_LEAD,
)
# Who may write the enterprise register: city administrators (everywhere) and department staff
# within their own area. Everyone else may at most read it.
ENTERPRISE_WRITERS = (Role.CITY_ADMIN, Role.DEPT_STAFF)


def can_view_enterprises(user: Any, obj: Any = None) -> bool:
    return has_role(user, *CONSOLE_ROLES)


def can_view_departments(user: Any, obj: Any = None) -> bool:
    """The directory of government bodies (who to call)."""
    return has_role(user, *CONSOLE_ROLES)


def can_create_enterprise(user: Any, obj: Any = None) -> bool:
    return has_role(user, *ENTERPRISE_WRITERS)


def can_edit_enterprise(user: Any, obj: Any = None) -> bool:
    if not has_role(user, *ENTERPRISE_WRITERS):
        return False
    return obj is None or covers(user, obj.division)


def can_import_enterprises(user: Any, obj: Any = None) -> bool:
    return has_role(user, *ENTERPRISE_WRITERS)


def can_unlock_user(user: Any, obj: Any = None) -> bool:
    return is_city_admin(user)


def can_view_workspace(user: Any, obj: Any = None) -> bool:
    """The enterprise workspace: an enterprise user, for their own enterprise."""
    return own_enterprise(user, getattr(user, "enterprise_id", None) if obj is None else obj.pk)

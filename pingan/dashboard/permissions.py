"""Who may open the command centre."""

from __future__ import annotations

from typing import Any

from pingan.core.permissions import covers, has_role
from pingan.org.choices import Role

# The command centre's overview is for people who coordinate; a grid worker's console is their grid.
COMMAND_ROLES = (
    Role.CITY_ADMIN,
    Role.DEPT_STAFF,
    Role.AREA_STAFF,
    Role.INSPECTOR,
    Role.DUTY_OFFICER,
    Role.DUTY_LEADER,
    Role.RESCUE_LEAD,
)


def can_view_command_centre(user: Any, obj: Any = None) -> bool:
    return has_role(user, *COMMAND_ROLES)


def can_view_district_report(user: Any, obj: Any = None) -> bool:
    """A district's monthly or quarterly report (`obj` the district): for those who may open the command
    centre and whose area holds the whole district (the city, or the district itself)."""
    if not can_view_command_centre(user):
        return False
    return obj is None or covers(user, obj)


# The people counted as grid workers in the urban–rural balance (a count, not a permission; kept here
# because role names live in permissions modules only).
GRID_STAFF_ROLES = (Role.GRID_WORKER,)


def area_prefix(user: Any) -> str:
    """The division path the command centre starts from: '' (the whole city) for those who see
    everything, else the person's own area."""
    return "" if user.sees_everything else str(user.scope_path or "")

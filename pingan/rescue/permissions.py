"""Who may do what in the rescue module: the only place that decides it.

Actions (`check_*`), console views, templates (`{% can "rescue.transition" mob %}`), the API
(`permission_map`) and the navigation all ask these functions by name ("rescue.<verb>").
Visibility is answered earlier by `visible_to` (out of scope is a 404).
"""

from __future__ import annotations

from typing import Any

from pingan.core.permissions import covers, has_role, is_desk_staff, is_staff, same_department
from pingan.org.choices import Role

# The duty desk and the emergency departments request teams for an incident.
DISPATCH_ROLES = (Role.CITY_ADMIN, Role.DUTY_OFFICER, Role.DUTY_LEADER, Role.DEPT_STAFF)
# A team's leader moves its own mobilisations on (assigned → mobilised → in action → stood down).
TEAM_ROLES = (*DISPATCH_ROLES, Role.RESCUE_LEAD)
# Planners who run coverage and siting analyses.
ANALYST_ROLES = (Role.CITY_ADMIN, Role.DEPT_STAFF, Role.AREA_STAFF, Role.DUTY_LEADER)
# Who is told when a team of their district is requested (the team leaders).
TOLD_OF_REQUESTS = (Role.RESCUE_LEAD,)
# Bulk imports of teams, experts, shelters and exercises.
IMPORT_ROLES = (Role.CITY_ADMIN, Role.DEPT_STAFF)


def can_view(user: Any, obj: Any = None) -> bool:
    """The rescue directory, teams, mobilisations, exercises and resources: government staff."""
    return is_staff(user)


def can_browse(user: Any, obj: Any = None) -> bool:
    """Rescue teams in the menu: desk staff (a grid worker reaches teams through dispatch links)."""
    return is_desk_staff(user)


def can_view_mobilisations(user: Any, obj: Any = None) -> bool:
    """The mobilisation list (navigation): those who request or move them on."""
    return has_role(user, *TEAM_ROLES)


def can_view_dispatch(user: Any, obj: Any = None) -> bool:
    """The dispatch recommendation (nearest teams, experts): those who request teams."""
    return has_role(user, *DISPATCH_ROLES)


def can_request(user: Any, obj: Any = None) -> bool:
    """Request a team for an incident."""
    return has_role(user, *DISPATCH_ROLES)


def can_transition(user: Any, obj: Any = None) -> bool:
    """Move a mobilisation on. The dispatchers may for every mobilisation they see; a rescue team
    leader only for teams of their own area or department."""
    if has_role(user, *DISPATCH_ROLES):
        return True
    if not has_role(user, Role.RESCUE_LEAD):
        return False
    if obj is None:
        return True
    team = obj.team
    return covers(user, team.division) or same_department(user, team.department_id)


def can_view_analysis(user: Any, obj: Any = None) -> bool:
    """Coverage and siting analyses (pages, runs, results)."""
    return has_role(user, *ANALYST_ROLES)


def can_start_run(user: Any, obj: Any = None) -> bool:
    """Start a coverage or siting run."""
    return has_role(user, *ANALYST_ROLES)


def can_import(user: Any, obj: Any = None) -> bool:
    return has_role(user, *IMPORT_ROLES)


def can_manage_network(user: Any, obj: Any = None) -> bool:
    """Import or rebuild the road network every travel time is computed on: the city only."""
    return has_role(user, Role.CITY_ADMIN)


def can_view_networks(user: Any, obj: Any = None) -> bool:
    """The road network page (versions, sources): planners and the city."""
    return has_role(user, *ANALYST_ROLES)


# Who keeps the directory of rescue forces (teams, experts, warehouses and stock, shelters): the
# emergency management departments and the city. A team leader keeps their own team's record,
# members and equipment.
DIRECTORY_ROLES = (Role.CITY_ADMIN, Role.DEPT_STAFF)
# Who records drills and trainings: the departments, area staff and team leaders (their own area).
EXERCISE_ROLES = (Role.CITY_ADMIN, Role.DEPT_STAFF, Role.AREA_STAFF, Role.RESCUE_LEAD)


def _leads_team(user: Any, team: Any) -> bool:
    return has_role(user, Role.RESCUE_LEAD) and (
        covers(user, team.division) or same_department(user, team.department_id)
    )


def _keeps(user: Any, obj: Any) -> bool:
    """A directory keeper, for a record of their own area (the city's keepers: all)."""
    return has_role(user, *DIRECTORY_ROLES) and (obj is None or covers(user, obj.division))


def can_edit_directory(user: Any, obj: Any = None) -> bool:
    """Create or edit experts, warehouses (and their stock items), shelters, and create teams: the
    keepers, for records of their own area. `obj` has a `division`."""
    return _keeps(user, obj)


def can_edit_team(user: Any, obj: Any = None) -> bool:
    """Edit a team's record, members and equipment: the directory keepers, and a rescue team leader
    for teams of their own area or department. `obj` is the team."""
    if _keeps(user, obj):
        return True
    if not has_role(user, Role.RESCUE_LEAD):
        return False
    return obj is None or _leads_team(user, obj)


def can_set_readiness(user: Any, obj: Any = None) -> bool:
    """Declare a team ready or unavailable (战备状态): the dispatchers, and the team's own leader."""
    if has_role(user, *DISPATCH_ROLES):
        return True
    if not has_role(user, Role.RESCUE_LEAD):
        return False
    return obj is None or _leads_team(user, obj)


def can_move_stock(user: Any, obj: Any = None) -> bool:
    """Issue, return and restock supplies of a warehouse (`obj`) of the keeper's area."""
    return _keeps(user, obj)


def can_record_exercise(user: Any, obj: Any = None) -> bool:
    """Record a drill or a training (and edit it): departments, area staff and team leaders; for an
    existing record only inside the person's area."""
    if not has_role(user, *EXERCISE_ROLES):
        return False
    if obj is None or has_role(user, Role.CITY_ADMIN):
        return True
    return covers(user, obj.division)

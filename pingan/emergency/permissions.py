"""Who may do what in the emergency app — the only place that decides it (see pingan.core.permissions).

Each predicate may assume the object is already visible to the user (`visible_to` answers 404 first).
Scopes used here:

- a duty post's roster is kept by its own department (or a city administrator);
- a reporting hop is sent by the level it belongs to (the county or city body of the person);
- a 三防 response is changed only by someone whose own area contains the response's division: a
  city-level response (the city 三防 headquarters) by city-level people only, never by a district
  or a town, and a district's by that district or the city.
"""

from __future__ import annotations

from typing import Any

from pingan.core.permissions import (
    covers,
    has_role,
    is_city_level,
    is_desk_staff,
    is_staff,
    same_department,
    signed_in,
)
from pingan.org.choices import Role

# Who records incidents and sends reports (duty posts and the departments' staff).
RECORDING_ROLES = (Role.DUTY_OFFICER, Role.DUTY_LEADER, Role.DEPT_STAFF, Role.AREA_STAFF, Role.CITY_ADMIN)
# Who keeps a duty roster.
ROSTER_ROLES = (Role.DUTY_LEADER, Role.DEPT_STAFF, Role.AREA_STAFF, Role.CITY_ADMIN)
# Who decides: response levels, closing an incident, approving swaps, 三防 responses.
DECIDING_ROLES = (Role.DUTY_LEADER, Role.DEPT_STAFF, Role.CITY_ADMIN)
# Who may find a report omitted, false or concealed.
FINDING_ROLES = (*DECIDING_ROLES, Role.INSPECTOR)


# --- pages and reads ---------------------------------------------------------------------------------
def can_view_desk(user: Any, obj: Any = None) -> bool:
    """The duty desk (值班台): the people who take calls and report."""
    return has_role(user, *RECORDING_ROLES)


def can_view_incidents(user: Any, obj: Any = None) -> bool:
    return is_staff(user)


def can_view_roster(user: Any, obj: Any = None) -> bool:
    return is_staff(user)


def can_browse(user: Any, obj: Any = None) -> bool:
    """The duty module's registers in the menu (incidents, roster, 三防, grading): desk staff. The
    pages themselves stay open to all staff (can_view_*), for links from tasks and messages."""
    return is_desk_staff(user)


def can_view_on_duty(user: Any, obj: Any = None) -> bool:
    return is_staff(user)


def can_view_sanfang(user: Any, obj: Any = None) -> bool:
    return is_staff(user)


def can_use_calculator(user: Any, obj: Any = None) -> bool:
    return is_staff(user)


# --- incidents -----------------------------------------------------------------------------------------
def can_record_incident(user: Any, obj: Any = None) -> bool:
    return has_role(user, *RECORDING_ROLES)


def can_supplement(user: Any, incident: Any = None) -> bool:
    return has_role(user, *RECORDING_ROLES)


def can_set_grade(user: Any, incident: Any = None) -> bool:
    return has_role(user, *RECORDING_ROLES)


def can_record_finding(user: Any, incident: Any = None) -> bool:
    return has_role(user, *FINDING_ROLES)


def can_decide_response(user: Any, incident: Any = None) -> bool:
    return has_role(user, *DECIDING_ROLES)


def can_close_incident(user: Any, incident: Any = None) -> bool:
    return has_role(user, *DECIDING_ROLES)


# --- reports -------------------------------------------------------------------------------------------
def _own_body(user: Any) -> Any:
    from .bodies import find_body_of_user

    return find_body_of_user(user)


def can_send_report(user: Any, report: Any = None) -> bool:
    """A hop is sent by the level it belongs to (a city administrator may record any)."""
    if not has_role(user, *RECORDING_ROLES):
        return False
    if report is None or user.sees_everything:
        return True
    mine = _own_body(user)
    return mine is not None and report.sender_id == mine.pk


def can_acknowledge_report(user: Any, report: Any = None) -> bool:
    """签收: the receiving level's duty staff confirm a report sent to them (a city administrator may
    record any)."""
    if not has_role(user, *RECORDING_ROLES):
        return False
    if report is None or user.sees_everything:
        return True
    mine = _own_body(user)
    return mine is not None and report.receiver_id == mine.pk


def can_record_external(user: Any, report: Any = None) -> bool:
    """A hop sent by a level outside the platform (the province) is recorded by the level below it."""
    if not has_role(user, *RECORDING_ROLES):
        return False
    if report is None or user.sees_everything:
        return True
    mine = _own_body(user)
    return mine is not None and mine.parent_id == report.sender_id


# --- roster --------------------------------------------------------------------------------------------
def can_manage_roster(user: Any, post: Any = None) -> bool:
    """Generate shifts for a post: its own department's roster keepers (or a city administrator)."""
    if not has_role(user, *ROSTER_ROLES):
        return False
    return post is None or user.sees_everything or same_department(user, post.department_id)


def can_request_swap(user: Any, swap: Any = None) -> bool:
    """Ask for a swap: for oneself (as the one replaced or the one stepping in), or as the post's
    roster keeper. `swap` is the (unsaved) request, or a shift, or None."""
    if not is_staff(user):
        return False
    if swap is None or not hasattr(swap, "to_user_id"):
        return True
    if user.pk in (swap.from_user_id, swap.to_user_id):
        return True
    return can_manage_roster(user, swap.shift.post)


def can_decide_swap(user: Any, swap: Any = None) -> bool:
    """Approve or reject: a leader of the post's department, not for a request of their own."""
    if not has_role(user, *DECIDING_ROLES):
        return False
    if swap is None or user.sees_everything:
        return True
    return same_department(user, swap.shift.post.department_id) and swap.requested_by_id != user.pk


def can_record_handover(user: Any, post: Any = None) -> bool:
    if not has_role(user, *RECORDING_ROLES):
        return False
    return post is None or user.sees_everything or same_department(user, post.department_id)


# --- 三防 ------------------------------------------------------------------------------------------------
def _may_change_area(user: Any, division: Any) -> bool:
    """Inside the user's own area — and a city-level object only for city-level people."""
    if division is None or not covers(user, division):
        return False
    return division.parent_id is not None or is_city_level(user)


def can_start_sanfang(user: Any, headquarters: Any = None) -> bool:
    """Start a response for a headquarters (a department) of one's own area."""
    if not has_role(user, *DECIDING_ROLES):
        return False
    return headquarters is None or _may_change_area(user, headquarters.division)


def can_change_sanfang(user: Any, response: Any = None) -> bool:
    """Change the level of, or end, a 三防 response: people of the deciding roles whose area contains
    the response's division. A district or town officer cannot change the city's response, nor the
    other district's (they may see it as a member unit, and report to it)."""
    if not has_role(user, *DECIDING_ROLES):
        return False
    return response is None or _may_change_area(user, response.division)


def can_submit_sanfang(user: Any, item: Any = None) -> bool:
    """A member unit's report is submitted by that unit (or a city administrator)."""
    if not (signed_in(user) and is_staff(user)):
        return False
    return item is None or user.sees_everything or same_department(user, item.department_id)

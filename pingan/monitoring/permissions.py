"""Who may do what in the monitoring module: the only place that decides it.

Actions (`check_*`), console views, templates (`{% can "monitoring.handle" alarm %}`), the API
(`permission_map`) and the navigation all ask these functions by name ("monitoring.<verb>").
Visibility is answered earlier by `visible_to` (an alarm out of scope is a 404), so a predicate may
assume the object is visible to the user.
"""

from __future__ import annotations

from typing import Any

from pingan.core.permissions import covers, has_role, is_city_admin, is_staff, own_enterprise, signed_in
from pingan.org.choices import Role

# The people who watch the alarm console: the city, departments, districts and towns, and the duty
# desk. A grid worker or a rescue team leader is told of an alarm that concerns them (escalation) and
# may open and handle it, but the city-wide console is not their job.
CONSOLE_ROLES = (
    Role.CITY_ADMIN,
    Role.DEPT_STAFF,
    Role.AREA_STAFF,
    Role.INSPECTOR,
    Role.DUTY_OFFICER,
    Role.DUTY_LEADER,
)
# People who administer devices: register, import, silence, rotate tokens, read dead letters.
MANAGER_ROLES = (Role.CITY_ADMIN, Role.DEPT_STAFF, Role.AREA_STAFF, Role.DUTY_OFFICER, Role.DUTY_LEADER)


def _enterprise_user(user: Any) -> bool:
    return signed_in(user) and user.role == Role.ENTERPRISE and bool(user.enterprise_id)


def _handler(user: Any) -> bool:
    """Staff who act on alarms by hand (a token of a connected system reads but never acts)."""
    return is_staff(user) and user.role != Role.INTEGRATION


def can_view(user: Any, obj: Any = None) -> bool:
    """Read alarms, sensors, devices (API, detail pages): staff, and an enterprise's own users for
    their own monitoring objects (visible_to keeps them to their enterprise)."""
    if obj is not None and _enterprise_user(user):
        return own_enterprise(user, getattr(obj, "enterprise_id", None))
    return is_staff(user) or _enterprise_user(user)


def can_view_workspace_panels(user: Any, obj: Any = None) -> bool:
    """The monitoring panels of the enterprise workspace: an enterprise's own users (staff have the
    console instead)."""
    return _enterprise_user(user)


def can_view_console(user: Any, obj: Any = None) -> bool:
    """The alarm console, the sensor map and lists (navigation)."""
    return has_role(user, *CONSOLE_ROLES)


def can_view_devices(user: Any, obj: Any = None) -> bool:
    """The device list and the dead-letter table (the technical side of the network)."""
    return has_role(user, *MANAGER_ROLES)


def can_handle(user: Any, obj: Any = None) -> bool:
    """Acknowledge, comment on and clear an alarm by hand: staff who act, and the enterprise's own
    users for the alarms of their enterprise (they are on site and often first to know)."""
    if _enterprise_user(user):
        return obj is None or own_enterprise(user, getattr(obj, "enterprise_id", None))
    return _handler(user)


def can_open(user: Any, obj: Any = None) -> bool:
    """Open a hazard case or an incident from an alarm: government staff who act (not enterprises)."""
    return _handler(user)


def can_manage(user: Any, obj: Any = None) -> bool:
    """Administer devices: silences, token rotation, imports."""
    return has_role(user, *MANAGER_ROLES)


# Alarm triage (研判): the people who watch the console judge alarms; enterprises and connected systems
# do not (a verdict closes an alarm for everyone).
def can_triage(user: Any, obj: Any = None) -> bool:
    """Claim an alarm and give the verdict (real / false with a reason / needs a site check)."""
    return has_role(user, *CONSOLE_ROLES)


def can_manage_triage(user: Any, obj: Any = None) -> bool:
    """Set a rule's triage mode and accept a suggested threshold: those who administer the network."""
    return has_role(user, *MANAGER_ROLES)


# Configuration of the network (rules, escalation policies, devices): the city's administrators, and
# the staff of the department responsible for the object — its own department or the one above it
# (a city bureau for its district branches) — inside their own area. Type rules (one per sensor type,
# for the whole city) are the city's; a department sets per-sensor overrides for its own stations.
CONFIG_ROLES = (Role.CITY_ADMIN, Role.DEPT_STAFF)


def _responsible(user: Any, obj: Any) -> bool:
    """Department staff of the department responsible for `obj` (a device, sensor or policy: it has
    `department` and `division`), or of its parent department, whose area covers the object."""
    if not has_role(user, Role.DEPT_STAFF) or not getattr(obj, "department_id", None):
        return False
    own = getattr(user, "department_id", None)
    department = obj.department
    if own is None or own not in (department.pk, department.parent_id):
        return False
    return covers(user, obj.division)


def can_edit_rules(user: Any, obj: Any = None) -> bool:
    """Edit a rule's thresholds, durations and switch (obj: the rule), or set a per-sensor override
    (obj: the sensor). A sensor type's rule is the city's (city administrators); a sensor's own rule
    belongs to the department responsible for the sensor."""
    if obj is None:
        return has_role(user, *CONFIG_ROLES)
    if is_city_admin(user):
        return True
    sensor = obj if hasattr(obj, "device_id") else getattr(obj, "sensor", None)
    return sensor is not None and _responsible(user, sensor)


def can_edit_policies(user: Any, obj: Any = None) -> bool:
    """Create and edit escalation policies (obj: the policy): the city, and the responsible
    department's staff for policies of their department within their area."""
    if obj is None:
        return has_role(user, *CONFIG_ROLES)
    if is_city_admin(user):
        return True
    return bool(getattr(obj, "division_id", None)) and _responsible(user, obj)


def can_edit_devices(user: Any, obj: Any = None) -> bool:
    """Edit a device's record (name, model, responsible department, position, in service or not)."""
    if obj is None:
        return has_role(user, *CONFIG_ROLES)
    return is_city_admin(user) or _responsible(user, obj)


def can_edit_silences(user: Any, obj: Any = None) -> bool:
    """Set, change and end silences and maintenance windows: those who administer devices, for their
    own area (obj: the silence, or the device/sensor/division it is for)."""
    if not has_role(user, *MANAGER_ROLES):
        return False
    if obj is None or is_city_admin(user):
        return True
    division = obj if hasattr(obj, "path") else getattr(obj, "division", None)
    return covers(user, division)

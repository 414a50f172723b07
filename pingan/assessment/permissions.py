"""Who may do what with responsibility lists and the annual assessment — the only place that decides.

- Responsibility lists: the desk staff of an area read its lists (and everyone their own); the city
  administrators and the area staff (the party and government offices) of the list's area draw them
  up and change them until signed; only the person holding the post signs.
- The assessment: city administrators set the items and weights, score the manual items and publish;
  the leaders and staff who answer for an area (area staff, departments' staff, duty leaders) read the
  results of the units they cover — a district its own row, the city every row.
"""

from __future__ import annotations

from typing import Any

from pingan.core.permissions import covers, has_role, is_city_admin, is_city_level, is_desk_staff, signed_in
from pingan.org.choices import Role

LIST_WRITERS = (Role.CITY_ADMIN, Role.AREA_STAFF)
ASSESSMENT_READERS = (Role.CITY_ADMIN, Role.DEPT_STAFF, Role.AREA_STAFF, Role.DUTY_LEADER)


def can_view_lists(user: Any, obj: Any = None) -> bool:
    """The register of lists (obj None) for the desk staff; a list (already visible) for its readers
    and its holder."""
    if obj is not None and signed_in(user) and obj.holder_id == user.pk:
        return True
    return is_desk_staff(user)


def can_manage_lists(user: Any, obj: Any = None) -> bool:
    """`obj` None: may draw up lists at all; a Division: for that area; a list: change it (unsigned)."""
    if not has_role(user, *LIST_WRITERS):
        return False
    if obj is None:
        return True
    division = getattr(obj, "division", obj)
    if getattr(obj, "signed_at", None) is not None:
        return False
    return covers(user, division)


def can_sign(user: Any, obj: Any = None) -> bool:
    """Only the holder of the post signs their own list, once."""
    if not signed_in(user):
        return False
    if obj is None:
        return True
    return obj.holder_id == user.pk and obj.signed_at is None


def can_view_assessment(user: Any, obj: Any = None) -> bool:
    return has_role(user, *ASSESSMENT_READERS)


def can_view_result(user: Any, obj: Any = None) -> bool:
    """`obj` a unit of the assessment (a district Division or a Department): the city sees all; others
    the district they work in (and their own department)."""
    if not has_role(user, *ASSESSMENT_READERS):
        return False
    if obj is None or is_city_level(user):
        return True
    if getattr(obj, "level", None) is not None:  # a Division
        return covers(user, obj)
    return bool(getattr(user, "department_id", None) == obj.pk)


def can_manage_assessment(user: Any, obj: Any = None) -> bool:
    """Set items and weights, score, publish: city administrators, while the year is not published."""
    if not is_city_admin(user):
        return False
    return obj is None or obj.state == "draft"


class CityWide:
    """The city as a whole, as a figure's `compute` sees its viewer: every row (`visible_to` lets one
    who sees everything see all). Used only to compute a ranking that compares every district; who
    may read which unit's result is decided afterwards by `can_view_result`."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    sees_everything = True
    is_superuser = False
    # Staff of the city: figures that ask who may see rates (risks' commitment rate) answer yes, as
    # they do for a city administrator (without these the KPI was silently "—" for every district).
    role = Role.CITY_ADMIN
    is_staff_role = True
    pk = None
    id = None
    scope_path = ""
    department_id = None
    enterprise_id = None

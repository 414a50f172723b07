"""Who may do what in safety education — the only place that decides it (pingan.core.permissions).

Learners: anyone signed in (citizens, workers, staff). Editors of content, courses, activities,
demonstration sites and the volunteer registry: city administrators and the departments' and
areas' staff (the 宣教 work of the emergency bureaus and townships). Training records: those staff for
their area, and an enterprise for its own people.
"""

from __future__ import annotations

from typing import Any

from pingan.core.permissions import covers, has_role, is_staff, may, own_enterprise, signed_in
from pingan.org.choices import Role

EDITORS = (Role.CITY_ADMIN, Role.DEPT_STAFF, Role.AREA_STAFF)


def can_learn(user: Any, obj: Any = None) -> bool:
    return signed_in(user)


def can_view_console(user: Any, obj: Any = None) -> bool:
    return is_staff(user)


def can_edit(user: Any, obj: Any = None) -> bool:
    """`obj`: a division (None: may edit education content at all)."""
    if not has_role(user, *EDITORS):
        return False
    return obj is None or covers(user, obj)


def can_record_training(user: Any, obj: Any = None) -> bool:
    """`obj`: a training record (its division and enterprise); None: at all."""
    if has_role(user, Role.ENTERPRISE):
        return obj is None or own_enterprise(user, obj.enterprise_id)
    return can_edit(user, None if obj is None else obj.division)


def can_assess_site(user: Any, obj: Any = None) -> bool:
    if not has_role(user, Role.CITY_ADMIN, Role.DEPT_STAFF):
        return False
    return obj is None or covers(user, obj.division)


def can_view_workspace_panel(user: Any, obj: Any = None) -> bool:
    return has_role(user, Role.ENTERPRISE) and bool(getattr(user, "enterprise_id", None))


def can_edit_courses(user: Any, obj: Any = None) -> bool:
    """Courses and lessons (text, images and videos) are the city's: the editors of education content
    (the 宣教 staff of the departments and areas, city administrators) — not only /admin/."""
    return has_role(user, *EDITORS)


def can_register_team(user: Any, obj: Any = None) -> bool:
    """Register a social rescue organisation (`obj`) as a dispatchable volunteer team: an editor of its
    township who also keeps the rescue directory there (the team is rescue's record, decision 0013)."""
    if obj is None:
        return can_edit(user) and may(user, "rescue.edit_directory")
    return can_edit(user, obj.division) and may(user, "rescue.edit_directory", obj)

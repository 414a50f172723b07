"""Who is on duty, and whom to tell: the roster look-ups.

`on_duty(...)` without a viewer is the unscoped roster, for notifications (a statutory report must
reach the receiving level's duty post whoever triggered it). Anything that shows people to a person
passes `viewer=`: only the duty posts visible to the viewer count (`DutyPost.visible_to`: one's own
area and the levels above it, never another district's).

The look-ups of people by role for notification recipients live here, in `recipients`, and nowhere
else.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from pingan.org.choices import Role, Sector

from .models import DutyPost, Shift

# Whom to tell, by purpose (recipients of notifications — not a permission).
DUTY_ROLES = (Role.DUTY_OFFICER, Role.DUTY_LEADER)
LEADER_ROLES = (Role.DUTY_LEADER,)
ROSTER_KEEPER_ROLES = (Role.DUTY_LEADER, Role.DEPT_STAFF)


def recipients(department_id: Any, roles: tuple[str, ...]) -> list[Any]:
    """The active people of a department with one of `roles` (notification recipients)."""
    from pingan.org.models import User

    if not department_id:
        return []
    return list(User.objects.filter(department=department_id, role__in=roles, is_active=True).order_by("pk"))


def _people_of_shifts(shifts: list[Shift]) -> list[Any]:
    out, seen = [], set()
    for s in shifts:
        for person in [s.leader, *s.officers.all()]:
            if person is not None and person.pk not in seen and person.is_active:
                seen.add(person.pk)
                out.append(person)
    return out


def _shifts_at(posts: Any, at: dt.datetime) -> list[Shift]:
    from django.contrib.auth import get_user_model

    return list(
        Shift.objects.filter(post__in=posts, post__is_active=True, starts_at__lte=at, ends_at__gt=at)
        .select_related("leader", "post__department")
        .prefetch_related(Prefetch("officers", queryset=get_user_model().objects.order_by("pk")))
        .order_by("post__level", "starts_at")
    )


def on_duty(
    *, department: Any = None, division: Any = None, at: dt.datetime | None = None, viewer: Any = None
) -> list[Any]:
    """The people on duty at `at` (now by default): leader and officers of the current shifts.

    With `department`: that department's duty posts. With `division`: the duty posts covering the
    division, from the division itself upwards (town → district → city), the first level that has
    someone on duty; emergency-management posts come first at each level. With `viewer`: only the
    posts the viewer may see (see the module docstring).
    """
    at = at or timezone.now()
    posts = DutyPost.objects.all() if viewer is None else DutyPost.objects.visible_to(viewer)
    if department is not None:
        dept_id = getattr(department, "pk", department)
        return _people_of_shifts(_shifts_at(posts.filter(department_id=dept_id), at))
    if division is None:
        return []
    from pingan.geo.models import Division

    node = division if isinstance(division, Division) else Division.objects.get(pk=division)
    if viewer is not None and not _in_scope(viewer, node):
        return []  # another district's roster is not the viewer's to see (the levels above are)
    for d in [node, *reversed(node.ancestors())]:
        level_posts = posts.filter(division=d, is_active=True)
        if not level_posts.exists():
            continue
        shifts = _shifts_at(level_posts, at)
        shifts.sort(key=lambda s: (s.post.department.sector != Sector.EMERGENCY, s.post_id))
        people = _people_of_shifts(shifts)
        if people:
            return people
    return []


def scope_divisions(viewer: Any) -> Any:
    """The divisions whose duty posts `viewer` may see: their own area and the levels above it (the
    rule of `DutyPost.visible_to`)."""
    from pingan.geo.models import Division

    from .models import post_scope_q

    if getattr(viewer, "sees_everything", False):
        return Division.objects.all()
    return Division.objects.filter(post_scope_q(viewer, "path"))


def _in_scope(viewer: Any, division: Any) -> bool:
    return scope_divisions(viewer).filter(pk=division.pk).exists()


def duty_people(department_id: Any) -> list[Any]:
    """Who to tell at a department: the people on duty now; if the roster has nobody, the
    department's duty officers and leaders (a gap must never swallow a statutory report)."""
    people = on_duty(department=department_id)
    if people:
        return people
    return recipients(department_id, DUTY_ROLES)


def posts_for_division(division: Any) -> list[DutyPost]:
    """The duty posts of the nearest level (upwards) that has any."""
    node = division
    while node is not None:
        posts = list(DutyPost.objects.filter(division=node, is_active=True).select_related("department"))
        if posts:
            return posts
        node = node.parent
    return []


def post_level_of(division: Any) -> str:
    from pingan.geo.choices import Level

    from .choices import PostLevel

    return {Level.CITY: PostLevel.CITY, Level.DISTRICT: PostLevel.DISTRICT}.get(
        division.level, PostLevel.TOWN
    )

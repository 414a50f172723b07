"""Who may do what with early warnings — the only place that decides it (pingan.core.permissions).

Writers: duty officers, duty leaders and the emergency departments' staff of an area. Approvers:
duty leaders (and city administrators), at the level docs/domain §3 / rules.approval_level asks for the
warning's colour, never the person who wrote it. Publishers: duty officers and leaders.
"""

from __future__ import annotations

from typing import Any

from pingan.core.permissions import covers, has_role, is_city_admin, is_city_level, is_staff, signed_in
from pingan.org.choices import Role

from . import rules
from .choices import MsgType, State

WRITERS = (Role.CITY_ADMIN, Role.DUTY_OFFICER, Role.DUTY_LEADER, Role.DEPT_STAFF)
APPROVERS = (Role.CITY_ADMIN, Role.DUTY_LEADER)
PUBLISHERS = (Role.CITY_ADMIN, Role.DUTY_OFFICER, Role.DUTY_LEADER)


def can_view_list(user: Any, obj: Any = None) -> bool:
    return is_staff(user)


def can_view(user: Any, obj: Any = None) -> bool:
    return is_staff(user)


def can_create(user: Any, obj: Any = None) -> bool:
    """`obj` is the division the warning is for (None: may write warnings at all)."""
    if not has_role(user, *WRITERS):
        return False
    return obj is None or covers(user, obj)


def can_edit(user: Any, obj: Any = None) -> bool:
    if obj is None:
        return has_role(user, *WRITERS)
    return obj.state == State.DRAFT and can_create(user, obj.division)


def can_submit(user: Any, obj: Any = None) -> bool:
    return can_edit(user, obj)


def can_approve(user: Any, obj: Any = None) -> bool:
    if not has_role(user, *APPROVERS):
        return False
    if obj is None:
        return True
    if obj.state != State.REVIEW or not covers(user, obj.division):
        return False
    # Four eyes: the writer does not approve their own warning (city administrators excepted, who
    # are the last resort of a short-staffed night).
    if obj.created_by_id == user.pk and not is_city_admin(user):
        return False
    if rules.approval_level(obj.colour) == "city":
        return is_city_level(user)
    return True


def can_reject(user: Any, obj: Any = None) -> bool:
    return can_approve(user, obj)


def can_publish(user: Any, obj: Any = None) -> bool:
    if not has_role(user, *PUBLISHERS):
        return False
    return obj is None or (obj.state == State.APPROVED and covers(user, obj.division))


def can_follow_up(user: Any, obj: Any = None) -> bool:
    """Start an Update or a Cancel of a published warning (it then goes through review again)."""
    if obj is None:
        return has_role(user, *WRITERS)
    return (
        obj.state == State.PUBLISHED
        and obj.msg_type != MsgType.CANCEL
        and not obj.followups.filter(state__in=(State.DRAFT, State.REVIEW, State.APPROVED)).exists()
        and can_create(user, obj.division)
    )


def can_subscribe(user: Any, obj: Any = None) -> bool:
    """Anyone signed in may subscribe to a township; `obj` a subscription: only one's own."""
    if not signed_in(user):
        return False
    return obj is None or obj.user_id == user.pk


def can_view_receipts(user: Any, obj: Any = None) -> bool:
    """Who received what (the 三防 headquarters' question): the duty desk and the emergency staff who
    write warnings, for warnings of their area."""
    if not has_role(user, *WRITERS):
        return False
    return obj is None or covers(user, obj.division)

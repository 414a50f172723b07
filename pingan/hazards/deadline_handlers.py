"""What a reminder and an escalation do for the hazard deadlines (registered in apps.ready).

Reminder: the department that holds the deadline (its people). Escalation level 1, at the deadline:
the department head (the department's duty leaders, or all its people when it names none) and the
level above (the parent department, or the same sector one division up). Level 2, a day later:
the dispatch centre and the city administrators. The reconciler in core drives these from the rows.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from pingan.core import deadlines
from pingan.core.models import Deadline
from pingan.notify.services import notify
from pingan.org.choices import Role
from pingan.org.models import Department, User

from . import rules

KINDS = ("hazards.register", "hazards.rectify", "hazards.cotask", "hazards.accept", "hazards.resume_review")


def _url(row: Deadline) -> str:
    from django.urls import reverse

    case_id = (row.data or {}).get("case")
    return reverse("hazards:detail", args=[case_id]) if case_id else ""


def department_head(dept: Department | None) -> list[User]:
    if dept is None:
        return []
    people = list(User.objects.filter(department=dept, is_active=True))
    heads = [p for p in people if p.role == Role.DUTY_LEADER]
    return heads or people


def level_above(dept: Department | None) -> list[User]:
    if dept is None:
        return []
    above = dept.parent
    if above is None and dept.division.parent_id is not None:
        above = Department.objects.filter(
            sector=dept.sector, division=dept.division.parent_id, is_active=True
        ).first()
    return department_head(above) if above else []


def remind(row: Deadline) -> None:
    people = User.objects.filter(department=row.department_id, is_active=True) if row.department_id else []
    if not people and row.assignee_id:
        people = [row.assignee]
    notify(
        people,
        event="hazards.deadline.remind",
        title=_("即将到期: %(t)s") % {"t": row.title},
        body=_("期限 %(d)s") % {"d": deadlines.local_text(row.due_at)},
        url=_url(row),
    )


def escalate(row: Deadline, level: int) -> dt.datetime | None:
    plan = rules.escalation_plan(level)
    people: list[User] = []
    if plan.notify_department_head:
        people += department_head(row.department)
    if plan.notify_level_above:
        people += level_above(row.department)
    if plan.notify_dispatch:
        from .actions import dispatch_centre_for

        centre = dispatch_centre_for(row.division)
        if centre is not None:
            people += list(User.objects.filter(department=centre, is_active=True))
        people += list(User.objects.filter(role=Role.CITY_ADMIN, is_active=True))
    notify(
        people,
        event="hazards.deadline.overdue",
        title=_("已超期(第%(n)d级督办): %(t)s") % {"n": level, "t": row.title},
        body=_("期限 %(d)s") % {"d": deadlines.local_text(row.due_at)},
        url=_url(row),
        urgent=level >= 2,
    )
    return row.due_at + plan.next_after if plan.next_after else None


def register_all() -> None:
    for kind in KINDS:
        deadlines.register(kind, remind=remind, escalate=escalate)

"""What a reminder and an escalation do for the risk module's deadlines (registered in apps.ready).

- A due check (risks.check): the reminder goes to the assignee (or the keepers: the owning
  department's people, the enterprise's people); at the due time the check is overdue — level 1 tells
  the keepers again and records `risks.task.overdue`; level 2, a day later, tells the supervising
  departments (enterprise units) or the department one level up (city points).
- Filing (risks.filing): the enterprise, then its supervising departments.
- The daily commitment (risks.commitment): missing at the deadline escalates to the enterprise's
  supervising departments (docs/domain §12), recorded as `risks.commitment.overdue`.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from pingan.core import audit, deadlines
from pingan.core.models import Deadline
from pingan.notify.services import notify
from pingan.org.models import Department, Enterprise, User

from .actions import CHECK_KIND, COMMITMENT_KIND, FILING_KIND
from .models import CheckTask, MajorHazardSource

NEXT_STEP = dt.timedelta(days=1)


def _enterprise_people(enterprise_id: int | None) -> list[User]:
    return list(User.objects.filter(enterprise=enterprise_id, is_active=True)) if enterprise_id else []


def _supervisors(enterprise: Enterprise | None) -> list[User]:
    if enterprise is None:
        return []
    return list(User.objects.filter(department__in=enterprise.supervising_departments.all(), is_active=True))


def _department_people(dept_id: int | None) -> list[User]:
    return list(User.objects.filter(department=dept_id, is_active=True)) if dept_id else []


def _above(dept: Department | None) -> list[User]:
    """The level above the owning department: its parent, or else (a township office) the emergency
    management department of the district it sits in."""
    if dept is None:
        return []
    if dept.parent_id is not None:
        return _department_people(dept.parent_id)
    district = dept.division.parent_id if dept.division_id else None
    above = Department.objects.filter(division=district, sector="emergency", is_active=True).first()
    return _department_people(above.pk) if above else []


def _task(row: Deadline) -> CheckTask | None:
    return (
        CheckTask.objects.select_related("risk_object__enterprise", "risk_object__department")
        .filter(pk=(row.data or {}).get("task"))
        .first()
    )


def _keepers(task: CheckTask) -> list[User]:
    ro = task.risk_object
    people = [task.assignee] if task.assignee_id else []
    return people + (
        _enterprise_people(ro.enterprise_id) if ro.enterprise_id else _department_people(ro.department_id)
    )


def remind_check(row: Deadline) -> None:
    task = _task(row)
    if task is None:
        return
    notify(
        [task.assignee] if task.assignee_id else _keepers(task),
        event="risks.check.remind",
        title=_("即将到期: %(t)s") % {"t": row.title},
        body=_("期限 %(d)s") % {"d": deadlines.local_text(row.due_at)},
        url=reverse("risks:task", args=[task.pk]),
    )


def escalate_check(row: Deadline, level: int) -> dt.datetime | None:
    task = _task(row)
    if task is None:
        return None
    ro = task.risk_object
    if level == 1:
        people = _keepers(task)
        audit.record(
            "risks.task.overdue",
            task,
            actor="system",
            after={"due": row.due_at, "level": level},
            note=row.title,
        )
    else:
        people = _supervisors(ro.enterprise) if ro.enterprise_id else _above(ro.department)
    notify(
        people,
        event="risks.check.overdue",
        title=_("排查超期(第%(n)d级): %(t)s") % {"n": level, "t": row.title},
        body=_("期限 %(d)s") % {"d": deadlines.local_text(row.due_at)},
        url=reverse("risks:task", args=[task.pk]),
        urgent=level >= 2,
    )
    return row.due_at + NEXT_STEP if level == 1 else None


def remind_filing(row: Deadline) -> None:
    src = MajorHazardSource.objects.filter(pk=(row.data or {}).get("mhs")).first()
    if src is not None:
        notify(
            _enterprise_people(src.enterprise_id),
            event="risks.filing.remind",
            title=_("即将到期: %(t)s") % {"t": row.title},
            url=reverse("risks:mhs_detail", args=[src.pk]),
        )


def escalate_filing(row: Deadline, level: int) -> dt.datetime | None:
    src = (
        MajorHazardSource.objects.select_related("enterprise").filter(pk=(row.data or {}).get("mhs")).first()
    )
    if src is not None:
        notify(
            _enterprise_people(src.enterprise_id) + _supervisors(src.enterprise),
            event="risks.filing.overdue",
            title=_("已超期: %(t)s") % {"t": row.title},
            url=reverse("risks:mhs_detail", args=[src.pk]),
        )
    return None


def remind_commitment(row: Deadline) -> None:
    notify(
        _enterprise_people((row.data or {}).get("enterprise")),
        event="risks.commitment.remind",
        title=_("即将到期: %(t)s") % {"t": row.title},
        url=reverse("risks:commitments"),
    )


def escalate_commitment(row: Deadline, level: int) -> dt.datetime | None:
    """A missing commitment goes to the supervising departments (docs/domain §12)."""
    ent = Enterprise.objects.filter(pk=(row.data or {}).get("enterprise")).first()
    if ent is None:
        return None
    audit.record(
        "risks.commitment.overdue",
        ent,
        actor="system",
        after={"day": (row.data or {}).get("day")},
        note=row.title,
    )
    notify(
        _supervisors(ent) + _enterprise_people(ent.pk),
        event="risks.commitment.overdue",
        title=_("未按时提交安全承诺: %(name)s") % {"name": ent.name},
        body=_("期限 %(d)s") % {"d": deadlines.local_text(row.due_at)},
        url=reverse("risks:commitments"),
        urgent=True,
    )
    return None


def register_all() -> None:
    deadlines.register(CHECK_KIND, remind=remind_check, escalate=escalate_check)
    deadlines.register(FILING_KIND, remind=remind_filing, escalate=escalate_filing)
    deadlines.register(COMMITMENT_KIND, remind=remind_commitment, escalate=escalate_commitment)

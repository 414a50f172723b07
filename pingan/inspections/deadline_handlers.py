"""What a reminder and an escalation do for inspection deadlines (registered in apps.ready).

- "inspections.rectify" (a finding's rectification deadline): the drawn inspectors are reminded
  before it, so that they schedule the re-inspection (复查); at the deadline the planning department
  is told it passed unverified.
- "inspections.publish" (the result's publication, 20 working days after the end): the planning
  department is reminded before it and told when it is missed.
- "inspections.pay" (a fine's payment, 15 days after the decision): the planning department is
  reminded before it and told when it passes unpaid (enforcement: 行政处罚法 §72).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from pingan.core import deadlines
from pingan.core.models import Deadline
from pingan.notify.services import notify
from pingan.org.models import User

from .models import Finding, Inspection, Penalty


def _inspection(row: Deadline) -> Inspection | None:
    if row.kind == "inspections.rectify":
        finding = Finding.objects.select_related("inspection__plan").filter(pk=row.object_id).first()
        return finding.inspection if finding else None
    if row.kind == "inspections.pay":
        penalty = Penalty.objects.select_related("inspection__plan").filter(pk=row.object_id).first()
        return penalty.inspection if penalty else None
    return Inspection.objects.select_related("plan").filter(pk=row.object_id).first()


def _people(inspection: Inspection, *, inspectors: bool) -> list[User]:
    if inspectors:
        return list(User.objects.filter(inspector_profile__inspections=inspection, is_active=True))
    return list(User.objects.filter(department=inspection.plan.department_id, is_active=True))


def remind(row: Deadline) -> None:
    inspection = _inspection(row)
    if inspection is None:
        return
    notify(
        _people(inspection, inspectors=row.kind == "inspections.rectify"),
        event=f"{row.kind}.remind",
        title=_("即将到期:%(title)s") % {"title": row.title},
        url=reverse("inspections:detail", args=[inspection.pk]),
    )


def escalate(row: Deadline, level: int) -> dt.datetime | None:
    inspection = _inspection(row)
    if inspection is not None:
        notify(
            _people(inspection, inspectors=False),
            event=f"{row.kind}.overdue",
            urgent=True,
            title=_("已逾期:%(title)s") % {"title": row.title},
            url=reverse("inspections:detail", args=[inspection.pk]),
        )
    return None


def register_all() -> None:
    for kind in ("inspections.rectify", "inspections.publish", "inspections.pay"):
        deadlines.register(kind, remind=remind, escalate=escalate)

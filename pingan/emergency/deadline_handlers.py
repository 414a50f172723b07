"""What a reminder and an escalation do for the emergency deadlines (registered in apps.ready).

A report hop overdue is flagged at once on every level concerned (the incident's on-duty people and
the sender's duty leaders), then again every 30 minutes up to level 3; a reminder goes to the
sender's duty post 30 minutes before. A 三防 member report overdue tells the headquarters' and the
member's duty posts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit
from pingan.notify.services import notify

from .actions.reporting import concerned_people, report_url
from .choices import ReportState
from .duty import LEADER_ROLES, duty_people, recipients
from .models import Report, SanfangReport


def escalate_report(row: Any, level: int) -> dt.datetime | None:
    report = Report.objects.select_related("incident", "sender", "receiver").filter(pk=row.object_id).first()
    if report is None or report.state != ReportState.DUE:
        return None
    if timezone.now() <= report.due_at:
        # the reconciler fires at the due minute; "late" is strictly after it (on the minute is in time)
        return report.due_at + dt.timedelta(minutes=1)
    if report.overdue_flagged_at is None:
        report.overdue_flagged_at = timezone.now()
        report.save(update_fields=["overdue_flagged_at"])
        audit.record(
            "emergency.report.overdue",
            report,
            actor="system",
            after={"due_at": report.due_at},
            division_path=report.incident.division.path,
        )
    people = concerned_people(report.incident)
    if report.sender and report.sender.department_id:
        people += recipients(report.sender.department_id, LEADER_ROLES)
    notify(
        people,
        event="emergency.report.overdue",
        urgent=True,
        title=_("超时未报:%(sender)s向%(receiver)s报送“%(title)s”已超过期限")
        % {
            "sender": report.sender.name if report.sender else "",
            "receiver": report.receiver.name,
            "title": report.incident.title,
        },
        url=report_url(report),
    )
    return None if level >= 3 else timezone.now() + dt.timedelta(minutes=30)


def remind_report(row: Any) -> None:
    report = Report.objects.select_related("sender", "receiver", "incident").filter(pk=row.object_id).first()
    if (
        report is None
        or report.state != ReportState.DUE
        or not (report.sender and report.sender.department_id)
    ):
        return
    notify(
        duty_people(report.sender.department_id),
        event="emergency.report.reminder",
        title=_("30分钟内须向%(to)s报送:%(title)s")
        % {"to": report.receiver.name, "title": report.incident.title},
        url=report_url(report),
    )


def escalate_sanfang(row: Any, level: int) -> dt.datetime | None:
    item = SanfangReport.objects.select_related("response", "department").filter(pk=row.object_id).first()
    if item is None or item.submitted_at is not None:
        return None
    notify(
        duty_people(item.response.headquarters_id) + duty_people(item.department_id),
        event="emergency.sanfang.overdue",
        urgent=True,
        title=_("%(dept)s未按时报送%(resp)s工作情况(%(due)s)")
        % {
            "dept": item.department.name,
            "resp": str(item.response),
            "due": f"{timezone.localtime(item.due_at):%m-%d %H:%M}",
        },
        url=reverse("emergency:sanfang", args=[item.response_id]),
    )
    return None

"""Tell city administrators, in their inbox, that next year's holiday schedule is missing.

From December on (and at any time for the current year), until the schedule is known — from the
`chinesecalendar` package or entered on the calendar page — working-day deadlines of that year are
counted Monday to Friday. One message per administrator and year: the reminder is daily, the inbox
is not.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from pingan.core.context import origin
from pingan.core.permissions import city_admins_q, may
from pingan.core.workcal import calendar_gap, load_overrides

from .models import Message
from .services import notify

EVENT = "core.calendar.gap"


def warn_calendar_gap(today: dt.date) -> int:
    """Messages sent (0 when the calendar is complete or everyone was told already)."""
    year = calendar_gap(today, load_overrides())
    if year is None:
        return 0
    title = _("请录入%(year)s年节假日安排") % {"year": year}
    told = set(Message.objects.filter(event=EVENT, title=title).values_list("recipient_id", flat=True))
    # Candidates narrowed in SQL (the city's administrators), decided by the permission itself.
    candidates = get_user_model().objects.filter(city_admins_q(), is_active=True)
    admins = [u for u in candidates.exclude(pk__in=told) if may(u, "core.edit_calendar")]
    sent = notify(
        admins,
        event=EVENT,
        title=title,
        body=_(
            "系统内置的中国日历还没有%(year)s年的节假日安排;录入之前,该年按工作日计算的期限暂按周一至周五计算。"
        )
        % {"year": year},
        url=reverse("core:calendar"),
    )
    return len(sent)


@db_periodic_task(crontab(hour="9", minute="5"))
def warn_calendar_gap_daily() -> int:
    """Daily: ask city administrators for next year's holiday schedule when it is missing. (Here, not
    in tasks.py: tasks.py is imported by services, which this module uses. Loaded in apps.ready.)"""
    from django.utils import timezone

    with origin("task"):
        return warn_calendar_gap(timezone.localdate())

"""Changes to the working-day calendar (CalendarOverride rows), each audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from . import audit
from .actions import ActionError
from .models import CalendarOverride
from .permissions import require

FIELDS = ["date", "is_workday", "note"]


def check_set_override(actor: Any, day: Any, is_workday: Any, note: str = "") -> dt.date:
    require(actor, "core.edit_calendar", None, _("只有市级管理员可以调整工作日历"))
    if not isinstance(day, dt.date):
        try:
            day = dt.date.fromisoformat(str(day or "").strip())
        except ValueError:
            raise ActionError(_("日期格式应为 YYYY-MM-DD"), field="date", code="invalid") from None
    if len(note or "") > 200:
        raise ActionError(_("说明不能超过 200 字"), field="note", code="max_length")
    return day


@transaction.atomic
def do_set_override(actor: Any, day: Any, is_workday: bool, note: str = "") -> CalendarOverride:
    """Declare `day` a working day or a day off (creating or changing its override)."""
    day = check_set_override(actor, day, is_workday, note)
    row = CalendarOverride.objects.select_for_update().filter(date=day).first()
    before = audit.snapshot(row, FIELDS) if row is not None else None
    if row is None:
        row = CalendarOverride(date=day)
    row.is_workday, row.note = bool(is_workday), (note or "").strip()
    row.save()
    audit.record("core.calendar.set", row, actor=actor, before=before, after=audit.snapshot(row, FIELDS))
    return row


@transaction.atomic
def do_delete_override(actor: Any, override: CalendarOverride) -> None:
    require(actor, "core.edit_calendar", override, _("只有市级管理员可以调整工作日历"))
    before = audit.snapshot(override, FIELDS)
    audit.record("core.calendar.delete", override, actor=actor, before=before)
    override.delete()

"""What a reminder and an escalation do for licensing deadlines (registered in apps.ready).

- "licensing.accept" / "licensing.decide": the offices of the application's area are reminded before
  the statutory limit and told when it passed.
- "licensing.renew": the licence holder is reminded when the renewal window opens, and told when the
  licence expires without renewal.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from pingan.core import deadlines
from pingan.core.models import Deadline
from pingan.notify.services import notify
from pingan.org.models import User

from .models import Application, Licence
from .permissions import is_office


def _target(row: Deadline) -> tuple[list[User], str] | None:
    if row.kind == "licensing.renew":
        licence = Licence.objects.filter(pk=row.object_id).first()
        if licence is None:
            return None
        people = list(User.objects.filter(enterprise=licence.enterprise_id, is_active=True))
        return people, reverse("licensing:licences")
    app = Application.objects.select_related("division").filter(pk=row.object_id).first()
    if app is None:
        return None
    staff = User.objects.filter(is_active=True, division__path__in=_ancestors(app.division.path))
    return [u for u in staff if is_office(u)], reverse("licensing:detail", args=[app.pk])


def _ancestors(path: str) -> list[str]:
    return [path[:n] for n in range(2, len(path) + 1)]


def remind(row: Deadline) -> None:
    target = _target(row)
    if target:
        notify(
            target[0],
            event=f"{row.kind}.remind",
            title=_("即将到期:%(title)s") % {"title": row.title},
            url=target[1],
        )


def escalate(row: Deadline, level: int) -> dt.datetime | None:
    target = _target(row)
    if target:
        notify(
            target[0],
            event=f"{row.kind}.overdue",
            urgent=True,
            title=_("已逾期:%(title)s") % {"title": row.title},
            url=target[1],
        )
    return None


def register_all() -> None:
    for kind in ("licensing.accept", "licensing.decide", "licensing.renew"):
        deadlines.register(kind, remind=remind, escalate=escalate)

"""Deadline handlers and the reconciler that drives them.

An app registers, for each deadline `kind` it creates, what a reminder and an escalation do:

    deadlines.register("hazards.rectify", remind=remind_fn, escalate=escalate_fn)

`reconcile(now)` is idempotent: it looks only at rows (remind_at passed and not yet reminded; due_at
passed and not yet escalated to the next level), so running it twice, late, or after downtime
does each thing once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from .models import Deadline

if TYPE_CHECKING:  # pragma: no cover
    from pingan.geo.models import Division
    from pingan.org.models import Department, User


@dataclass
class Handler:
    remind: Callable[[Deadline], None] | None = None
    # Called with the deadline and the new escalation level (1, 2, ...); returns the time of the
    # next escalation step, or None when there is none.
    escalate: Callable[[Deadline, int], datetime | None] | None = None


_handlers: dict[str, Handler] = {}


def local_text(moment: datetime) -> str:
    """A moment as people read it in messages: local time (Asia/Shanghai), to the minute. Messages are
    plain text rendered once, so they cannot be localised later the way a template's |date is."""
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def register(
    kind: str,
    *,
    remind: Callable[[Deadline], None] | None = None,
    escalate: Callable[[Deadline, int], datetime | None] | None = None,
) -> None:
    _handlers[kind] = Handler(remind, escalate)


def create(
    obj: models.Model,
    *,
    kind: str,
    title: str,
    due_at: datetime,
    starts_at: datetime | None = None,
    remind_before: timedelta | None = None,
    division: Division | None = None,
    department: Department | None = None,
    assignee: User | None = None,
    data: dict[str, Any] | None = None,
) -> Deadline:
    starts_at = starts_at or timezone.now()
    remind_at = None
    if remind_before is not None:
        remind_at = max(starts_at, due_at - remind_before)
    return Deadline.objects.create(
        kind=kind,
        title=title[:200],
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        division=division,
        department=department,
        assignee=assignee,
        starts_at=starts_at,
        due_at=due_at,
        remind_at=remind_at,
        data=data or {},
    )


def for_object(obj: models.Model) -> models.QuerySet[Deadline]:
    return Deadline.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


def close(obj: models.Model, *, kind: str | None = None, met_at: datetime | None = None) -> int:
    """Mark the object's open deadlines (of `kind`) met."""
    qs = for_object(obj).filter(met_at=None, cancelled_at=None)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.update(met_at=met_at or timezone.now())


def cancel(obj: models.Model, *, kind: str | None = None) -> int:
    qs = for_object(obj).filter(met_at=None, cancelled_at=None)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.update(cancelled_at=timezone.now())


def reconcile(now: datetime | None = None) -> dict[str, int]:
    """Send due reminders and escalations. Returns counts (for logs and tests)."""
    now = now or timezone.now()
    counts = {"reminded": 0, "escalated": 0}
    open_rows = Deadline.objects.filter(met_at=None, cancelled_at=None)
    for pk in open_rows.filter(reminded_at=None, remind_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            row = (
                Deadline.objects.select_for_update()
                .filter(pk=pk, reminded_at=None, met_at=None, cancelled_at=None)
                .first()
            )
            if row is None:
                continue  # done by another worker meanwhile
            handler = _handlers.get(row.kind)
            if handler and handler.remind:
                handler.remind(row)
            row.reminded_at = now
            row.save(update_fields=["reminded_at"])
            counts["reminded"] += 1
    due = open_rows.filter(due_at__lte=now).filter(
        models.Q(escalated_at=None) | models.Q(next_escalation_at__lte=now)
    )
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            row = Deadline.objects.select_for_update().filter(pk=pk, met_at=None, cancelled_at=None).first()
            if row is None:
                continue
            if row.escalated_at is not None and (
                row.next_escalation_at is None or row.next_escalation_at > now
            ):
                continue
            level = row.escalation_level + 1
            handler = _handlers.get(row.kind)
            following = handler.escalate(row, level) if handler and handler.escalate else None
            row.escalation_level = level
            row.escalated_at = now
            row.next_escalation_at = following
            row.save(update_fields=["escalation_level", "escalated_at", "next_escalation_at"])
            counts["escalated"] += 1
    return counts

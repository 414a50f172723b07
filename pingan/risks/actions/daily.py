"""A day's due checks: every active check task due that day gets its open deadline (`risks.check`).

Tasks made through the actions already carry one; this reconciler fills the gap for tasks bulk-made
(imports, the demo) or whose deadline was lost, and is idempotent (a task with an open check deadline
is skipped). Set-based: ONE statement whatever the number of tasks — the selection is an ORM queryset
(its filters, joins and computed columns) compiled and inserted with INSERT … SELECT, so 10⁵ control
measures cost what the bare SQL costs (bench/risks.py compares them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import (
    CharField,
    DateTimeField,
    Exists,
    F,
    Func,
    IntegerField,
    JSONField,
    OuterRef,
    Value,
)
from django.db.models.functions import Cast, Greatest, Substr
from django.utils import timezone

from pingan.core.models import Deadline

from ..models import CheckTask
from .common import CHECK_KIND

# Deadline columns written, in order, and the queryset annotation that supplies each.
COLUMNS = (
    "kind",
    "title",
    "content_type_id",
    "object_id",
    "division_id",
    "department_id",
    "assignee_id",
    "starts_at",
    "due_at",
    "remind_at",
    "escalation_level",
    "data",
)


class Joined(Func):
    """a || b || … (the columns joined are NOT NULL: no COALESCE per piece, unlike Concat)."""

    template = "(%(expressions)s)"
    arg_joiner = " || "
    output_field = CharField()


class TwoHoursBefore(Func):
    """A datetime two hours earlier, in the database's own arithmetic (SQLite: no Python function
    per row, which Django's generic datetime − interval would call)."""

    template = "(%(expressions)s - INTERVAL '2 hours')"
    output_field = DateTimeField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="datetime(%(expressions)s, '-2 hours')", **extra)


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def due_tasks_without_deadline(day: dt.date) -> Any:
    """Active tasks due on `day` with no open check deadline, annotated with the deadline's columns."""
    start, end = day_bounds(day)
    now = timezone.now()
    ct = ContentType.objects.get_for_model(CheckTask)
    open_deadline = Deadline.objects.filter(
        kind=CHECK_KIND,
        content_type=ct,
        object_id=Cast(OuterRef("pk"), CharField()),
        met_at=None,
        cancelled_at=None,
    )
    task_id = Cast("pk", CharField())
    return (
        CheckTask.objects.filter(is_active=True, next_due_at__gte=start, next_due_at__lt=end)
        .exclude(Exists(open_deadline))
        .order_by()
        .annotate(
            d_kind=Value(CHECK_KIND, output_field=CharField()),
            # The same title as one task's deadline (common._task_title), in the platform's language.
            d_title=Substr(
                Joined(Value("排查: "), F("name"), Value("("), F("risk_object__name"), Value(")")), 1, 200
            ),
            d_ct=Value(ct.pk, output_field=IntegerField()),
            d_object=task_id,
            d_division=F("risk_object__division_id"),
            d_department=F("risk_object__department_id"),
            d_assignee=F("assignee_id"),
            d_starts=Value(now, output_field=DateTimeField()),
            d_due=F("next_due_at"),
            # Reminded two hours before (not before now), as a task's own deadline.
            d_remind=Greatest(
                Value(now, output_field=DateTimeField()),
                TwoHoursBefore(F("next_due_at")),
                output_field=DateTimeField(),
            ),
            d_level=Value(0, output_field=IntegerField()),
            d_data=Cast(
                Joined(
                    Value('{"task": '),
                    task_id,
                    Value(', "object": '),
                    Cast("risk_object_id", CharField()),
                    Value("}"),
                ),
                JSONField(),
            ),
        )
        .values_list(
            "d_kind",
            "d_title",
            "d_ct",
            "d_object",
            "d_division",
            "d_department",
            "d_assignee",
            "d_starts",
            "d_due",
            "d_remind",
            "d_level",
            "d_data",
        )
    )


@transaction.atomic
def open_check_day(day: dt.date) -> int:
    """Open the day's missing check deadlines in one INSERT … SELECT; returns how many were opened."""
    sql, params = due_tasks_without_deadline(day).query.sql_with_params()
    table = connection.ops.quote_name(Deadline._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({cols}) {sql}", params)  # noqa: S608 - compiled ORM SQL
        return cursor.rowcount

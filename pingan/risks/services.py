"""What other apps may use of risks: the check tasks a person may do on a phone and recording a check
once (the field app, possibly offline and synced later); the checks an enterprise completed
(culture's incentive points).

    from pingan.risks import services as risk_services
    tasks = risk_services.field_tasks(user)
    record, created = risk_services.record_check_once(user, task_id, client_token=token, result="ok", ...)
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pingan.core.actions import Conflict, get_visible_or_404
from pingan.core.permissions import may

__all__ = ["checks_done_by_enterprise", "field_tasks", "record_check_once", "check_record_summary"]

# At most this many tasks go to a phone (the soonest due first).
FIELD_TASKS_MAX = 200


def field_tasks(user: Any) -> list[dict[str, Any]]:
    """The active check tasks this person may record, soonest due first: theirs (assignee) first, then
    the others of their area they may do, with each task's checklist."""
    from django.db.models import Case, IntegerField, Value, When

    from .models import CheckTask

    qs = (
        CheckTask.objects.visible_to(user)
        .filter(is_active=True)
        .select_related("risk_object__division", "risk_object__enterprise")
        .annotate(
            mine=Case(When(assignee_id=user.pk, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("mine", "next_due_at", "pk")
    )
    out = []
    for t in qs[: FIELD_TASKS_MAX * 2]:
        if len(out) >= FIELD_TASKS_MAX:
            break
        if not may(user, "risks.record_check", t):
            continue
        ro = t.risk_object
        out.append(
            {
                "id": t.pk,
                "name": t.name,
                "object": str(ro.name),
                "division": str(ro.division.name) if ro.division_id else "",
                "enterprise": str(ro.enterprise.name) if ro.enterprise_id else "",
                "due_at": t.next_due_at.isoformat(),
                "overdue": t.overdue,
                "mine": t.assignee_id == user.pk,
                "checklist": [str(x.get("text", x)) if isinstance(x, dict) else str(x) for x in t.checklist],
            }
        )
    return out


def record_check_once(
    actor: Any,
    task_id: int,
    *,
    client_token: uuid.UUID,
    result: str,
    answers: Mapping[str, Any] | None = None,
    note: str = "",
    lat: float | None = None,
    lon: float | None = None,
    photo: Any = None,
    at: dt.datetime | None = None,
) -> tuple[Any, bool]:
    """Record a check of a visible task (404 otherwise) once per client token: a replay by the same
    person for the same task answers the record made the first time (created=False); the token used by
    anyone else, or for another task, is a conflict that names nothing."""
    from .actions import do_record_check
    from .models import CheckRecord, CheckTask

    task = get_visible_or_404(
        CheckTask.objects.select_related("risk_object__division", "risk_object__enterprise"),
        actor,
        pk=task_id,
    )

    def replay() -> Any:
        existing = CheckRecord.objects.filter(client_token=client_token).first()
        if existing is not None and (existing.checked_by_id != actor.pk or existing.task_id != task.pk):
            raise Conflict(_("该客户端令牌已被使用"), field="client_token", code="token_used")
        return existing

    existing = replay()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            record = do_record_check(
                actor, task, result=result, answers=answers, note=note, lat=lat, lon=lon, photo=photo, at=at
            )
            CheckRecord.objects.filter(pk=record.pk).update(client_token=client_token)
    except IntegrityError:  # a concurrent replay stored the token first: its record is the answer
        existing = replay()
        if existing is None:
            raise
        return existing, False
    record.client_token = client_token
    return record, True


def check_record_summary(record: Any) -> dict[str, Any]:
    return {
        "id": record.pk,
        "task": record.task_id,
        "result": record.result,
        "on_time": record.on_time,
        "hazard_case": record.hazard_case_id,
        "hazard_case_number": record.hazard_case_number,
    }


def checks_done_by_enterprise(enterprise_id: int, *, year: int | None = None) -> int:
    """Checks of the enterprise's control measures done and recorded on time (隐患排查 by the
    enterprise's own posts); late checks do not earn points."""
    from .models import CheckRecord

    qs = CheckRecord.objects.filter(risk_object__enterprise_id=enterprise_id, on_time=True)
    if year is not None:
        qs = qs.filter(checked_at__year=year)
    return int(qs.count())

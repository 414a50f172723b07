"""Assessing a risk object (LEC or LS): the object takes the level, and its default check tasks
follow the level's post and cycle."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit, deadlines
from pingan.core.actions import ActionError, lock
from pingan.core.audit import snapshot
from pingan.core.permissions import require

from .. import rules
from ..models import Assessment, CheckTask, RiskObject
from .common import CHECK_KIND, _open_check_deadline, _person, rule_errors


def check_assess(actor: Any, obj: RiskObject, method: str, inputs: Mapping[str, Any]) -> rules.Grading:
    require(actor, "risks.assess", obj, _("您不能评估此风险对象"))
    with rule_errors():
        if method == "lec":
            return rules.lec(inputs.get("likelihood"), inputs.get("exposure"), inputs.get("consequence"))
        if method == "ls":
            return rules.ls(inputs.get("likelihood"), inputs.get("severity"))
    raise ActionError(_("无效的评估方法"), field="method", code="invalid_choice")


@transaction.atomic
def do_assess(
    actor: Any,
    obj: RiskObject,
    *,
    method: str,
    inputs: Mapping[str, Any],
    note: str = "",
    at: dt.datetime | None = None,
) -> Assessment:
    """A new assessment: the object takes its level (and the owning post of that level); the earlier
    assessments stay as the history."""
    grading = check_assess(actor, obj, method, inputs)
    obj = lock(obj)
    before = snapshot(obj, ["level", "owner_post"])
    at = at or timezone.now()
    row = Assessment.objects.create(
        risk_object=obj,
        method=method,
        inputs=grading.inputs,
        score=grading.score,
        band=grading.band_label,
        level=grading.level,
        table_version=grading.version,
        note=note,
        assessed_by=_person(actor),
        assessed_at=at,
    )
    old_level = obj.level
    obj.level = grading.level
    obj.owner_post = rules.control_for(grading.level)["post"]
    obj.assessed_at = at
    obj.save(update_fields=["level", "owner_post", "assessed_at"])
    moved = _follow_level(obj, old_level, grading.level, at)
    audit.record(
        "risks.object.assess",
        obj,
        actor=actor,
        before=before,
        after=snapshot(obj, ["level", "owner_post"])
        | {"method": method, "score": str(grading.score), "version": grading.version, "tasks": moved},
        note=note,
    )
    return row


def _follow_level(obj: RiskObject, old: str, new: str, at: dt.datetime) -> list[int]:
    """The level drives who checks how often: tasks still on the old level's default (post and
    cycle from LEVEL_CONTROL) move to the new level's; a tighter cycle brings the next check forward."""
    if old == new or old not in rules.LEVEL_COLOURS:
        return []
    was, now_ = rules.control_for(old), rules.control_for(new)
    moved = []
    for task in CheckTask.objects.select_for_update().filter(
        risk_object=obj, is_active=True, cycle=was["cycle"], every=was["every"], post=was["post"]
    ):
        task.cycle, task.every, task.post = now_["cycle"], now_["every"], now_["post"]
        due = rules.next_due(task.last_done_at or at, task.cycle, task.every)
        if due < task.next_due_at:
            task.next_due_at = max(due, at)
            deadlines.cancel(task, kind=CHECK_KIND)
            _open_check_deadline(task)
        task.save(update_fields=["cycle", "every", "post", "next_due_at"])
        moved.append(task.pk)
    return moved

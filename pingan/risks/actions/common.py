"""What every risk action shares: the audit labels, the deadline kinds, turning rule errors into
action errors, the small field checks, and the deadline of a periodic check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core import deadlines
from pingan.core.actions import ActionError

from .. import rules
from ..models import CheckTask

ACTION_LABELS = {
    "risks.object.create": gettext_lazy("登记风险对象"),
    "risks.object.assess": gettext_lazy("风险评估"),
    "risks.object.add_event": gettext_lazy("新增风险事件"),
    "risks.object.add_measure": gettext_lazy("新增管控措施"),
    "risks.object.add_task": gettext_lazy("新增排查任务"),
    "risks.task.record": gettext_lazy("排查记录"),
    "risks.task.overdue": gettext_lazy("排查超期"),
    "risks.mhs.create": gettext_lazy("重大危险源辨识"),
    "risks.mhs.file": gettext_lazy("重大危险源备案"),
    "risks.commitment.submit": gettext_lazy("提交安全承诺"),
    "risks.commitment.overdue": gettext_lazy("安全承诺超期"),
    "risks.lifeline.create": gettext_lazy("登记生命线设施"),
    "risks.lifeline.monitor": gettext_lazy("接入监测(生命线)"),
    "risks.mhs.monitor": gettext_lazy("接入监测(重大危险源)"),
}

CHECK_KIND = "risks.check"
FILING_KIND = "risks.filing"
COMMITMENT_KIND = "risks.commitment"


@contextmanager
def rule_errors() -> Iterator[None]:
    """Rule errors surface as 400s naming the field."""
    try:
        yield
    except rules.RuleError as exc:
        raise ActionError(exc.message, field=exc.field, code=exc.code) from exc


def _required(value: Any, field: str, message: str) -> str:
    text = (str(value) if value is not None else "").strip()
    if not text:
        raise ActionError(message, field=field, code="required")
    return text


def _choice(value: Any, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise ActionError(_("无效的选项"), field=field, code="invalid_choice")
    return value


def _person(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _task_title(task: CheckTask) -> str:
    return _("排查: %(task)s(%(object)s)") % {"task": task.name, "object": task.risk_object.name}


def _open_check_deadline(task: CheckTask) -> None:
    ro = task.risk_object
    deadlines.create(
        task,
        kind=CHECK_KIND,
        title=_task_title(task),
        due_at=task.next_due_at,
        remind_before=min(dt.timedelta(hours=2), (task.next_due_at - timezone.now()) / 2)
        if task.next_due_at > timezone.now()
        else None,
        division=ro.division,
        department=ro.department,
        assignee=task.assignee,
        data={"task": task.pk, "object": ro.pk},
    )

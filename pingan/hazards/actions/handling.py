"""Handling a registered case: dispatch to the lead and co-handlers, the departments' work,
acceptance or rejection, backlog, reopening."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit, deadlines
from pingan.core.actions import ActionError, Conflict, Forbidden
from pingan.core.audit import snapshot
from pingan.org.models import Department

from .. import rules
from ..choices import (
    PhotoKind,
    State,
    TaskRole,
    TaskState,
)
from ..models import (
    CaseTask,
    Comment,
    HazardCase,
    Rectification,
)
from .common import (
    CASE_FIELDS,
    KIND_ACCEPT,
    KIND_COTASK,
    KIND_RECTIFY,
    KIND_REGISTER,
    _begin,
    _make_deadline,
    _require_reason,
    _save_transition,
    _start_rectify_clock,
    _stop_all_clocks,
    _tell,
    _tell_subscribers,
    _who,
    dispatch_centre_for,
    people_of,
    task_of,
)
from .routing import route_case


def _set_tasks(case: HazardCase, lead: Department, co: Iterable[Department], now: dt.datetime) -> None:
    wanted = {lead.pk: TaskRole.LEAD}
    for d in co:
        if d.pk != lead.pk:
            wanted.setdefault(d.pk, TaskRole.CO)
    existing = {t.department_id: t for t in case.tasks.all()}
    for dept_id, task in existing.items():
        if dept_id not in wanted and task.state not in (
            TaskState.DONE,
            TaskState.CANCELLED,
            TaskState.RETURNED,
        ):
            task.state = TaskState.CANCELLED
            task.updated_at = now
            task.save()
            deadlines.cancel(task, kind=KIND_COTASK)
    for dept_id, role in wanted.items():
        task = existing.get(dept_id)
        if task is None:
            CaseTask.objects.create(
                case=case, department_id=dept_id, role=role, created_at=now, updated_at=now
            )
        else:
            task.role = role
            task.state = TaskState.PENDING
            task.done_at = None
            task.updated_at = now
            task.save()


def _do_dispatch(
    actor: Any,
    case: HazardCase,
    action: str,
    *,
    lead: Department | None,
    co: Iterable[Department] | None,
    reason: str,
    expected_state: str | None,
) -> HazardCase:
    case = _begin(actor, case, action, expected_state)
    if lead is None or co is None:
        auto_lead, auto_co, _why = route_case(case)
        lead = lead or auto_lead
        co = auto_co if co is None else co
    if lead is None:
        raise ActionError(
            _("找不到牵头部门,请在派遣规则中配置或手工选择"), field="lead_department", code="no_route"
        )
    co = [d for d in co if d.pk != lead.pk]
    before = snapshot(case, CASE_FIELDS)
    now = timezone.now()
    previous_lead = case.lead_department
    case.lead_department = lead
    case.assigned_at = now
    deadlines.close(case, kind=KIND_REGISTER)
    _set_tasks(case, lead, co, now)
    _start_rectify_clock(case, now)
    note = reason
    if co:
        note = (note + " " if note else "") + _("协办: %(d)s") % {"d": "、".join(str(d) for d in co)}
    _save_transition(actor, case, action, before, note)
    _tell(people_of([lead]), case, "hazards.case.assigned", _("隐患派遣(牵头): %(t)s") % {"t": case.title})
    _tell(people_of(co), case, "hazards.case.assigned", _("隐患派遣(协办): %(t)s") % {"t": case.title})
    if previous_lead and previous_lead != lead:
        _tell(
            people_of([previous_lead]),
            case,
            "hazards.case.reassigned",
            _("隐患已改派他部门: %(t)s") % {"t": case.title},
        )
    _tell_subscribers(case, _("您报告的隐患已派遣至责任部门处理"))
    return case


@transaction.atomic
def do_assign(
    actor: Any,
    case: HazardCase,
    *,
    lead: Department | None = None,
    co: Iterable[Department] | None = None,
    note: str = "",
    expected_state: str | None = None,
) -> HazardCase:
    """Dispatch (派遣): the lead and co-handlers from the routing table unless chosen. The clock starts."""
    return _do_dispatch(actor, case, "assign", lead=lead, co=co, reason=note, expected_state=expected_state)


@transaction.atomic
def do_reassign(
    actor: Any,
    case: HazardCase,
    *,
    lead: Department,
    co: Iterable[Department] | None = None,
    reason: str,
    expected_state: str | None = None,
) -> HazardCase:
    reason = _require_reason(reason)
    if lead is None:
        raise ActionError(_("请选择牵头部门"), field="lead_department", code="required")
    return _do_dispatch(
        actor,
        case,
        "reassign",
        lead=lead,
        co=co if co is not None else [],
        reason=reason,
        expected_state=expected_state,
    )


@transaction.atomic
def do_return(actor: Any, case: HazardCase, *, reason: str, expected_state: str | None = None) -> HazardCase:
    """The lead department returns a case outside its remit: back to the dispatch centre, never a void."""
    reason = _require_reason(reason)
    case = _begin(actor, case, "return", expected_state)
    before = snapshot(case, CASE_FIELDS)
    now = timezone.now()
    lead_task = case.tasks.filter(department=case.lead_department_id).first()
    if lead_task:
        lead_task.state = TaskState.RETURNED
        lead_task.note = reason
        lead_task.updated_at = now
        lead_task.save()
    deadlines.cancel(case, kind=KIND_RECTIFY)
    centre = dispatch_centre_for(case.division)
    case.due_at = _make_deadline(
        case,
        kind=KIND_REGISTER,
        title=_("退回案件重新派遣: %(t)s") % {"t": case.title},
        limit=rules.DEFAULT_LIMITS["register"],
        case=case,
        department=centre,
        start=now,
    )
    Comment.objects.create(case=case, author=actor, department=actor.department, body=reason, is_public=False)
    _save_transition(actor, case, "return", before, reason)
    _tell(
        people_of([centre]),
        case,
        "hazards.case.returned",
        _("部门退回隐患: %(t)s") % {"t": case.title},
        body=reason,
    )
    return case


@transaction.atomic
def do_start(
    actor: Any, case: HazardCase, *, note: str = "", expected_state: str | None = None
) -> HazardCase:
    case = _begin(actor, case, "start", expected_state)
    before = snapshot(case, CASE_FIELDS)
    case.tasks.filter(department=case.lead_department_id).update(
        state=TaskState.WORKING, updated_at=timezone.now()
    )
    _save_transition(actor, case, "start", before, note)
    return case


@transaction.atomic
def do_update_task(actor: Any, case: HazardCase, *, state: str, note: str = "") -> CaseTask:
    """A department updates its own task on the case (the co-handler's status and note)."""
    task = task_of(actor, case)
    if task is None:
        raise Forbidden(_("贵部门在该隐患上没有任务"), field="task")
    task = CaseTask.objects.select_for_update().get(pk=task.pk)
    if state not in (TaskState.WORKING, TaskState.DONE):
        raise ActionError(_("任务状态只能改为处理中或已完成"), field="state", code="invalid")
    if case.state not in (State.ASSIGNED, State.RECTIFYING):
        raise Conflict(_("案件不在处置阶段"), field="state")
    if state == TaskState.DONE and not (note or "").strip():
        raise ActionError(_("完成任务须填写处理说明"), field="note", code="required")
    before = {"task": task.pk, "state": task.state}
    now = timezone.now()
    task.state = state
    task.note = note or task.note
    task.updated_at = now
    task.done_at = now if state == TaskState.DONE else None
    task.save()
    if state == TaskState.DONE:
        deadlines.close(task, kind=KIND_COTASK)
    audit.record(
        "hazards.case.task",
        case,
        actor=_who(actor),
        before=before,
        after={"task": task.pk, "department": task.department_id, "state": state},
        note=note,
    )
    if task.role == TaskRole.CO:
        _tell(
            people_of([case.lead_department]),
            case,
            "hazards.task.updated",
            _("协办部门更新任务: %(d)s") % {"d": task.department},
        )
    return task


@transaction.atomic
def do_submit_rectification(
    actor: Any,
    case: HazardCase,
    *,
    note: str,
    photos: Iterable[Any] = (),
    measures: str = "",
    cost: Any = None,
    responsible: str = "",
    before_photos: Iterable[Any] = (),
    after_photos: Iterable[Any] = (),
    expected_state: str | None = None,
) -> HazardCase:
    """提交验收 with the evidence of the work: the measures taken (the note when not given apart), the
    cost (≥ 0, in yuan to the fen), the person responsible (the submitter when not named) and the
    photos before and after. Refused while a co-handler's task is still open."""
    note = _require_reason(note, "note")
    amount, cost_error = rules.parse_cost(cost)
    if cost_error is not None:
        messages = {
            "invalid": _("整改费用须为数字"),
            "negative": _("整改费用不能为负数"),
            "precision": _("整改费用最多两位小数"),
            "too_large": _("整改费用过大"),
        }
        raise ActionError(messages[cost_error], field="cost", code=cost_error)
    measures = (measures or "").strip() or note
    responsible = (responsible or "").strip()[:50]
    if not responsible and actor is not None:
        responsible = (getattr(actor, "get_full_name", lambda: "")() or str(actor))[:50]
    case = _begin(actor, case, "submit_rectification", expected_state)
    waiting = case.tasks.filter(role=TaskRole.CO).exclude(
        state__in=[TaskState.DONE, TaskState.CANCELLED, TaskState.RETURNED]
    )
    if waiting.exists():
        names = "、".join(str(t.department) for t in waiting.select_related("department"))
        raise ActionError(_("协办部门尚未完成: %(d)s") % {"d": names}, field="tasks", code="co_tasks_open")
    from ..photos import save_photo

    saved = []
    for kind, files in (
        (PhotoKind.RECTIFICATION, photos),
        (PhotoKind.BEFORE, before_photos),
        (PhotoKind.AFTER, after_photos),
    ):
        for f in files:
            saved.append(save_photo(case, f, kind=kind, user=actor))
    record = Rectification.objects.create(
        case=case,
        measures=measures,
        cost=amount,
        responsible=responsible,
        department=case.lead_department,
        submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    before = snapshot(case, CASE_FIELDS)
    now = timezone.now()
    case.rectified_at = now
    case.tasks.filter(department=case.lead_department_id).update(
        state=TaskState.DONE, note=note, done_at=now, updated_at=now
    )
    deadlines.close(case, kind=KIND_RECTIFY)
    centre = dispatch_centre_for(case.division)
    case.due_at = _make_deadline(
        case,
        kind=KIND_ACCEPT,
        title=_("隐患整改验收: %(t)s") % {"t": case.title},
        limit=rules.DEFAULT_LIMITS["accept"],
        case=case,
        department=centre,
        start=now,
    )
    evidence = {
        "rectification": record.pk,
        "measures": measures[:500],
        "cost": str(amount) if amount is not None else None,
        "responsible": responsible,
        "photos": {str(k): sum(1 for p in saved if p.kind == k) for k in {p.kind for p in saved}},
    }
    _save_transition(actor, case, "submit_rectification", before, note, evidence=evidence)
    _tell(
        people_of([centre]),
        case,
        "hazards.case.awaiting_acceptance",
        _("隐患整改待验收: %(t)s") % {"t": case.title},
    )
    return case


@transaction.atomic
def do_accept(
    actor: Any, case: HazardCase, *, note: str = "", expected_state: str | None = None
) -> HazardCase:
    """Acceptance (验收) passed: the case is closed (销号). Its reporter will be asked if it is really gone."""  # noqa: E501
    case = _begin(actor, case, "accept", expected_state)
    before = snapshot(case, CASE_FIELDS)
    case.closed_at = timezone.now()
    case.due_at = None
    _stop_all_clocks(case, met=True)
    case.public_note = (note or _("整改已验收,隐患已销号"))[:300]
    _save_transition(actor, case, "accept", before, note)
    _tell(
        people_of([case.lead_department]),
        case,
        "hazards.case.closed",
        _("隐患验收通过并销号: %(t)s") % {"t": case.title},
    )
    _tell_subscribers(case, _("您报告的隐患已整改销号,请告诉我们是否确已消除"))
    return case


@transaction.atomic
def do_reject(actor: Any, case: HazardCase, *, reason: str, expected_state: str | None = None) -> HazardCase:
    """Acceptance failed: back to rectifying, with a fresh period."""
    reason = _require_reason(reason)
    case = _begin(actor, case, "reject", expected_state)
    before = snapshot(case, CASE_FIELDS)
    now = timezone.now()
    deadlines.close(case, kind=KIND_ACCEPT)
    case.tasks.filter(department=case.lead_department_id).update(
        state=TaskState.WORKING, done_at=None, updated_at=now
    )
    case.rectified_at = None
    _start_rectify_clock(case, now)
    Comment.objects.create(
        case=case,
        author=actor,
        department=actor.department,
        body=_("验收不通过: %(r)s") % {"r": reason},
        is_public=False,
    )
    _save_transition(actor, case, "reject", before, reason)
    _tell(
        people_of([case.lead_department]),
        case,
        "hazards.case.rejected",
        _("隐患整改验收不通过: %(t)s") % {"t": case.title},
        body=reason,
    )
    return case


@transaction.atomic
def do_backlog(actor: Any, case: HazardCase, *, reason: str, expected_state: str | None = None) -> HazardCase:
    """挂账: the case cannot be resolved now; it stays on the register, off the clock."""
    reason = _require_reason(reason)
    case = _begin(actor, case, "backlog", expected_state)
    before = snapshot(case, CASE_FIELDS)
    _stop_all_clocks(case, met=False)
    case.due_at = None
    _save_transition(actor, case, "backlog", before, reason)
    return case


@transaction.atomic
def do_resume_backlog(
    actor: Any, case: HazardCase, *, note: str = "", expected_state: str | None = None
) -> HazardCase:
    case = _begin(actor, case, "resume_backlog", expected_state)
    if case.lead_department_id is None:
        raise ActionError(_("请先派遣"), field="lead_department", code="no_lead")
    before = snapshot(case, CASE_FIELDS)
    _start_rectify_clock(case, timezone.now())
    _save_transition(actor, case, "resume_backlog", before, note)
    return case


def _reopen(actor: Any, case: HazardCase, note: str) -> HazardCase:
    before = snapshot(case, CASE_FIELDS)
    now = timezone.now()
    case.reopened_count += 1
    case.closed_at = None
    case.rectified_at = None
    case.public_note = _("群众反馈隐患未消除,已重新整改")
    if case.lead_department_id is None:
        raise ActionError(_("该隐患没有牵头部门,不能重新整改"), field="lead_department", code="no_lead")
    case.tasks.filter(department=case.lead_department_id).update(
        state=TaskState.WORKING, done_at=None, updated_at=now
    )
    _start_rectify_clock(case, now)
    _save_transition(actor, case, "reopen", before, note)
    _tell(
        people_of([case.lead_department, dispatch_centre_for(case.division)]),
        case,
        "hazards.case.reopened",
        _("隐患重新打开: %(t)s") % {"t": case.title},
        body=note,
        urgent=True,
    )
    _tell_subscribers(case, _("隐患已重新打开整改"))
    return case


@transaction.atomic
def do_reopen(actor: Any, case: HazardCase, *, reason: str, expected_state: str | None = None) -> HazardCase:
    reason = _require_reason(reason)
    case = _begin(actor, case, "reopen", expected_state)
    return _reopen(actor, case, reason)

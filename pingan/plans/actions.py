"""Every state change of emergency plans: check_*() validates, do_*() changes rows in one transaction
and writes the audit event (docs/architecture.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core import audit, deadlines, uploads, workcal
from pingan.core.actions import ActionError, Conflict, lock
from pingan.core.permissions import require
from pingan.notify.services import notify

from . import rules
from .choices import (
    OPEN_TASK_STATES,
    ActivationState,
    AttachmentKind,
    Level,
    OwnerLevel,
    PlanKind,
    PlanState,
    TaskState,
)
from .models import Activation, ActivationTask, Drill, Plan, PlanAttachment, PlanRevision, PlanTask

FILING = "plans.filing"
EVALUATION = "plans.evaluation"
DRILL = "plans.drill"
TASK = "plans.task"

ACTION_LABELS = {
    "plans.plan.create": gettext_lazy("编制预案"),
    "plans.plan.edit": gettext_lazy("修订预案"),
    "plans.plan.publish": gettext_lazy("公布预案"),
    "plans.plan.retire": gettext_lazy("废止预案"),
    "plans.plan.file": gettext_lazy("预案备案"),
    "plans.plan.evaluate": gettext_lazy("预案评估"),
    "plans.attachment.add": gettext_lazy("上传预案附件"),
    "plans.drill.record": gettext_lazy("登记预案演练"),
    "plans.activation.activate": gettext_lazy("启动预案"),
    "plans.activation.stand_down": gettext_lazy("终止响应"),
    "plans.activation.review": gettext_lazy("复盘总结"),
    "plans.task.progress": gettext_lazy("任务处置中"),
    "plans.task.done": gettext_lazy("任务完成"),
}

PLAN_FIELDS = [
    "title",
    "kind",
    "owner_level",
    "division",
    "department",
    "enterprise",
    "event_types",
    "levels",
    "summary",
    "state",
    "version",
    "published_on",
]
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def _end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), workcal.TZ)


def _next_number() -> str:
    year = timezone.localdate().year
    prefix = f"YA-{year}-"
    last = Plan.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def _snapshot_plan(plan: Plan) -> dict[str, Any]:
    return audit.snapshot(plan, PLAN_FIELDS)


def _full_snapshot(plan: Plan) -> dict[str, Any]:
    data = _snapshot_plan(plan)
    data["tasks"] = [
        {
            "level": t.level,
            "department": t.department_id,
            "organisation": t.organisation,
            "role": t.role,
            "text": t.text,
            "due_minutes": t.due_minutes,
        }
        for t in plan.tasks.all()
    ]
    return data


# --- Plans -------------------------------------------------------------------------------------------------
def clean_plan(data: dict[str, Any]) -> dict[str, Any]:
    """Validate a plan's content; raises ActionError naming the field."""
    from pingan.emergency.services import SUBTYPE_VALUES

    out = dict(data)
    if not str(out.get("title", "")).strip():
        raise ActionError(_("请填写预案名称"), field="title", code="required")
    if out.get("kind") not in PlanKind.values:
        raise ActionError(_("预案类别无效"), field="kind")
    if out.get("owner_level") not in OwnerLevel.values:
        raise ActionError(_("编制主体无效"), field="owner_level")
    if out.get("division") is None:
        raise ActionError(_("请选择适用区域"), field="division", code="required")
    types = list(out.get("event_types") or [])
    bad = [t for t in types if t not in SUBTYPE_VALUES]
    if bad:
        raise ActionError(_("事件类型无效:%(v)s") % {"v": ", ".join(map(str, bad))}, field="event_types")
    out["event_types"] = sorted(set(types))
    levels = list(out.get("levels") or [])
    if not levels or any(lv not in Level.values for lv in levels):
        raise ActionError(_("请选择至少一个有效的响应级别"), field="levels")
    out["levels"] = sorted(set(levels))
    enterprise = out.get("enterprise")
    if out["owner_level"] == OwnerLevel.ENTERPRISE:
        if enterprise is None:
            raise ActionError(_("企业预案须选择企业"), field="enterprise", code="required")
        out["high_risk"] = rules.is_high_risk(enterprise.industry, enterprise.scale)
    else:
        out["enterprise"] = None
        out["high_risk"] = False
    return out


def clean_tasks(tasks: Iterable[dict[str, Any]], levels: Sequence[str]) -> list[dict[str, Any]]:
    out = []
    for i, t in enumerate(tasks):
        if not str(t.get("text", "")).strip():
            continue
        if t.get("level") not in levels:
            raise ActionError(
                _("第 %(n)s 项任务的响应级别不在预案的响应级别中") % {"n": i + 1}, field="tasks"
            )
        if t.get("department") is None and not str(t.get("organisation", "")).strip():
            raise ActionError(_("第 %(n)s 项任务须指定责任部门或单位") % {"n": i + 1}, field="tasks")
        if not str(t.get("role", "")).strip():
            raise ActionError(_("第 %(n)s 项任务须填写角色") % {"n": i + 1}, field="tasks")
        minutes = t.get("due_minutes")
        if not isinstance(minutes, int) or minutes < 1 or minutes > 60 * 24 * 30:
            raise ActionError(_("第 %(n)s 项任务的时限须为 1 至 43200 分钟") % {"n": i + 1}, field="tasks")
        out.append(t)
    return out


def _set_tasks(plan: Plan, tasks: list[dict[str, Any]]) -> None:
    plan.tasks.all().delete()
    PlanTask.objects.bulk_create(
        PlanTask(
            plan=plan,
            level=t["level"],
            department=t.get("department"),
            organisation=str(t.get("organisation", "")).strip(),
            role=str(t["role"]).strip(),
            text=str(t["text"]).strip(),
            due_minutes=t["due_minutes"],
            order=i,
        )
        for i, t in enumerate(tasks)
    )


def check_create_plan(actor: Any, data: dict[str, Any]) -> None:
    probe = Plan(division=data.get("division"), enterprise=data.get("enterprise"))
    require(actor, "plans.create", None, _("您不能编制预案"))
    if data.get("division") is not None and not _may_keep(actor, probe):
        from django.http import Http404

        raise Http404("division")


def _may_keep(actor: Any, probe: Plan) -> bool:
    from pingan.core.permissions import may

    return may(actor, "plans.edit", probe)


@transaction.atomic
def do_create_plan(actor: Any, data: dict[str, Any], tasks: Iterable[dict[str, Any]] = ()) -> Plan:
    data = clean_plan(data)
    check_create_plan(actor, data)
    task_rows = clean_tasks(tasks, data["levels"])
    plan = Plan(number=_next_number(), created_by=actor, **_plan_values(data))
    plan.save()
    _set_tasks(plan, task_rows)
    PlanRevision.objects.create(
        plan=plan, version=1, summary=_("编制"), snapshot=_full_snapshot(plan), changed_by=actor
    )
    audit.record("plans.plan.create", plan, actor=actor, after=_snapshot_plan(plan))
    return plan


def _plan_values(data: dict[str, Any]) -> dict[str, Any]:
    keys = ("title", "kind", "owner_level", "division", "department", "enterprise")
    values = {k: data.get(k) for k in keys}
    values |= {
        "event_types": data["event_types"],
        "levels": data["levels"],
        "summary": data.get("summary", ""),
        "high_risk": data["high_risk"],
    }
    values["title"] = str(values["title"]).strip()
    return values


@transaction.atomic
def do_edit_plan(
    actor: Any, plan: Plan, data: dict[str, Any], tasks: Iterable[dict[str, Any]], summary: str
) -> Plan:
    """A revision: the plan's content and tasks change, the version goes up, a revision row keeps it."""
    require(actor, "plans.edit", plan, _("您不能修订此预案"))
    if not summary.strip():
        raise ActionError(_("请填写修订说明"), field="summary", code="required")
    data = clean_plan(data)
    task_rows = clean_tasks(tasks, data["levels"])
    plan = lock(plan)
    if plan.state == PlanState.RETIRED:
        raise Conflict(_("预案已废止,不能修订"), field="state")
    if data["division"] != plan.division and not _may_keep(actor, Plan(division=data["division"])):
        raise ActionError(_("适用区域超出您的管辖范围"), field="division")
    before = _snapshot_plan(plan)
    for k, v in _plan_values(data).items():
        setattr(plan, k, v)
    plan.version += 1
    plan.save()
    _set_tasks(plan, task_rows)
    PlanRevision.objects.create(
        plan=plan,
        version=plan.version,
        summary=summary.strip()[:300],
        snapshot=_full_snapshot(plan),
        changed_by=actor,
    )
    audit.record(
        "plans.plan.edit", plan, actor=actor, before=before, after=_snapshot_plan(plan), note=summary[:300]
    )
    return plan


def _deadline_where(plan: Plan) -> dict[str, Any]:
    return {"division": plan.division, "department": plan.department}


def _set_drill_deadline(plan: Plan, base: dt.date) -> None:
    deadlines.cancel(plan, kind=DRILL)
    due = rules.next_drill_due(plan.kind, base)
    deadlines.create(
        plan,
        kind=DRILL,
        title=_("预案演练:%(t)s") % {"t": plan.title},
        due_at=_end_of_day(due),
        remind_before=dt.timedelta(days=30),
        data={"due": due.isoformat()},
        **_deadline_where(plan),
    )


def _set_evaluation_deadline(plan: Plan, base: dt.date) -> None:
    deadlines.cancel(plan, kind=EVALUATION)
    due = rules.evaluation_due(base, plan.is_enterprise, plan.high_risk)
    if due is None:
        return
    deadlines.create(
        plan,
        kind=EVALUATION,
        title=_("预案评估:%(t)s") % {"t": plan.title},
        due_at=_end_of_day(due),
        remind_before=dt.timedelta(days=60),
        data={"due": due.isoformat()},
        **_deadline_where(plan),
    )


@transaction.atomic
def do_publish(actor: Any, plan: Plan, published_on: dt.date | None = None) -> Plan:
    """Put a draft into force. An enterprise's plan then has its filing, drill and (high-risk)
    evaluation deadlines; a government plan its evaluation deadline."""
    require(actor, "plans.publish", plan, _("您不能公布此预案"))
    plan = lock(plan)
    if plan.state != PlanState.DRAFT:
        raise Conflict(_("只有草稿可以公布"), field="state")
    if not plan.tasks.exists():
        raise ActionError(_("预案尚无任务,不能公布"), field="tasks")
    today = timezone.localdate()
    published_on = published_on or today
    if published_on > today:
        raise ActionError(_("公布日期不能晚于今天"), field="published_on")
    before = _snapshot_plan(plan)
    plan.state = PlanState.EFFECTIVE
    plan.published_on = published_on
    plan.save()
    if plan.is_enterprise:
        due = rules.filing_due(published_on, workcal.load_overrides())
        deadlines.create(
            plan,
            kind=FILING,
            title=_("预案备案:%(t)s") % {"t": plan.title},
            due_at=_end_of_day(due),
            remind_before=dt.timedelta(days=5),
            data={"due": due.isoformat()},
            **_deadline_where(plan),
        )
        _set_drill_deadline(plan, plan.last_drilled_on or published_on)
    _set_evaluation_deadline(plan, plan.last_evaluated_on or published_on)
    audit.record("plans.plan.publish", plan, actor=actor, before=before, after=_snapshot_plan(plan))
    return plan


@transaction.atomic
def do_retire(actor: Any, plan: Plan, reason: str) -> Plan:
    require(actor, "plans.retire", plan, _("您不能废止此预案"))
    if not reason.strip():
        raise ActionError(_("请填写废止原因"), field="reason", code="required")
    plan = lock(plan)
    if plan.state == PlanState.RETIRED:
        raise Conflict(_("预案已废止"), field="state")
    if plan.activations.filter(state=ActivationState.ACTIVE).exists():
        raise Conflict(_("预案正在响应中,不能废止"), field="state")
    before = _snapshot_plan(plan)
    plan.state = PlanState.RETIRED
    plan.save()
    deadlines.cancel(plan)
    audit.record(
        "plans.plan.retire", plan, actor=actor, before=before, after=_snapshot_plan(plan), note=reason[:300]
    )
    return plan


@transaction.atomic
def do_record_filing(actor: Any, plan: Plan, filed_on: dt.date, filed_with: str) -> Plan:
    require(actor, "plans.record_filing", plan, _("只有受理备案的部门可以登记备案"))
    plan = lock(plan)
    if plan.state != PlanState.EFFECTIVE:
        raise Conflict(_("只有现行有效的预案可以备案"), field="state")
    if plan.published_on and filed_on < plan.published_on:
        raise ActionError(_("备案日期不能早于公布日期"), field="filed_on")
    if filed_on > timezone.localdate():
        raise ActionError(_("备案日期不能晚于今天"), field="filed_on")
    before = audit.snapshot(plan, ["filed_on", "filed_with"])
    plan.filed_on = filed_on
    plan.filed_with = filed_with.strip()[:100]
    plan.save(update_fields=["filed_on", "filed_with", "updated_at"])
    deadlines.close(plan, kind=FILING, met_at=_end_of_day(filed_on).replace(hour=12, minute=0, second=0))
    audit.record(
        "plans.plan.file",
        plan,
        actor=actor,
        before=before,
        after=audit.snapshot(plan, ["filed_on", "filed_with"]),
    )
    return plan


@transaction.atomic
def do_evaluate(actor: Any, plan: Plan, evaluated_on: dt.date, conclusion: str) -> Plan:
    require(actor, "plans.evaluate", plan, _("您不能评估此预案"))
    if not conclusion.strip():
        raise ActionError(_("请填写评估结论"), field="conclusion", code="required")
    if evaluated_on > timezone.localdate():
        raise ActionError(_("评估日期不能晚于今天"), field="evaluated_on")
    plan = lock(plan)
    if plan.state != PlanState.EFFECTIVE:
        raise Conflict(_("只有现行有效的预案需要评估"), field="state")
    before = audit.snapshot(plan, ["last_evaluated_on"])
    plan.last_evaluated_on = evaluated_on
    plan.save(update_fields=["last_evaluated_on", "updated_at"])
    deadlines.close(plan, kind=EVALUATION)
    _set_evaluation_deadline(plan, evaluated_on)
    audit.record(
        "plans.plan.evaluate",
        plan,
        actor=actor,
        before=before,
        after=audit.snapshot(plan, ["last_evaluated_on"]),
        note=conclusion[:500],
    )
    return plan


def attachment_kind(name: str, data: bytes) -> str:
    """The attachment's type from its extension, confirmed by its content (pingan.core.uploads: a
    .docx must be a zip holding a Word document, a .doc an OLE file with a Word stream — the same
    check as hazard cases' attachments); ActionError otherwise."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in AttachmentKind.values:
        raise ActionError(_("只接受 PDF 或 Word(.doc、.docx)文件"), field="file", code="invalid_type")
    if uploads.document_format(data) != ext:
        raise ActionError(_("文件内容与扩展名不符"), field="file", code="invalid_type")
    return ext


@transaction.atomic
def do_attach(actor: Any, plan: Plan, upload: Any) -> PlanAttachment:
    require(actor, "plans.attach", plan, _("您不能为此预案上传附件"))
    if upload is None:
        raise ActionError(_("请选择文件"), field="file", code="required")
    size = int(getattr(upload, "size", 0) or 0)
    if size <= 0:
        raise ActionError(_("文件为空"), field="file", code="empty")
    if size > MAX_ATTACHMENT_BYTES:
        raise ActionError(_("文件不能超过 20 MB"), field="file", code="too_large")
    data = upload.read(MAX_ATTACHMENT_BYTES + 1)  # the size was checked above; read it to sniff it
    upload.seek(0)
    name = str(getattr(upload, "name", "") or "")[-200:]
    kind = attachment_kind(name, data)
    att = PlanAttachment.objects.create(
        plan=plan, file=upload, name=name, kind=kind, size=size, uploaded_by=actor
    )
    audit.record("plans.attachment.add", plan, actor=actor, after={"name": name, "kind": kind, "size": size})
    return att


@transaction.atomic
def do_record_drill(actor: Any, plan: Plan, data: dict[str, Any], exercise_id: int | None = None) -> Drill:
    """A drill of the plan (optionally the rescue module's record of it). For an enterprise's plan the
    next drill falls due by docs/domain/14-plans.md (yearly; on-site plans every six months)."""
    require(actor, "plans.record_drill", plan, _("您不能登记此预案的演练"))
    held_on = data.get("held_on")
    if not isinstance(held_on, dt.date):
        raise ActionError(_("请填写演练日期"), field="held_on", code="required")
    if held_on > timezone.localdate():
        raise ActionError(_("演练日期不能晚于今天"), field="held_on")
    if exercise_id is not None:
        from pingan.rescue.services import exercise_facts

        facts = exercise_facts(actor, exercise_id)
        if facts is None or not facts["is_drill"]:
            raise ActionError(_("演练记录不存在或不可见"), field="exercise", code="not_found")
    plan = lock(plan)
    if plan.state != PlanState.EFFECTIVE:
        raise Conflict(_("只有现行有效的预案可以登记演练"), field="state")
    drill = Drill.objects.create(
        plan=plan,
        held_on=held_on,
        kind=data.get("kind") or "tabletop",
        participants=int(data.get("participants") or 0),
        notes=str(data.get("notes") or ""),
        exercise_id=exercise_id,
        recorded_by=actor,
    )
    if plan.last_drilled_on is None or held_on > plan.last_drilled_on:
        plan.last_drilled_on = held_on
        plan.save(update_fields=["last_drilled_on", "updated_at"])
        if plan.is_enterprise:
            deadlines.close(plan, kind=DRILL)
            _set_drill_deadline(plan, held_on)
    audit.record(
        "plans.drill.record",
        plan,
        actor=actor,
        after={"held_on": held_on.isoformat(), "exercise": exercise_id, "drill": drill.pk},
    )
    return drill


# --- Matching and activation --------------------------------------------------------------------------------
def plan_facts(qs: Any) -> list[rules.PlanFacts]:
    return [
        rules.PlanFacts(
            id=p["id"],
            kind=p["kind"],
            event_types=tuple(p["event_types"] or ()),
            levels=tuple(p["levels"] or ()),
            division_path=p["division__path"],
            effective=p["state"] == PlanState.EFFECTIVE,
        )
        for p in qs.values("id", "kind", "event_types", "levels", "division__path", "state")
    ]


def event_of(actor: Any, *, incident_id: int | None = None, warning_id: int | None = None) -> dict[str, Any]:
    """The facts of an incident or an active warning that matching needs; 404 when not visible."""
    from django.http import Http404

    if (incident_id is None) == (warning_id is None):
        raise ActionError(_("请指定一个事件或一条预警"), field="incident", code="required")
    if incident_id is not None:
        from pingan.emergency.services import visible_incidents

        inc = visible_incidents(actor).filter(pk=incident_id).select_related("division").first()
        if inc is None:
            raise Http404("incident")
        return {
            "incident": inc,
            "warning": None,
            "title": str(inc),
            "event_types": [inc.subtype],
            "level": rules.incident_level(inc.response_level, inc.grade),
            "division": inc.division,
            "open": inc.state == "open",
        }
    from pingan.warnings.services import visible_warnings

    w = visible_warnings(actor).filter(pk=warning_id).select_related("division").first()
    if w is None:
        raise Http404("warning")
    return {
        "incident": None,
        "warning": w,
        "title": w.headline,
        "event_types": rules.warning_event_types(w.event_code),
        "level": rules.warning_level(w.colour),
        "division": w.division,
        "open": w.is_active,
    }


def matching_plans(actor: Any, event: dict[str, Any]) -> list[Plan]:
    from .selectors import plans_for

    qs = plans_for(actor).filter(state=PlanState.EFFECTIVE)
    ids = rules.matches(plan_facts(qs), event["event_types"], event["level"], event["division"].path)
    by_id = {p.pk: p for p in plans_for(actor).filter(pk__in=ids)}
    return [by_id[i] for i in ids if i in by_id]


def check_activate(actor: Any, plan: Plan, event: dict[str, Any], level: str) -> None:
    require(actor, "plans.activate", plan, _("只有有权的带班领导可以启动此预案"))
    if level not in plan.levels:
        raise ActionError(_("预案没有此响应级别"), field="level")
    if not event["open"]:
        raise ActionError(_("事件已结束或预警已失效,不能启动预案"), field="incident", code="closed")
    if plan.pk not in {p.pk for p in matching_plans(actor, event)}:
        raise ActionError(_("此预案与该事件不匹配"), field="plan", code="no_match")
    if not any(rules.task_applies(t.level, level) for t in plan.tasks.all()):
        raise ActionError(_("预案在此响应级别没有任务"), field="level", code="no_tasks")


@transaction.atomic
def do_activate(actor: Any, plan: Plan, event: dict[str, Any], level: str, note: str = "") -> Activation:
    """Put the plan into effect: one task per organisation and role at this level (and the lower levels'
    tasks), each with its deadline, and the departments told."""
    check_activate(actor, plan, event, level)
    plan = lock(plan)
    if plan.state != PlanState.EFFECTIVE:
        raise Conflict(_("预案已不再有效"), field="state")
    same = Activation.objects.filter(plan=plan, state=ActivationState.ACTIVE)
    if event["incident"] is not None:
        same = same.filter(incident=event["incident"])
    else:
        same = same.filter(warning=event["warning"])
    if same.exists():
        raise Conflict(_("此预案已为该事件启动"), field="plan", code="already_active")
    now = timezone.now()
    activation = Activation.objects.create(
        plan=plan,
        incident=event["incident"],
        warning=event["warning"],
        event_title=event["title"][:200],
        level=level,
        division=event["division"],
        note=note.strip()[:500],
        activated_by=actor,
        activated_at=now,
    )
    tasks = [
        ActivationTask(
            activation=activation,
            plan_task=t,
            level=t.level,
            department_id=t.department_id,
            organisation=t.organisation,
            role=t.role,
            text=t.text,
            due_at=rules.task_due(now, t.due_minutes),
        )
        for t in plan.tasks.all()
        if rules.task_applies(t.level, level)
    ]
    ActivationTask.objects.bulk_create(tasks)
    url = reverse("plans:board", args=[activation.pk])
    for task in ActivationTask.objects.filter(activation=activation).select_related("department"):
        deadlines.create(
            task,
            kind=TASK,
            title=_("预案任务:%(t)s") % {"t": task.text},
            due_at=task.due_at,
            starts_at=now,
            remind_before=dt.timedelta(minutes=max(5, (task.due_at - now).seconds // 240)),
            division=activation.division,
            department=task.department,
        )
    _notify_departments(
        {t.department_id for t in tasks if t.department_id},
        event="plans.activation.activated",
        title=_("预案已启动:%(p)s(%(l)s)") % {"p": plan.title, "l": Level(level).label},
        body=event["title"],
        url=url,
    )
    audit.record(
        "plans.activation.activate",
        activation,
        actor=actor,
        after={
            "plan": plan.pk,
            "incident": getattr(event["incident"], "pk", None),
            "warning": getattr(event["warning"], "pk", None),
            "level": level,
            "tasks": len(tasks),
        },
        note=note[:300],
    )
    return activation


def _notify_departments(department_ids: set[int], **message: Any) -> None:
    from pingan.org.models import User

    if not department_ids:
        return
    people = User.objects.filter(department__in=department_ids, is_active=True)
    notify(people, **message)


TRANSITIONS = {
    TaskState.PENDING: {TaskState.IN_PROGRESS, TaskState.DONE},
    TaskState.IN_PROGRESS: {TaskState.DONE},
}


@transaction.atomic
def do_update_task(actor: Any, task: ActivationTask, state: str, feedback: str = "") -> ActivationTask:
    """The holding department marks its task in progress or done, with feedback (required when done)."""
    require(actor, "plans.update_task", task, _("只有承担任务的部门可以反馈此任务"))
    if state not in (TaskState.IN_PROGRESS, TaskState.DONE):
        raise ActionError(_("任务状态无效"), field="state")
    if state == TaskState.DONE and not feedback.strip():
        raise ActionError(_("完成任务须填写反馈"), field="feedback", code="required")
    task = lock(task)
    if task.activation.state != ActivationState.ACTIVE:
        raise Conflict(_("响应已终止"), field="state", code="stood_down")
    if state not in TRANSITIONS.get(TaskState(task.state), set()):
        raise Conflict(_("任务状态已变化,请刷新后重试"), field="state")
    before = audit.snapshot(task, ["state", "feedback"])
    now = timezone.now()
    task.state = state
    if feedback.strip():
        task.feedback = feedback.strip()[:2000]
    task.updated_by = actor
    if state == TaskState.IN_PROGRESS:
        task.started_at = now
    else:
        task.done_at = now
        task.started_at = task.started_at or now
        deadlines.close(task, kind=TASK, met_at=now)
    task.save()
    audit.record(
        "plans.task.done" if state == TaskState.DONE else "plans.task.progress",
        task,
        actor=actor,
        before=before,
        after=audit.snapshot(task, ["state", "feedback"]),
        division_path=task.activation.division.path,
    )
    return task


@transaction.atomic
def do_stand_down(actor: Any, activation: Activation, note: str) -> Activation:
    """End the response: the tasks still open are closed (their deadlines cancelled)."""
    require(actor, "plans.stand_down", activation, _("只有有权的带班领导可以终止响应"))
    if not note.strip():
        raise ActionError(_("请填写终止说明"), field="note", code="required")
    activation = lock(activation)
    if activation.state != ActivationState.ACTIVE:
        raise Conflict(_("响应已终止"), field="state")
    now = timezone.now()
    open_tasks = list(activation.tasks.filter(state__in=OPEN_TASK_STATES))
    for t in open_tasks:
        deadlines.cancel(t, kind=TASK)
    activation.tasks.filter(state__in=OPEN_TASK_STATES).update(state=TaskState.CLOSED, updated_at=now)
    activation.state = ActivationState.STOOD_DOWN
    activation.stood_down_at = now
    activation.stood_down_by = actor
    activation.stand_down_note = note.strip()[:500]
    activation.save()
    _notify_departments(
        {t.department_id for t in activation.tasks.all() if t.department_id},
        event="plans.activation.stood_down",
        title=_("响应终止:%(p)s") % {"p": activation.plan.title},
        body=note[:300],
        url=reverse("plans:board", args=[activation.pk]),
    )
    audit.record(
        "plans.activation.stand_down",
        activation,
        actor=actor,
        before={"state": ActivationState.ACTIVE},
        after={"state": ActivationState.STOOD_DOWN, "closed_tasks": len(open_tasks)},
        note=note[:300],
    )
    return activation


@transaction.atomic
def do_review(actor: Any, activation: Activation, lessons: str) -> Activation:
    """The after-action review (复盘): lessons recorded once the response has stood down."""
    require(actor, "plans.review", activation, _("只有有权的带班领导可以复盘"))
    if not lessons.strip():
        raise ActionError(_("请填写经验教训"), field="lessons", code="required")
    activation = lock(activation)
    if activation.state != ActivationState.STOOD_DOWN:
        raise Conflict(_("响应终止后才能复盘"), field="state")
    before = {"lessons": activation.lessons}
    activation.lessons = lessons.strip()[:10000]
    activation.reviewed_by = actor
    activation.reviewed_at = timezone.now()
    activation.save()
    audit.record(
        "plans.activation.review",
        activation,
        actor=actor,
        before=before,
        after={"lessons": activation.lessons},
    )
    return activation


# --- Deadline handlers --------------------------------------------------------------------------------------
def remind_deadline(row: Any) -> None:
    """A reminder goes to the deadline's department (or the enterprise's people for its plans)."""
    from pingan.org.models import User

    people = User.objects.none()
    if row.department_id:
        people = User.objects.filter(department=row.department_id, is_active=True)
    elif row.kind != TASK:
        plan = Plan.objects.filter(pk=row.object_id).first()
        if plan is not None and plan.enterprise_id:
            people = User.objects.filter(enterprise=plan.enterprise_id, is_active=True)
    notify(
        people,
        event=f"{row.kind}.reminder",
        title=_("即将到期:%(t)s") % {"t": row.title},
        body=_("期限:%(d)s") % {"d": deadlines.local_text(row.due_at)},
    )

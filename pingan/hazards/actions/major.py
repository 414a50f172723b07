"""MAJOR hazards (重大事故隐患): the treatment plan, the report to the regulator, listed supervision
(挂牌督办) and the review before production resumes."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit, deadlines
from pingan.core.actions import ActionError, Conflict, lock
from pingan.core.audit import snapshot
from pingan.core.permissions import require
from pingan.org.choices import Sector
from pingan.org.models import Department

from .. import rules
from ..choices import (
    Grade,
    ReviewState,
    State,
)
from ..models import (
    HazardCase,
    RegulatorReport,
    ResumeApplication,
    TreatmentPlan,
)
from .common import (
    CASE_FIELDS,
    KIND_RESUME,
    _begin,
    _make_deadline,
    _require_reason,
    _save_transition,
    _tell,
    _who,
    people_of,
)
from .routing import _department_in, route_case


def check_plan(data: dict[str, Any]) -> None:
    missing = rules.missing_fields(data, rules.PLAN_FIELDS)
    if missing:
        raise ActionError(_("治理方案须填写全部六项内容"), field=missing[0], code="required")
    if not data.get("deadline"):
        raise ActionError(_("请填写治理完成时限"), field="deadline", code="required")


@transaction.atomic
def do_save_plan(actor: Any, case: HazardCase, data: dict[str, Any]) -> TreatmentPlan:
    """Write (or rewrite, until approved) the MAJOR hazard's treatment plan."""
    case = lock(case)
    if case.grade != Grade.MAJOR:
        raise ActionError(_("只有重大事故隐患需要治理方案"), field="grade", code="general_no_plan")
    require(actor, "hazards.plan", case, _("您无权编制该隐患的治理方案"))
    check_plan(data)
    plan = TreatmentPlan.objects.filter(case=case).first()
    if plan is not None and plan.state == ReviewState.APPROVED:
        raise Conflict(_("治理方案已批准,不能再修改"), field="plan", code="approved")
    fields = [name for name, _label in rules.PLAN_FIELDS] + ["deadline"]
    values = {f: data[f] for f in fields}
    if plan is None:
        plan = TreatmentPlan.objects.create(case=case, created_by=actor, **values)
    else:
        for k, v in values.items():
            setattr(plan, k, v)
        plan.state = ReviewState.PENDING
        plan.save()
    audit.record(
        "hazards.case.plan", case, actor=_who(actor), after={k: audit.jsonable(v) for k, v in values.items()}
    )
    return plan


@transaction.atomic
def do_report(
    actor: Any,
    case: HazardCase,
    *,
    current_state_cause: str,
    harm_difficulty: str,
    authority: Department | None = None,
    expected_state: str | None = None,
) -> HazardCase:
    """Report a MAJOR hazard to the regulator: ① state and cause ② harm and difficulty ③ the plan."""
    missing = rules.missing_fields(
        {"current_state_cause": current_state_cause, "harm_difficulty": harm_difficulty}, rules.REPORT_FIELDS
    )
    if missing:
        raise ActionError(_("请填写报告内容"), field=missing[0], code="required")
    case = _begin(actor, case, "report", expected_state)
    if not TreatmentPlan.objects.filter(case=case).exists():
        raise ActionError(_("报告须附治理方案,请先编制治理方案"), field="plan", code="major_needs_plan")
    if authority is None:
        lead, _co, _why = route_case(case)
        authority = _department_in(Sector.EMERGENCY, case.district or case.division) or lead
    if authority is None:
        raise ActionError(_("请选择报告对象(监管部门)"), field="authority", code="required")
    before = snapshot(case, CASE_FIELDS)
    RegulatorReport.objects.create(
        case=case,
        authority=authority,
        current_state_cause=current_state_cause,
        harm_difficulty=harm_difficulty,
        reported_by=actor,
    )
    _save_transition(actor, case, "report", before, _("报告 %(d)s") % {"d": authority})
    _tell(
        people_of([authority]),
        case,
        "hazards.case.reported",
        _("重大事故隐患报告: %(t)s") % {"t": case.title},
        urgent=True,
    )
    return case


@transaction.atomic
def do_approve_plan(
    actor: Any, case: HazardCase, *, note: str = "", expected_state: str | None = None
) -> HazardCase:
    case = _begin(actor, case, "approve_plan", expected_state)
    plan = TreatmentPlan.objects.select_for_update().filter(case=case).first()
    if plan is None:
        raise ActionError(_("尚无治理方案"), field="plan", code="major_needs_plan")
    before = snapshot(case, CASE_FIELDS)
    plan.state = ReviewState.APPROVED
    plan.approved_by = actor
    plan.approved_at = timezone.now()
    plan.save()
    _save_transition(actor, case, "approve_plan", before, note)
    return case


@transaction.atomic
def do_list_supervision(actor: Any, case: HazardCase, *, authority: str) -> HazardCase:
    """挂牌督办: a MAJOR hazard listed for supervision by a named authority."""
    case = lock(case)
    if case.grade != Grade.MAJOR:
        raise ActionError(_("只有重大事故隐患可以挂牌督办"), field="grade", code="general_not_listed")
    require(actor, "hazards.list_supervision", case, _("您无权挂牌督办"))
    if not (authority or "").strip():
        raise ActionError(_("请填写督办机关"), field="authority", code="required")
    before = snapshot(case, CASE_FIELDS)
    case.listed = True
    case.listed_authority = authority.strip()[:100]
    case.listed_at = timezone.now()
    case.save()
    audit.record(
        "hazards.case.list",
        case,
        actor=_who(actor),
        before=before,
        after=snapshot(case, CASE_FIELDS),
        note=case.listed_authority,
    )
    return case


@transaction.atomic
def do_apply_resume(actor: Any, case: HazardCase, *, content: str) -> ResumeApplication:
    """After treatment under listed supervision: the written application to resume production."""
    content = _require_reason(content, "content")
    case = lock(case)
    if not case.listed:
        raise ActionError(_("该隐患未挂牌督办"), field="listed", code="not_listed")
    if case.state not in (State.RECTIFYING, State.AWAITING_ACCEPTANCE):
        raise Conflict(_("整改阶段才能申请恢复生产"), field="state")
    require(actor, "hazards.apply_resume", case, _("只有责任单位或牵头部门可以申请"))
    if case.resume_applications.filter(state=ReviewState.PENDING).exists():
        raise Conflict(_("已有待审查的申请"), field="content", code="pending")
    now = timezone.now()
    app = ResumeApplication.objects.create(case=case, content=content, applied_by=actor, applied_at=now)
    report = RegulatorReport.objects.filter(case=case).select_related("authority").first()
    authority = report.authority if report else None
    app.review_due = _make_deadline(
        app,
        kind=KIND_RESUME,
        title=_("恢复生产现场审查: %(t)s") % {"t": case.title},
        limit=rules.DEFAULT_LIMITS["resume_review"],
        case=case,
        department=authority,
        start=now,
    )
    app.save(update_fields=["review_due"])
    audit.record("hazards.case.apply_resume", case, actor=_who(actor), note=content)
    _tell(
        people_of([authority]),
        case,
        "hazards.case.resume_applied",
        _("恢复生产申请待审查: %(t)s") % {"t": case.title},
    )
    return app


@transaction.atomic
def do_review_resume(actor: Any, case: HazardCase, *, approve: bool, note: str = "") -> ResumeApplication:
    case = lock(case)
    require(actor, "hazards.review_resume", case, _("只有督办机关可以审查"))
    app = case.resume_applications.select_for_update().filter(state=ReviewState.PENDING).first()
    if app is None:
        raise Conflict(_("没有待审查的申请"), field="application")
    if not approve and not (note or "").strip():
        raise ActionError(_("不同意须说明理由"), field="note", code="required")
    app.state = ReviewState.APPROVED if approve else ReviewState.REJECTED
    app.reviewed_by = actor
    app.reviewed_at = timezone.now()
    app.review_note = note
    app.save()
    deadlines.close(app, kind=KIND_RESUME)
    audit.record(
        "hazards.case.review_resume", case, actor=_who(actor), after={"approved": approve}, note=note
    )
    return app

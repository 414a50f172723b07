"""Every state change of inspections and special-work permits: check_* validates, do_* changes rows in
one transaction and writes its audit event."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit, deadlines, workcal
from pingan.core.actions import ActionError, Conflict, lock
from pingan.core.audit import snapshot
from pingan.core.permissions import require
from pingan.hazards import services as hazard_services
from pingan.org.models import Enterprise

from . import rules
from .choices import FindingState, InspectionState, PermitState, PlanState
from .models import CheckItem, Draw, Finding, Inspection, Inspector, Plan, Recusal, Target, WorkPermit

RECTIFY_KIND = "inspections.rectify"
PUBLISH_KIND = "inspections.publish"


def _rule_error(exc: rules.RuleError) -> ActionError:
    return ActionError(exc.message, field=exc.field, code=exc.code)


# --- Registers ----------------------------------------------------------------------------------------
@transaction.atomic
def do_sync_targets(actor: Any) -> int:
    """Bring the target register up to date with the enterprises (industry, key flag); returns new rows."""
    require(actor, "inspections.edit_registers", None, _("您无权维护检查对象名录库"))
    created = 0
    for ent in Enterprise.objects.filter(is_active=True).select_related("division"):
        _row, new = Target.objects.update_or_create(
            enterprise=ent,
            defaults={
                "division": ent.division,
                "industry": ent.industry,
                "key_supervision": ent.key_supervision,
            },
        )
        created += int(new)
    audit.record("inspections.target.sync", None, actor=actor, after={"created": created})
    return created


@transaction.atomic
def do_declare_recusal(
    actor: Any, inspector: Inspector, *, enterprise: Enterprise, kind: str, note: str = ""
) -> Recusal:
    """A relation that keeps the inspector out of every draw for that enterprise (行政处罚法 §43)."""
    require(actor, "inspections.declare_recusal", inspector, _("您无权为该执法人员登记回避关系"))
    if Recusal.objects.filter(inspector=inspector, enterprise=enterprise, kind=kind).exists():
        raise Conflict(_("该回避关系已经登记"), field="enterprise")
    row = Recusal.objects.create(inspector=inspector, enterprise=enterprise, kind=kind, note=note)
    audit.record(
        "inspections.recusal.declare",
        inspector,
        actor=actor,
        after={"enterprise": enterprise.pk, "kind": kind, "note": note},
    )
    return row


# --- Plans and draws -------------------------------------------------------------------------------------
def check_create_plan(
    actor: Any, *, division: Any, ratio: Any, cross_district: bool, cross_basis: str
) -> None:
    require(actor, "inspections.create_plan", None, _("您无权制定抽查计划"))
    try:
        rules.parse_ratio(ratio)
    except rules.RuleError as exc:
        raise _rule_error(exc) from exc
    if cross_district and not cross_basis.strip():
        raise ActionError(_("异地交叉检查须记录法律依据或委托"), field="cross_basis", code="required")
    if division is None:
        raise ActionError(_("请选择实施区域"), field="division", code="required")
    require(actor, "inspections.plan_in", division, _("实施区域须在您的管辖范围内"), field="division")


@transaction.atomic
def do_create_plan(
    actor: Any,
    *,
    name: str,
    year: int,
    division: Any,
    mode: str,
    ratio: Any,
    industry: str = "",
    cross_district: bool = False,
    cross_basis: str = "",
) -> Plan:
    check_create_plan(
        actor, division=division, ratio=ratio, cross_district=cross_district, cross_basis=cross_basis
    )
    plan = Plan.objects.create(
        name=name,
        year=year,
        department=actor.department,
        division=division,
        mode=mode,
        ratio=rules.parse_ratio(ratio),
        industry=industry,
        cross_district=cross_district,
        cross_basis=cross_basis,
        created_by=actor,
    )
    audit.record(
        "inspections.plan.create",
        plan,
        actor=actor,
        after=snapshot(plan, ["name", "year", "mode", "ratio", "cross_district", "cross_basis"]),
    )
    return plan


def draw_pool(plan: Plan) -> tuple[list[rules.DrawTarget], list[rules.DrawInspector]]:
    """The inputs of a plan's draw, read from the registers (the whole city's inspectors: the rule
    decides who is eligible for each target)."""
    targets_qs = Target.objects.filter(division__path__startswith=plan.division.path).select_related(
        "division"
    )
    if plan.industry:
        targets_qs = targets_qs.filter(industry=plan.industry)
    targets = [rules.DrawTarget(id=t.pk, division=t.division.path, key=t.key_supervision) for t in targets_qs]
    by_enterprise = {t.enterprise_id: t.pk for t in targets_qs}
    conflicts: dict[int, set[int]] = {}
    for inspector_id, enterprise_id in Recusal.objects.values_list("inspector_id", "enterprise_id"):
        if enterprise_id in by_enterprise:
            conflicts.setdefault(inspector_id, set()).add(by_enterprise[enterprise_id])
    inspectors = [
        rules.DrawInspector(
            id=i.pk,
            division=i.division.path,
            certificate_expiry=i.certificate_expiry,
            conflicts=frozenset(conflicts.get(i.pk, ())),
        )
        for i in Inspector.objects.select_related("division")
    ]
    return targets, inspectors


@transaction.atomic
def do_draw(actor: Any, plan: Plan, *, seed: str | None = None, on: dt.date | None = None) -> Draw:
    require(actor, "inspections.draw", plan, _("您无权对该计划进行抽取"))
    plan = lock(plan)
    if plan.state != PlanState.DRAFT:
        raise Conflict(_("该计划已经抽取"), field="state")
    seed = seed or secrets.token_hex(16)
    on = on or timezone.localdate()
    targets, inspectors = draw_pool(plan)
    try:
        inputs = rules.draw_inputs(
            targets,
            inspectors,
            ratio=plan.ratio,
            on=on,
            cross_district=plan.cross_district,
            basis=plan.cross_basis,
        )
        result = rules.draw(
            seed,
            targets,
            inspectors,
            ratio=plan.ratio,
            on=on,
            cross_district=plan.cross_district,
            basis=plan.cross_basis,
        )
    except rules.RuleError as exc:
        raise _rule_error(exc) from exc
    record = Draw.objects.create(
        plan=plan,
        seed=seed,
        algorithm=result.algorithm,
        inputs=inputs,
        result=result.as_data(),
        drawn_by=actor,
    )
    by_pk = Target.objects.in_bulk([t for t, _i in result.assignments])
    for target_id, inspector_ids in result.assignments:
        target = by_pk[target_id]
        inspection = Inspection.objects.create(
            plan=plan,
            target=target,
            enterprise_id=target.enterprise_id,
            division_id=target.division_id,
            mode=plan.mode,
        )
        inspection.inspectors.set(inspector_ids)
    plan.state = PlanState.DRAWN
    plan.save(update_fields=["state"])
    audit.record(
        "inspections.plan.draw",
        plan,
        actor=actor,
        after={"seed": seed, "algorithm": result.algorithm, "result": result.as_data()},
    )
    return record


def verify(record: Draw) -> bool:
    """Re-run the draw from its published seed and inputs; True when it gives the stored result."""
    try:
        again = rules.redraw(record.seed, record.inputs, record.algorithm)
    except rules.RuleError:
        return False
    return again.as_data() == record.result


# --- The inspection ----------------------------------------------------------------------------------
@transaction.atomic
def do_start(actor: Any, inspection: Inspection, *, representative: str = "") -> Inspection:
    require(actor, "inspections.start", inspection, _("只有抽取的执法人员可以开始检查"))
    inspection = lock(inspection)
    if inspection.state != InspectionState.PLANNED:
        raise Conflict(_("检查状态已变化,请刷新后重试"), field="state")
    was_hidden = inspection.hidden
    before = snapshot(inspection, ["state"])
    inspection.state = InspectionState.STARTED
    inspection.started_at = timezone.now()
    inspection.representative = representative
    inspection.save(update_fields=["state", "started_at", "representative"])
    if was_hidden:
        # The covert or surprise inspection becomes visible to the target now: who revealed it, when.
        audit.record(
            "inspections.inspection.reveal", inspection, actor=actor, note=inspection.get_mode_display()
        )
    audit.record(
        "inspections.inspection.start",
        inspection,
        actor=actor,
        before=before,
        after=snapshot(inspection, ["state", "started_at"]),
    )
    return inspection


def check_add_finding(
    actor: Any, inspection: Inspection, *, item: CheckItem | None, description: str, rectify_by: dt.date
) -> None:
    require(actor, "inspections.record", inspection, _("只有本次检查的执法人员可以记录问题"))
    if inspection.state != InspectionState.STARTED:
        raise Conflict(_("检查尚未开始或已结束"), field="state")
    if not description.strip():
        raise ActionError(_("请填写问题描述"), field="description", code="required")
    if item is not None and item.industry != inspection.target.industry:
        raise ActionError(_("检查事项不属于该单位的行业"), field="item")
    if rectify_by < timezone.localdate():
        raise ActionError(_("整改期限不能早于今天"), field="rectify_by")


@transaction.atomic
def do_add_finding(
    actor: Any, inspection: Inspection, *, item: CheckItem | None, description: str, rectify_by: dt.date
) -> Finding:
    inspection = lock(inspection)  # the state is re-read under the lock: a finish cannot slip in between
    check_add_finding(actor, inspection, item=item, description=description, rectify_by=rectify_by)
    major = bool(item and item.major)
    finding = Finding.objects.create(
        inspection=inspection, item=item, description=description, major=major, rectify_by=rectify_by
    )
    case = hazard_services.create_case_from_source(
        actor=actor,
        source="inspection",
        title=(item.title if item else description)[:100],
        description=description,
        category_code=inspection.target.industry,
        enterprise=inspection.enterprise,
        division=inspection.division,
        origin_obj=finding,
        grade="major" if major else None,
    )
    finding.hazard_case_id = case.pk
    finding.save(update_fields=["hazard_case_id"])
    due = dt.datetime.combine(rectify_by, dt.time(23, 59, 59), workcal.TZ)
    deadlines.create(
        finding,
        kind=RECTIFY_KIND,
        title=_("整改期限:%(what)s") % {"what": description[:60]},
        due_at=due,
        remind_before=dt.timedelta(days=2),
        division=inspection.division,
    )
    audit.record(
        "inspections.finding.create",
        inspection,
        actor=actor,
        after={
            "finding": finding.pk,
            "major": major,
            "hazard_case": case.pk,
            "rectify_by": rectify_by.isoformat(),
        },
    )
    return finding


@transaction.atomic
def do_finish(actor: Any, inspection: Inspection) -> Inspection:
    require(actor, "inspections.finish", inspection, _("只有本次检查的执法人员可以结束检查"))
    inspection = lock(inspection)
    if inspection.state != InspectionState.STARTED:
        raise Conflict(_("检查状态已变化,请刷新后重试"), field="state")
    before = snapshot(inspection, ["state"])
    now = timezone.now()
    open_findings = inspection.findings.filter(state=FindingState.OPEN).exists()
    inspection.state = InspectionState.FINISHED if open_findings else InspectionState.CLOSED
    inspection.ended_at = now
    inspection.publish_by = rules.publication_deadline(timezone.localdate(now), workcal.load_overrides())
    inspection.save(update_fields=["state", "ended_at", "publish_by"])
    Target.objects.filter(pk=inspection.target_id).update(last_inspected=timezone.localdate(now))
    deadlines.create(
        inspection,
        kind=PUBLISH_KIND,
        title=_("公示检查结果:%(what)s") % {"what": str(inspection)},
        due_at=dt.datetime.combine(inspection.publish_by, dt.time(23, 59, 59), workcal.TZ),
        remind_before=dt.timedelta(days=5),
        division=inspection.division,
        department=inspection.plan.department,
    )
    audit.record(
        "inspections.inspection.finish",
        inspection,
        actor=actor,
        before=before,
        after=snapshot(inspection, ["state", "ended_at", "publish_by"]),
    )
    return inspection


@transaction.atomic
def do_reinspect(actor: Any, finding: Finding, *, passed: bool, note: str = "") -> Finding:
    """复查: a passed re-inspection closes the finding's deadline, and the inspection once all pass."""
    inspection = finding.inspection
    require(actor, "inspections.reinspect", inspection, _("只有本次检查的执法人员可以复查"))
    finding = lock(finding)
    if finding.state != FindingState.OPEN or inspection.state != InspectionState.FINISHED:
        raise Conflict(_("该问题不在待复查状态"), field="state")
    if not passed and not note.strip():
        raise ActionError(_("复查不合格须写明意见"), field="note", code="required")
    before = snapshot(finding, ["state"])
    finding.reinspected_at = timezone.now()
    finding.reinspection_note = note
    if passed:
        finding.state = FindingState.RECTIFIED
        deadlines.close(finding, kind=RECTIFY_KIND)
    finding.save(update_fields=["state", "reinspected_at", "reinspection_note"])
    audit.record(
        "inspections.finding.reinspect",
        inspection,
        actor=actor,
        before=before,
        after={"finding": finding.pk, "state": finding.state, "passed": passed},
        note=note,
    )
    if passed and not inspection.findings.filter(state=FindingState.OPEN).exists():
        Inspection.objects.filter(pk=inspection.pk).update(state=InspectionState.CLOSED)
        audit.record(
            "inspections.inspection.close",
            inspection,
            actor=actor,
            before={"state": InspectionState.FINISHED},
            after={"state": InspectionState.CLOSED},
        )
    return finding


@transaction.atomic
def do_publish(actor: Any, inspection: Inspection) -> Inspection:
    """Publish the result on the portal (what is shown omits personal data: see selectors)."""
    require(actor, "inspections.publish", inspection, _("您无权公示该检查结果"))
    inspection = lock(inspection)
    if inspection.ended_at is None:
        raise Conflict(_("检查结束后才能公示结果"), field="state")
    if inspection.published_at is not None:
        raise Conflict(_("该检查结果已经公示"), field="published_at")
    inspection.published_at = timezone.now()
    inspection.save(update_fields=["published_at"])
    deadlines.close(inspection, kind=PUBLISH_KIND)
    audit.record(
        "inspections.inspection.publish",
        inspection,
        actor=actor,
        after=snapshot(inspection, ["published_at"]),
    )
    return inspection


# --- Special-work permits -------------------------------------------------------------------------------
def _samples(raw: list[dict[str, Any]]) -> list[rules.GasSample]:
    out = []
    for row in raw:
        out.append(
            rules.GasSample(
                sampled_at=row["sampled_at"],
                lel=row.get("lel"),
                concentration=row.get("concentration"),
                oxygen=row.get("oxygen"),
            )
        )
    return out


def check_apply_permit(
    actor: Any,
    enterprise: Enterprise,
    *,
    work_type: str,
    grade: str,
    valid_from: dt.datetime,
    valid_until: dt.datetime,
    gas_analyses: list[dict[str, Any]],
) -> None:
    require(actor, "inspections.apply_permit", enterprise, _("只能为本单位申请作业票"))
    try:
        rules.check_permit(work_type, grade, valid_from, valid_until, _samples(gas_analyses))
    except rules.RuleError as exc:
        raise _rule_error(exc) from exc


@transaction.atomic
def do_apply_permit(
    actor: Any,
    enterprise: Enterprise,
    *,
    work_type: str,
    grade: str,
    location: str,
    work: str,
    applicant: str,
    guardian: str,
    valid_from: dt.datetime,
    valid_until: dt.datetime,
    gas_analyses: list[dict[str, Any]],
    measures: list[str] | None = None,
) -> WorkPermit:
    check_apply_permit(
        actor,
        enterprise,
        work_type=work_type,
        grade=grade,
        valid_from=valid_from,
        valid_until=valid_until,
        gas_analyses=gas_analyses,
    )
    stored = [{**row, "sampled_at": row["sampled_at"].isoformat()} for row in gas_analyses]
    stored = [
        {k: (str(v) if v is not None and k != "sampled_at" else v) for k, v in row.items()} for row in stored
    ]
    permit = WorkPermit.objects.create(
        enterprise=enterprise,
        division=enterprise.division,
        work_type=work_type,
        grade=grade,
        location=location,
        work=work,
        applicant=applicant,
        guardian=guardian,
        valid_from=valid_from,
        valid_until=valid_until,
        gas_analyses=stored,
        measures=measures or [],
        created_by=actor,
    )
    audit.record(
        "inspections.permit.apply",
        permit,
        actor=actor,
        after=snapshot(permit, ["work_type", "grade", "valid_from", "valid_until"]),
    )
    return permit


@transaction.atomic
def do_approve_permit(actor: Any, permit: WorkPermit, *, level: str) -> WorkPermit:
    require(actor, "inspections.approve_permit", permit, _("您无权审批该作业票"))
    permit = lock(permit)
    if permit.state != PermitState.APPLIED:
        raise Conflict(_("作业票状态已变化,请刷新后重试"), field="state")
    try:
        enough = rules.approver_suffices(level, permit.work_type, permit.grade)
    except rules.RuleError as exc:
        raise _rule_error(exc) from exc
    if not enough:
        raise ActionError(
            _("该级别作业须由%(level)s审批")
            % {"level": rules.required_approver(permit.work_type, permit.grade)},
            field="approver_level",
            code="insufficient",
        )
    before = snapshot(permit, ["state"])
    permit.state = PermitState.APPROVED
    permit.approver = actor
    permit.approver_level = level
    permit.approved_at = timezone.now()
    permit.save(update_fields=["state", "approver", "approver_level", "approved_at"])
    audit.record(
        "inspections.permit.approve",
        permit,
        actor=actor,
        before=before,
        after=snapshot(permit, ["state", "approver_level"]),
    )
    return permit

"""The registers (targets, recusals) and the plans with their random draws (双随机)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit
from pingan.core.actions import ActionError, Conflict, lock
from pingan.core.audit import snapshot
from pingan.core.permissions import require
from pingan.org.models import Enterprise

from .. import rules
from ..choices import PlanState
from ..models import Draw, Inspection, Inspector, Plan, Recusal, Target
from .common import _rule_error


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

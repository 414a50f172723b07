"""Special-work permits (特殊作业票): the application with its gas analyses, and approval at the
required level."""

from __future__ import annotations

import datetime as dt
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
from ..choices import PermitState
from ..models import WorkPermit
from .common import _rule_error


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

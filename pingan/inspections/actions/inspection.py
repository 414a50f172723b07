"""The inspection itself: start, findings (each opens a hazard case), finish, re-inspection (复查)
and the publication of the result."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit, deadlines, workcal
from pingan.core.actions import ActionError, Conflict, lock
from pingan.core.audit import snapshot
from pingan.core.permissions import require
from pingan.hazards import services as hazard_services

from .. import rules
from ..choices import FindingState, InspectionState
from ..models import CheckItem, Finding, Inspection, Target
from .common import PUBLISH_KIND, RECTIFY_KIND


# --- The inspection ----------------------------------------------------------------------------------
@transaction.atomic
def do_start(
    actor: Any, inspection: Inspection, *, representative: str = "", at: dt.datetime | None = None
) -> Inspection:
    """Start the inspection (`at`: when it started on site, for a record synced later from a phone)."""
    require(actor, "inspections.start", inspection, _("只有抽取的执法人员可以开始检查"))
    inspection = lock(inspection)
    if inspection.state != InspectionState.PLANNED:
        raise Conflict(_("检查状态已变化,请刷新后重试"), field="state")
    was_hidden = inspection.hidden
    before = snapshot(inspection, ["state"])
    inspection.state = InspectionState.STARTED
    inspection.started_at = at or timezone.now()
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

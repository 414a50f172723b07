"""Enforcement documents and penalties: issuing a numbered document from the record, the penalty's
notice (告知书), decision (决定书) and payment.

Numbers are per department, year and kind, without gaps: the counter row is locked (SELECT … FOR
UPDATE) and incremented in the transaction that stores the document, so two people issuing at once
get consecutive numbers and a failed issue gives its number back by rolling back.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit, deadlines, workcal
from pingan.core.actions import ActionError, Conflict, lock
from pingan.core.audit import snapshot
from pingan.core.permissions import require
from pingan.notify.services import notify
from pingan.org.models import User

from .. import documents, rules
from ..choices import DOCUMENT_ABBREVIATIONS, DocumentKind, FindingState, PenaltyState
from ..models import DocumentCounter, EnforcementDocument, Inspection, Penalty
from .common import PAY_KIND, _rule_error

# Kinds issued from the inspection itself (the penalty's two are issued by the penalty actions).
RECORD_KINDS = (DocumentKind.SITE_RECORD, DocumentKind.RECTIFY_ORDER, DocumentKind.REVIEW_OPINION)
# Kinds an inspection has at most once (a re-inspection may be repeated, so may its opinion).
ONCE = (DocumentKind.SITE_RECORD, DocumentKind.RECTIFY_ORDER)


def next_number(department: Any, year: int, kind: str) -> int:
    """Take the next number of the department's series; call inside the issuing transaction."""
    counter, _created = DocumentCounter.objects.get_or_create(department=department, year=year, kind=kind)
    counter = DocumentCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return int(counter.last)


def _issue(
    actor: Any, inspection: Inspection, kind: str, *, penalty: Penalty | None = None
) -> EnforcementDocument:
    department = inspection.plan.department
    today = timezone.localdate()
    content = documents.build_content(kind, inspection, penalty=penalty, on=today)
    seq = next_number(department, today.year, kind)
    prefix = str(department.short_name or department.name)
    doc = EnforcementDocument.objects.create(
        inspection=inspection,
        penalty=penalty,
        kind=kind,
        department=department,
        year=today.year,
        seq=seq,
        number=rules.document_number(prefix, DOCUMENT_ABBREVIATIONS[DocumentKind(kind)], today.year, seq),
        content=content,
        issued_by=actor,
    )
    audit.record(
        "inspections.document.issue",
        inspection,
        actor=actor,
        after={"document": doc.pk, "kind": kind, "number": doc.number},
    )
    return doc


def check_issue_document(actor: Any, inspection: Inspection, kind: str) -> None:
    require(actor, "inspections.issue_document", inspection, _("只有本次检查的执法人员可以制作执法文书"))
    if kind not in RECORD_KINDS:
        raise ActionError(_("未知的文书种类"), field="kind")
    if inspection.started_at is None:
        raise Conflict(_("检查开始后才能制作执法文书"), field="state")
    if kind in ONCE and inspection.documents.filter(kind=kind).exists():
        raise Conflict(_("该检查已制作过此种文书"), field="kind")
    findings = inspection.findings.all()
    if kind == DocumentKind.RECTIFY_ORDER and not findings.filter(state=FindingState.OPEN).exists():
        raise ActionError(_("没有待整改的问题,无需责令限期整改"), field="kind")
    if kind == DocumentKind.REVIEW_OPINION and not findings.exclude(reinspected_at=None).exists():
        raise ActionError(_("复查后才能制作整改复查意见书"), field="kind")


@transaction.atomic
def do_issue_document(actor: Any, inspection: Inspection, kind: str) -> EnforcementDocument:
    inspection = lock(inspection)
    check_issue_document(actor, inspection, kind)
    return _issue(actor, inspection, kind)


# --- Penalties ---------------------------------------------------------------------------------------
def check_notify_penalty(
    actor: Any, inspection: Inspection, *, facts: str, basis: str, amount: Any
) -> Decimal:
    require(actor, "inspections.penalise", inspection, _("您无权对该单位作出行政处罚"))
    if inspection.started_at is None:
        raise Conflict(_("检查开始后才能作出行政处罚"), field="state")
    try:
        return rules.check_penalty(amount, basis, facts)
    except rules.RuleError as exc:
        raise _rule_error(exc) from exc


@transaction.atomic
def do_notify_penalty(actor: Any, inspection: Inspection, *, facts: str, basis: str, amount: Any) -> Penalty:
    """行政处罚告知: the penalty enters the register and its notice (告知书) is issued."""
    inspection = lock(inspection)
    value = check_notify_penalty(actor, inspection, facts=facts, basis=basis, amount=amount)
    penalty = Penalty.objects.create(
        inspection=inspection,
        enterprise=inspection.enterprise,
        division=inspection.division,
        department=inspection.plan.department,
        facts=facts.strip(),
        basis=basis.strip(),
        amount=value,
        created_by=actor,
    )
    audit.record(
        "inspections.penalty.notify",
        penalty,
        actor=actor,
        after=snapshot(penalty, ["state", "amount", "basis"]),
    )
    _issue(actor, inspection, DocumentKind.PENALTY_NOTICE, penalty=penalty)
    return penalty


@transaction.atomic
def do_decide_penalty(actor: Any, penalty: Penalty) -> Penalty:
    """行政处罚决定: after the party's time to ask for a hearing; sets the payment deadline."""
    require(actor, "inspections.penalise", penalty.inspection, _("您无权对该单位作出行政处罚"))
    penalty = lock(penalty)
    if penalty.state == PenaltyState.HEARING:
        raise Conflict(_("当事人已申请听证,听证举行后方可作出决定"), field="state", code="hearing")
    if penalty.state != PenaltyState.NOTIFIED:
        raise Conflict(_("处罚状态已变化,请刷新后重试"), field="state")
    today = timezone.localdate()
    earliest = rules.earliest_decision(timezone.localdate(penalty.notified_at))
    # After a hearing the decision rests on its record (§65); the request period is over anyway.
    if penalty.heard_at is None and today < earliest:
        raise ActionError(
            _("当事人申请听证的期限未满,%(day)s起方可作出决定") % {"day": earliest.isoformat()},
            field="decided_at",
            code="too_early",
        )
    before = snapshot(penalty, ["state"])
    penalty.state = PenaltyState.DECIDED
    penalty.decided_at = timezone.now()
    penalty.pay_by = rules.payment_due(today)
    penalty.save(update_fields=["state", "decided_at", "pay_by"])
    deadlines.create(
        penalty,
        kind=PAY_KIND,
        title=_("罚款缴纳期限:%(what)s") % {"what": str(penalty.enterprise.name)},
        due_at=dt.datetime.combine(penalty.pay_by, dt.time(23, 59, 59), workcal.TZ),
        remind_before=dt.timedelta(days=3),
        division=penalty.division,
        department=penalty.department,
    )
    audit.record(
        "inspections.penalty.decide",
        penalty,
        actor=actor,
        before=before,
        after=snapshot(penalty, ["state", "decided_at", "pay_by"]),
    )
    _issue(actor, penalty.inspection, DocumentKind.PENALTY_DECISION, penalty=penalty)
    return penalty


@transaction.atomic
def do_record_payment(actor: Any, penalty: Penalty) -> Penalty:
    require(actor, "inspections.penalise", penalty.inspection, _("您无权登记罚款缴纳"))
    penalty = lock(penalty)
    if penalty.state != PenaltyState.DECIDED:
        raise Conflict(_("只有已决定的处罚才能登记缴纳"), field="state")
    before = snapshot(penalty, ["state"])
    penalty.state = PenaltyState.PAID
    penalty.paid_at = timezone.now()
    # A late payment carries the 加处罚款 of §72 as of the day it is paid.
    penalty.surcharge = rules.late_surcharge(penalty.amount, penalty.pay_by, timezone.localdate())
    penalty.save(update_fields=["state", "paid_at", "surcharge"])
    deadlines.close(penalty, kind=PAY_KIND)
    audit.record(
        "inspections.penalty.pay",
        penalty,
        actor=actor,
        before=before,
        after=snapshot(penalty, ["state", "paid_at", "surcharge"]),
    )
    return penalty


# --- Hearings (听证, 行政处罚法 §63–65) ------------------------------------------------------------------
def check_request_hearing(actor: Any, penalty: Penalty) -> None:
    require(actor, "inspections.request_hearing", penalty, _("只有当事人或处罚机关可以登记听证申请"))
    if penalty.state != PenaltyState.NOTIFIED or penalty.hearing_requested_at is not None:
        raise Conflict(_("该处罚不能再申请听证"), field="state")
    if not rules.hearing_request_open(timezone.localdate(penalty.notified_at), timezone.localdate()):
        raise ActionError(
            _("申请听证的期限(告知后五日内)已过"), field="hearing_requested_at", code="too_late"
        )


@transaction.atomic
def do_request_hearing(actor: Any, penalty: Penalty) -> Penalty:
    """The party asks for a hearing within 5 days of the notice; the decision waits for it."""
    penalty = lock(penalty)
    check_request_hearing(actor, penalty)
    before = snapshot(penalty, ["state"])
    penalty.state = PenaltyState.HEARING
    penalty.hearing_requested_at = timezone.now()
    penalty.save(update_fields=["state", "hearing_requested_at"])
    audit.record(
        "inspections.penalty.hearing_request",
        penalty,
        actor=actor,
        before=before,
        after=snapshot(penalty, ["state", "hearing_requested_at"]),
    )
    notify(
        list(User.objects.filter(department=penalty.department_id, is_active=True)),
        event="inspections.penalty.hearing_requested",
        title=_("当事人申请听证:%(what)s") % {"what": str(penalty.enterprise.name)},
        url=reverse("inspections:detail", args=[penalty.inspection_id]),
    )
    return penalty


@transaction.atomic
def do_schedule_hearing(actor: Any, penalty: Penalty, *, hearing_on: Any, place: str) -> Penalty:
    """The authority sets the hearing's day and place, telling the party at least 7 days ahead."""
    require(actor, "inspections.penalise", penalty.inspection, _("您无权安排听证"))
    penalty = lock(penalty)
    if penalty.state != PenaltyState.HEARING or penalty.heard_at is not None:
        raise Conflict(_("只有已申请听证的处罚可以安排听证"), field="state")
    try:
        day = rules.check_hearing_date(hearing_on, timezone.localdate())
    except rules.RuleError as exc:
        raise _rule_error(exc) from exc
    if not (place or "").strip():
        raise ActionError(_("请填写听证地点"), field="place", code="required")
    before = snapshot(penalty, ["hearing_on", "hearing_place"])
    penalty.hearing_on = day
    penalty.hearing_place = place.strip()[:200]
    penalty.save(update_fields=["hearing_on", "hearing_place"])
    audit.record(
        "inspections.penalty.hearing_schedule",
        penalty,
        actor=actor,
        before=before,
        after=snapshot(penalty, ["hearing_on", "hearing_place"]),
    )
    notify(
        list(User.objects.filter(enterprise=penalty.enterprise_id, is_active=True)),
        event="inspections.penalty.hearing_scheduled",
        title=_("听证通知:%(day)s,%(place)s") % {"day": day.isoformat(), "place": penalty.hearing_place},
        url="",
    )
    return penalty


@transaction.atomic
def do_record_hearing(actor: Any, penalty: Penalty, *, note: str) -> Penalty:
    """The hearing was held: its record is summarised and the decision may follow (§65)."""
    require(actor, "inspections.penalise", penalty.inspection, _("您无权登记听证"))
    penalty = lock(penalty)
    if penalty.state != PenaltyState.HEARING:
        raise Conflict(_("只有听证中的处罚可以登记听证结果"), field="state")
    if penalty.hearing_on is None:
        raise Conflict(_("请先安排听证的时间和地点"), field="hearing_on")
    if timezone.localdate() < penalty.hearing_on:
        raise ActionError(_("听证日期未到"), field="hearing_on", code="too_early")
    if not (note or "").strip():
        raise ActionError(_("请填写听证笔录摘要"), field="note", code="required")
    before = snapshot(penalty, ["state"])
    penalty.state = PenaltyState.NOTIFIED
    penalty.heard_at = timezone.now()
    penalty.hearing_note = note.strip()
    penalty.save(update_fields=["state", "heard_at", "hearing_note"])
    audit.record(
        "inspections.penalty.hearing_record",
        penalty,
        actor=actor,
        before=before,
        after=snapshot(penalty, ["state", "heard_at"]),
    )
    return penalty

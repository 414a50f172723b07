"""The paper trail of a case: a co-handler finishing its task (完成协办), attachments (PDF, Word) and
the printed notices (整改通知书, 督办通知书), each numbered per issuing department, year and kind."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core import audit
from pingan.core.actions import ActionError, Conflict, lock
from pingan.core.permissions import require

from .. import rules
from ..choices import NoticeKind, TaskRole, TaskState
from ..models import Attachment, CaseTask, HazardCase, Notice, NoticeCounter
from .common import _who, dispatch_centre_for
from .handling import do_update_task


@transaction.atomic
def do_finish_cotask(actor: Any, case: HazardCase, *, note: str) -> CaseTask:
    """完成协办: the co-handling department reports its part done (with a note); the lead may then
    submit the case for acceptance."""
    require(actor, "hazards.finish_cotask", case, _("贵部门在该隐患上没有待完成的协办任务"), field="task")
    return do_update_task(actor, case, state=TaskState.DONE, note=note)


def waiting_co_tasks(case: HazardCase) -> list[CaseTask]:
    """The co-handlers' tasks still open: the lead's 提交验收 waits for them."""
    return list(
        case.tasks.filter(role=TaskRole.CO, state__in=[TaskState.PENDING, TaskState.WORKING]).select_related(
            "department"
        )
    )


# --- Attachments ------------------------------------------------------------------------------------
@transaction.atomic
def do_add_attachment(actor: Any, case: HazardCase, *, file: Any) -> Attachment:
    from django.conf import settings

    from ..attachments import read_attachment

    require(actor, "hazards.upload_attachment", case, _("您不能为该隐患上传附件"), field="file")
    case = lock(case)
    cap = getattr(settings, "HAZARDS_ATTACHMENTS_PER_CASE", rules.ATTACHMENT_RULE["per_case"])
    if case.attachments.count() >= cap:
        raise ActionError(_("每个隐患最多 %(n)d 个附件") % {"n": cap}, field="file", code="too_many")
    data, fmt, name = read_attachment(file)
    att = Attachment(
        case=case,
        name=name,
        format=fmt,
        size=len(data),
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    att.file.save("attachment", ContentFile(data), save=False)
    att.save()
    audit.record(
        "hazards.case.attachment",
        case,
        actor=_who(actor),
        after={"attachment": str(att.public_id), "name": name, "format": fmt, "size": len(data)},
    )
    return att


# --- Notices ----------------------------------------------------------------------------------------
NOTICE_PERMISSIONS = {
    NoticeKind.RECTIFY: "hazards.issue_rectify_notice",
    NoticeKind.SUPERVISE: "hazards.issue_supervise_notice",
}


def notice_refusal(case: HazardCase, kind: str, now: Any = None) -> str | None:
    return rules.notice_refusal(
        kind,
        case.state,
        has_lead=case.lead_department_id is not None,
        listed=case.listed,
        overdue=case.is_overdue(now),
    )


NOTICE_MESSAGES = {
    "unknown_kind": gettext_lazy("未知的通知书类型"),
    "bad_state": gettext_lazy("当前状态下不能发出该通知书"),
    "not_overdue": gettext_lazy("督办通知书只用于超期或挂牌督办的隐患"),
}


@transaction.atomic
def do_issue_notice(actor: Any, case: HazardCase, *, kind: str) -> Notice:
    """Issue a notice: its number is the next of the issuing department's series for the year and kind
    (a counter row locked in this transaction, so concurrent issues never share a number and a failed
    issue leaves no gap); its text is frozen from the case now."""
    from ..notices import build_content

    if kind not in NOTICE_PERMISSIONS:
        raise ActionError(str(NOTICE_MESSAGES["unknown_kind"]), field="kind", code="invalid")
    require(actor, NOTICE_PERMISSIONS[kind], case, _("您不能发出该通知书"), field="kind")
    case = lock(case)
    refusal = notice_refusal(case, kind)
    if refusal is not None:
        raise Conflict(str(NOTICE_MESSAGES[refusal]), field="kind")
    department = getattr(actor, "department", None) or dispatch_centre_for(case.division)
    if department is None:
        raise ActionError(_("找不到发文部门"), field="department", code="no_department")
    now = timezone.now()
    year = timezone.localtime(now).year
    counter, _created = NoticeCounter.objects.get_or_create(department=department, year=year, kind=kind)
    counter = NoticeCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    number = rules.notice_number(department.name, kind, year, counter.last)
    try:
        with transaction.atomic():
            notice = Notice.objects.create(
                case=case,
                kind=kind,
                department=department,
                year=year,
                seq=counter.last,
                number=number,
                content=build_content(case, kind, department=department, on=timezone.localdate(now)),
                issued_by=actor if getattr(actor, "is_authenticated", False) else None,
                issued_at=now,
            )
    except IntegrityError as exc:  # the unique constraint is the last guard
        raise Conflict(_("文号冲突,请重试"), field="kind") from exc
    audit.record(
        "hazards.case.notice",
        case,
        actor=_who(actor),
        after={"notice": notice.pk, "kind": kind, "number": number},
    )
    return notice

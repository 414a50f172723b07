"""三防 (flood, wind, drought, freeze) responses: start, change level or end, member reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit, deadlines
from pingan.core.actions import ActionError, Conflict, lock
from pingan.core.audit import snapshot
from pingan.core.permissions import require
from pingan.notify.services import notify

from .. import rules
from ..choices import ResponseLevel, SanfangKind
from ..duty import duty_people
from ..models import SanfangReport, SanfangResponse

SANFANG_DEADLINE = "emergency.sanfang"


# ---------------------------------------------------------------------------------------------
# 三防 responses
# ---------------------------------------------------------------------------------------------


def check_start_sanfang(actor: Any, headquarters: Any) -> None:
    require(actor, "emergency.start_sanfang", None, _("只有三防指挥部工作人员可以启动响应"))
    require(actor, "emergency.start_sanfang", headquarters, _("只能为本辖区的三防指挥部启动响应"))


@transaction.atomic
def do_start_sanfang(
    actor: Any, *, kind: str, level: str, headquarters: Any, members: list[Any], note: str = ""
) -> SanfangResponse:
    check_start_sanfang(actor, headquarters)
    if kind not in SanfangKind.values:
        raise ActionError(_("请选择响应类型"), field="kind", code="invalid")
    if level not in ResponseLevel.values:
        raise ActionError(_("请选择响应级别"), field="level", code="invalid")
    if not members:
        raise ActionError(_("请选择成员单位"), field="members", code="required")
    if SanfangResponse.objects.filter(headquarters=headquarters, kind=kind, ended_at=None).exists():
        raise Conflict(_("该类型的响应已在启动中"), field="kind")
    response = SanfangResponse.objects.create(
        kind=kind,
        level=level,
        headquarters=headquarters,
        division=headquarters.division,
        started_by=actor,
        note=note,
    )
    response.members.set(members)
    audit.record(
        "emergency.sanfang.start",
        response,
        actor=actor,
        after={"kind": kind, "level": level, "members": [m.pk for m in members]},
    )
    reconcile_sanfang(response=response)
    people = [p for m in members for p in duty_people(m.pk)]
    notify(
        people,
        event="emergency.sanfang.started",
        urgent=True,
        title=_("启动%(resp)s:请每日9时、16时前报送工作情况") % {"resp": str(response)},
        url=reverse("emergency:sanfang", args=[response.pk]),
    )
    return response


def check_change_sanfang(
    actor: Any, response: SanfangResponse, *, level: str | None, end: bool, reason: str
) -> str:
    """Who may (a city-level response: city-level people only), in which state, and why: a change of
    level or an end always states its reason, which goes into the audit event."""
    require(actor, "emergency.change_sanfang", None, _("只有三防指挥部工作人员可以调整或终止响应"))
    require(actor, "emergency.change_sanfang", response, _("只能调整或终止本辖区三防指挥部的响应"))
    if response.ended_at is not None:
        raise Conflict(_("该响应已终止"), field="state")
    if not end and (level not in ResponseLevel.values or level == response.level):
        raise ActionError(_("请选择新的响应级别"), field="level", code="invalid")
    reason = (reason or "").strip()
    if not reason:
        raise ActionError(_("请说明调整或终止响应的理由"), field="reason", code="required")
    if len(reason) > 500:
        raise ActionError(_("理由不能超过500字"), field="reason", code="max_length")
    return reason


@transaction.atomic
def do_change_sanfang(
    actor: Any, response: SanfangResponse, *, level: str | None = None, end: bool = False, reason: str = ""
) -> SanfangResponse:
    """Raise or lower the level of a 三防 response, or end it (the reason is required and audited)."""
    check_change_sanfang(actor, response, level=level, end=end, reason=reason)
    response = lock(response)
    reason = check_change_sanfang(actor, response, level=level, end=end, reason=reason)
    before = snapshot(response, ["level", "ended_at"])
    if end:
        response.ended_at = timezone.now()
        for item in SanfangReport.objects.filter(
            response=response, submitted_at=None, due_at__gt=response.ended_at
        ):
            deadlines.cancel(item, kind=SANFANG_DEADLINE)
            item.delete()
    else:
        response.level = level
    response.save()
    audit.record(
        "emergency.sanfang.end" if end else "emergency.sanfang.level",
        response,
        actor=actor,
        before=before,
        after={**snapshot(response, ["level", "ended_at"]), "reason": reason},
        note=reason,
    )
    return response


def reconcile_sanfang(now: dt.datetime | None = None, response: SanfangResponse | None = None) -> int:
    """Idempotent: make sure every active response has the member reports due up to the next slot
    (and each one a deadline row). Called when a response starts and by a periodic task."""
    now = now or timezone.now()
    created = 0
    qs = SanfangResponse.objects.filter(ended_at=None).prefetch_related("members")
    if response is not None:
        qs = qs.filter(pk=response.pk)
    for resp in qs:
        horizon = rules.next_sanfang_slot(now)
        slots = rules.sanfang_slots(resp.started_at, horizon)
        have = set(SanfangReport.objects.filter(response=resp).values_list("department_id", "due_at"))
        for due in slots:
            for member in resp.members.all():
                if (member.pk, due) in have:
                    continue
                item = SanfangReport.objects.create(response=resp, department=member, due_at=due)
                deadlines.create(
                    item,
                    kind=SANFANG_DEADLINE,
                    due_at=due,
                    title=_("%(resp)s工作情况报告") % {"resp": str(resp)},
                    remind_before=dt.timedelta(hours=1),
                    division=member.division,
                    department=member,
                )
                created += 1
    return created


def check_submit_sanfang(actor: Any, item: SanfangReport, text: str) -> None:
    require(actor, "emergency.submit_sanfang", item, _("只能报送本单位的报告"))
    if item.submitted_at is not None:
        raise Conflict(_("该时段已报送"), field="state")
    if not text.strip():
        raise ActionError(_("请填写报告内容"), field="text", code="required")


@transaction.atomic
def do_submit_sanfang(actor: Any, item: SanfangReport, *, text: str) -> SanfangReport:
    check_submit_sanfang(actor, item, text)
    item = lock(item)
    check_submit_sanfang(actor, item, text)
    now = timezone.now()
    item.submitted_at, item.submitted_by, item.text = now, actor, text
    item.is_late = rules.is_late(now, item.due_at)
    item.save()
    deadlines.close(item, kind=SANFANG_DEADLINE, met_at=now)
    audit.record(
        "emergency.sanfang.report",
        item,
        actor=actor,
        after={"is_late": item.is_late},
        division_path=item.response.division.path,
    )
    return item

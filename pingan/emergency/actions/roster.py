"""The duty roster: generating shifts from a rotation, swaps and their approval, handovers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit
from pingan.core.actions import ActionError, Conflict, lock
from pingan.core.audit import snapshot
from pingan.core.permissions import require
from pingan.notify.services import notify

from .. import rules
from ..choices import ShiftRole, SwapState
from ..duty import LEADER_ROLES, recipients
from ..models import DutyPost, Handover, RotationTemplate, Shift, ShiftSwap

# ---------------------------------------------------------------------------------------------
# Duty roster
# ---------------------------------------------------------------------------------------------


def check_roster(actor: Any, post: DutyPost) -> None:
    require(actor, "emergency.manage_roster", None, _("只有带班领导和部门工作人员可以排班"))
    require(actor, "emergency.manage_roster", post, _("只能为本部门的值班岗位排班"))


@transaction.atomic
def do_generate_shifts(
    actor: Any, rotation: RotationTemplate, *, days: int = 14, start: dt.datetime | None = None
) -> list[Shift]:
    """Generate the rotation's shifts for the coming `days` (existing shifts are kept)."""
    check_roster(actor, rotation.post)
    if not rotation.crews:
        raise ActionError(_("轮班模板没有班组"), field="crews", code="required")
    if days < 1 or days > 92:
        raise ActionError(_("生成天数应在1到92之间"), field="days", code="out_of_range")
    start = start or timezone.now()
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.in_bulk(
        {pk for c in rotation.crews for pk in [c.get("leader"), *c.get("officers", [])] if pk}
    )
    start_time = rotation.start_time
    if isinstance(start_time, str):  # an unsaved default ("08:30")
        start_time = dt.time.fromisoformat(start_time)
    existing = set(
        Shift.objects.filter(post=rotation.post, starts_at__gte=start - dt.timedelta(days=1)).values_list(
            "starts_at", flat=True
        )
    )
    created = []
    for s, e, crew_i in rules.rotation_shifts(
        rotation.starts_on,
        start_time,
        rotation.shift_hours,
        len(rotation.crews),
        start,
        start + dt.timedelta(days=days),
    ):
        if s in existing:
            continue
        crew = rotation.crews[crew_i]
        shift = Shift.objects.create(
            post=rotation.post,
            starts_at=s,
            ends_at=e,
            rotation=rotation,
            leader=users.get(crew.get("leader")),
        )
        shift.officers.set([users[pk] for pk in crew.get("officers", []) if pk in users])
        created.append(shift)
    audit.record(
        "emergency.rotation.generate",
        rotation,
        actor=actor,
        after={"created": len(created), "days": days},
        division_path=rotation.post.division.path,
    )
    return created


@transaction.atomic
def do_request_swap(
    actor: Any, shift: Shift, *, role: str, from_user: Any, to_user: Any, reason: str = ""
) -> ShiftSwap:
    if role not in ShiftRole.values:
        raise ActionError(_("请选择岗位角色"), field="role", code="invalid")
    if to_user is None:
        raise ActionError(_("请选择替班人"), field="to_user", code="required")
    if role == ShiftRole.LEADER and from_user is not None and shift.leader_id != from_user.pk:
        raise ActionError(_("原值班人不是该班带班领导"), field="from_user", code="invalid")
    if (
        role == ShiftRole.OFFICER
        and from_user is not None
        and not shift.officers.filter(pk=from_user.pk).exists()
    ):
        raise ActionError(_("原值班人不在该班"), field="from_user", code="invalid")
    if shift.ends_at <= timezone.now():
        raise ActionError(_("该班次已结束"), field="shift", code="past")
    swap = ShiftSwap(
        shift=shift, role=role, from_user=from_user, to_user=to_user, reason=reason[:200], requested_by=actor
    )
    require(actor, "emergency.request_swap", swap, _("只能为自己申请换班"))
    swap.save()
    audit.record(
        "emergency.swap.request",
        swap,
        actor=actor,
        after=snapshot(swap, ["shift", "role", "from_user", "to_user"]),
        note=reason,
    )
    approvers = [u for u in [shift.leader] if u is not None and u.pk != actor.pk]
    approvers += [u for u in recipients(shift.post.department_id, LEADER_ROLES) if u.pk != actor.pk]
    notify(
        approvers,
        event="emergency.swap.requested",
        title=_("换班申请:%(shift)s") % {"shift": str(shift)},
        url=reverse("emergency:roster", args=[shift.post_id]),
    )
    return swap


@transaction.atomic
def do_decide_swap(actor: Any, swap: ShiftSwap, *, approve: bool) -> ShiftSwap:
    require(actor, "emergency.decide_swap", None, _("只有带班领导可以审批换班"))
    require(actor, "emergency.decide_swap", swap, _("只能审批本部门值班岗位的他人申请"))
    swap = lock(swap)
    if swap.state != SwapState.PENDING:
        raise Conflict(_("该申请已处理"), field="state")
    swap.state = SwapState.APPROVED if approve else SwapState.REJECTED
    swap.decided_by, swap.decided_at = actor, timezone.now()
    swap.save()
    if approve:
        shift = swap.shift
        if swap.role == ShiftRole.LEADER:
            shift.leader = swap.to_user
            shift.save(update_fields=["leader"])
        else:
            if swap.from_user_id:
                shift.officers.remove(swap.from_user_id)
            shift.officers.add(swap.to_user)
    audit.record("emergency.swap.decide", swap, actor=actor, after={"state": swap.state})
    notify(
        [p for p in (swap.requested_by, swap.to_user, swap.from_user) if p],
        event="emergency.swap.decided",
        title=_("换班申请%(state)s:%(shift)s")
        % {"state": swap.get_state_display(), "shift": str(swap.shift)},
        url=reverse("emergency:roster", args=[swap.shift.post_id]),
    )
    return swap


@transaction.atomic
def do_handover(
    actor: Any, post: DutyPost, *, open_matters: str, notes: str = "", received_by: Any = None
) -> Handover:
    require(actor, "emergency.record_handover", None, _("无权填写交接班记录"))
    require(actor, "emergency.record_handover", post, _("只能填写本部门值班岗位的交接班记录"))
    now = timezone.now()
    from_shift = Shift.objects.filter(post=post, starts_at__lte=now, ends_at__gt=now).first()
    to_shift = (
        Shift.objects.filter(post=post, starts_at__gt=now - dt.timedelta(hours=1))
        .exclude(pk=getattr(from_shift, "pk", None))
        .order_by("starts_at")
        .first()
    )
    handover = Handover.objects.create(
        post=post,
        from_shift=from_shift,
        to_shift=to_shift,
        handed_by=actor,
        received_by=received_by,
        open_matters=open_matters,
        notes=notes,
    )
    audit.record(
        "emergency.handover.record",
        handover,
        actor=actor,
        after={"received_by": getattr(received_by, "pk", None)},
        note=open_matters,
    )
    return handover

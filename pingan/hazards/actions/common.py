"""What every hazard action shares: the audit actor, deadlines, notifications, and the locked
beginning and the recorded end of a transition."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit, deadlines, workcal
from pingan.core.actions import ActionError, Conflict, lock
from pingan.core.audit import snapshot
from pingan.core.permissions import may, require
from pingan.geo.models import Division
from pingan.notify.services import notify
from pingan.org.choices import Sector
from pingan.org.models import Department, User

from .. import permissions, rules
from ..choices import (
    Grade,
    ReviewState,
    TaskRole,
    TaskState,
)
from ..models import (
    CaseTask,
    HazardCase,
    RegulatorReport,
    TreatmentPlan,
)

CASE_FIELDS = ["state", "grade", "category", "lead_department", "due_at", "listed"]


def _who(actor: Any) -> Any:
    """The actor for the audit trail: a person, None for the system, "公众" for an anonymous citizen
    (whose identity the trail must not hold anyway)."""
    if actor is None or getattr(actor, "is_authenticated", False):
        return actor
    return _("公众(匿名)")


KIND_REGISTER = "hazards.register"
KIND_RECTIFY = "hazards.rectify"
KIND_COTASK = "hazards.cotask"
KIND_ACCEPT = "hazards.accept"
KIND_RESUME = "hazards.resume_review"


def refusal_message(code: str) -> str:
    messages = {
        "unknown_action": _("未知的操作"),
        "bad_state": _("当前状态下不能执行该操作"),
        "major_not_on_spot": _("重大事故隐患不能当场销号"),
        "major_needs_report": _("重大事故隐患须先向监管部门报告"),
        "major_needs_plan": _("重大事故隐患须有经批准的治理方案"),
        "listed_needs_resume_review": _("挂牌督办的隐患须经恢复生产审查通过后方可销号"),
        "general_no_report": _("只有重大事故隐患需要报告和治理方案"),
    }
    return messages.get(code, code)


# --- Who is who ------------------------------------------------------------------------------
def people_of(departments: Iterable[Department | None]) -> list[User]:
    ids = [d.pk for d in departments if d is not None]
    if not ids:
        return []
    return list(User.objects.filter(department__in=ids, is_active=True))


def dispatch_centre_for(division: Division | None) -> Department | None:
    """The dispatch centre (受理中心) whose area contains `division`, the nearest one first."""
    centres = Department.objects.filter(sector=Sector.DISPATCH, is_active=True).select_related("division")
    best = None
    for centre in centres:
        if division is None or division.is_within(centre.division):
            if best is None or len(centre.division.path) > len(best.division.path):
                best = centre
    return best


def task_of(user: Any, case: HazardCase) -> CaseTask | None:
    if not getattr(user, "department_id", None):
        return None
    return case.tasks.filter(department=user.department_id).first()


def available_actions(user: Any, case: HazardCase) -> list[str]:
    """The transitions the rules allow now AND the person may take: the only ones a page offers."""
    facts = facts_of(case)
    offered = [
        a
        for a in rules.allowed_actions(case.state, case.grade, facts)
        if may(user, permissions.ACTION_PERMISSIONS[a], case)
    ]
    if "submit_rectification" in offered and co_tasks_open(case):
        offered.remove("submit_rectification")  # it would be refused: the page says who it waits for
    return offered


def co_tasks_open(case: HazardCase) -> bool:
    return case.tasks.filter(role=TaskRole.CO, state__in=[TaskState.PENDING, TaskState.WORKING]).exists()


def facts_of(case: HazardCase) -> rules.Facts:
    if case.grade != Grade.MAJOR:
        return rules.Facts()
    plan = TreatmentPlan.objects.filter(case=case).only("state").first()
    return rules.Facts(
        reported=RegulatorReport.objects.filter(case=case).exists(),
        plan_approved=bool(plan and plan.state == ReviewState.APPROVED),
        listed=case.listed,
        resume_approved=case.resume_applications.filter(state=ReviewState.APPROVED).exists(),
    )


# --- Deadlines -------------------------------------------------------------------------------
def _overrides() -> dict[dt.date, bool]:
    return workcal.load_overrides()


def _make_deadline(
    obj: Any,
    *,
    kind: str,
    title: str,
    limit: rules.TimeLimit | None = None,
    due_at: dt.datetime | None = None,
    case: HazardCase,
    department: Department | None,
    start: dt.datetime | None = None,
) -> dt.datetime:
    start = start or timezone.now()
    if due_at is None:
        assert limit is not None
        due_at = rules.compute_due(start, limit, _overrides())
    deadlines.create(
        obj,
        kind=kind,
        title=title,
        due_at=due_at,
        starts_at=start,
        remind_before=rules.remind_before(start, due_at),
        division=case.division,
        department=department,
        data={"case": case.pk, "limit": [limit.amount, limit.unit, limit.source] if limit else None},
    )
    return due_at


def _rectify_limit(case: HazardCase) -> tuple[rules.TimeLimit | None, dt.datetime | None]:
    if case.grade == Grade.MAJOR:
        plan = TreatmentPlan.objects.filter(case=case, state=ReviewState.APPROVED).first()
        if plan is not None:
            return None, rules.plan_due(plan.deadline)
    return rules.rectify_limit(case.grade, case.category.limit_for(case.grade)), None


def _start_rectify_clock(case: HazardCase, now: dt.datetime) -> None:
    """The clock starts at dispatch (docs/domain §7): the lead's deadline, and each co-handler's."""
    deadlines.cancel(case, kind=KIND_RECTIFY)
    limit, due = _rectify_limit(case)
    case.due_at = _make_deadline(
        case,
        kind=KIND_RECTIFY,
        title=_("隐患整改: %(t)s") % {"t": case.title},
        limit=limit,
        due_at=due,
        case=case,
        department=case.lead_department,
        start=now,
    )
    for task in case.tasks.filter(role=TaskRole.CO).exclude(state__in=[TaskState.DONE, TaskState.CANCELLED]):
        deadlines.cancel(task, kind=KIND_COTASK)
        deadlines.create(
            task,
            kind=KIND_COTASK,
            title=_("协办隐患: %(t)s") % {"t": case.title},
            due_at=case.due_at,
            starts_at=now,
            remind_before=rules.remind_before(now, case.due_at),
            division=case.division,
            department=task.department,
            data={"case": case.pk},
        )


def _stop_all_clocks(case: HazardCase, *, met: bool) -> None:
    for kind in (KIND_REGISTER, KIND_RECTIFY, KIND_ACCEPT):
        (deadlines.close if met else deadlines.cancel)(case, kind=kind)
    for task in case.tasks.all():
        (deadlines.close if met else deadlines.cancel)(task, kind=KIND_COTASK)


# --- Notifications ---------------------------------------------------------------------------
def _case_url(case: HazardCase) -> str:
    from django.urls import reverse

    return reverse("hazards:detail", args=[case.pk])


def _tell(
    people: Iterable[Any], case: HazardCase, event: str, title: str, body: str = "", urgent: bool = False
) -> None:
    notify(people, event=event, title=title, body=body, url=_case_url(case), urgent=urgent)


def _tell_subscribers(case: HazardCase, title: str) -> None:
    """Reporters and subscribers hear of every public change (they see the public page only)."""
    from django.urls import NoReverseMatch, reverse

    users = [s.user for s in case.subscriptions.select_related("user")]
    # Staff follow the console; the public hear through the tracking page.
    users = [u for u in users if not may(u, "hazards.view_internal")]
    if not users:
        return
    try:
        url = reverse("hazards-public:track", args=[case.tracking_code])
    except NoReverseMatch:  # the public pages are not mounted
        url = ""
    notify(users, event="hazards.case.public_update", title=title, url=url)


# --- Transitions -----------------------------------------------------------------------------
def _begin(actor: Any, case: HazardCase, action: str, expected_state: str | None) -> HazardCase:
    """Lock the row; the state must still be what the caller saw; the guard must allow it; the
    actor must be entitled."""
    expected = expected_state or case.state
    fresh = lock(case)
    if fresh.state != expected:
        raise Conflict(
            _("案件状态已变化(现为“%(s)s”),请刷新后重试") % {"s": fresh.get_state_display()}, field="state"
        )
    refusal = rules.check_transition(action, fresh.state, fresh.grade, facts_of(fresh))
    if refusal is not None:
        raise ActionError(refusal_message(refusal.code), field=refusal.field, code=refusal.code)
    if actor is not None:
        require(
            actor,
            permissions.ACTION_PERMISSIONS[action],
            fresh,
            _("您无权对该隐患执行此操作"),
            field="action",
        )
    return fresh


def _save_transition(
    actor: Any,
    case: HazardCase,
    action: str,
    before: dict,
    note: str = "",
    extra_fields: Iterable[str] = (),
    evidence: dict | None = None,
) -> None:
    """Move the case to the action's target state, save it and write the audit event (inside the
    caller's transaction: this does not commit)."""
    target = rules.target_state(action)
    if target is not None:
        case.state = target
    case.updated_at = timezone.now()
    case.save()
    audit.record(
        f"hazards.case.{action}",
        case,
        actor=_who(actor),
        before=before,
        after=snapshot(case, CASE_FIELDS + list(extra_fields)) | (evidence or {}),
        note=note,
    )


def _require_reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ActionError(_("请填写原因"), field=field, code="required")
    return reason

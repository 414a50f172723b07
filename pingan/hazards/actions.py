"""Every state change of a hazard case (check_* validates, do_* changes rows in one transaction).

Each transition locks the case row, checks that the state is still the one the caller saw (else
409 Conflict: someone else acted first), applies the guard of rules.check_transition, changes rows,
writes its audit event, updates the deadlines and notifies the people concerned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core import audit, deadlines, workcal
from pingan.core.actions import ActionError, Conflict, Forbidden, lock
from pingan.core.audit import snapshot
from pingan.geo.models import Division
from pingan.notify.services import notify
from pingan.org.choices import Role, Sector
from pingan.org.models import Department, User

from . import rules
from .choices import (
    OPEN_STATES,
    FeedbackAnswer,
    Grade,
    PhotoKind,
    ReviewState,
    Source,
    State,
    TaskRole,
    TaskState,
)
from .models import (
    CaseTask,
    Category,
    Comment,
    Feedback,
    HazardCase,
    RegulatorReport,
    ResumeApplication,
    RoutingRule,
    Subscription,
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
        if division is None or division.path.startswith(centre.division.path):
            if best is None or len(centre.division.path) > len(best.division.path):
                best = centre
    return best


def is_dispatcher(user: Any, case: HazardCase | None = None) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.sees_everything:
        return True
    dept = user.department
    if dept is None or dept.sector != Sector.DISPATCH:
        return False
    return case is None or case.division.path.startswith(dept.division.path)


def is_lead(user: Any, case: HazardCase) -> bool:
    return bool(getattr(user, "department_id", None)) and user.department_id == case.lead_department_id


def task_of(user: Any, case: HazardCase) -> CaseTask | None:
    if not getattr(user, "department_id", None):
        return None
    return case.tasks.filter(department=user.department_id).first()


def is_area_checker(user: Any, case: HazardCase) -> bool:
    """Acceptance (核查结案) is a field re-check by the area — never by the department that did the work."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_dispatcher(user, case):
        return True
    if user.role not in (Role.AREA_STAFF, Role.GRID_WORKER):
        return False
    return bool(user.scope_path) and case.division.path.startswith(user.scope_path) and not is_lead(user, case)


def can_act(user: Any, case: HazardCase, action: str) -> bool:
    """May `user` take `action` on `case` (assuming they can see it)? The UI shows only these."""
    if not getattr(user, "is_authenticated", False):
        return False
    if action in ("register", "decline", "merge", "assign", "reassign", "backlog", "resume_backlog", "reopen",
                  "close_on_spot"):
        return is_dispatcher(user, case)
    if action in ("start", "submit_rectification", "return"):
        return is_lead(user, case)
    if action in ("accept", "reject"):
        return is_area_checker(user, case)
    if action == "report":
        return is_dispatcher(user, case) or is_lead(user, case) or _is_case_enterprise(user, case)
    if action == "approve_plan":
        return is_dispatcher(user, case) or _is_regulator(user, case)
    return False


def _is_case_enterprise(user: Any, case: HazardCase) -> bool:
    return user.role == Role.ENTERPRISE and case.enterprise_id and user.enterprise_id == case.enterprise_id


def _is_regulator(user: Any, case: HazardCase) -> bool:
    report = getattr(case, "regulator_report", None) if hasattr(case, "regulator_report") else None
    return bool(report and user.department_id == report.authority_id)


def available_actions(user: Any, case: HazardCase) -> list[str]:
    facts = facts_of(case)
    return [a for a in rules.allowed_actions(case.state, case.grade, facts) if can_act(user, case, a)]


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


# --- Routing ---------------------------------------------------------------------------------
def _ancestor_at(division: Division, level: str) -> Division | None:
    lengths = {"city": 6, "district": 6, "town": 9}
    if level == "city":
        code = division.code[:4] + "00"
    else:
        code = division.code[: lengths[level]]
    if len(division.code) < len(code) or (level == "town" and len(division.code) < 9):
        return None
    return Division.objects.filter(code=code).first()


def _department_in(sector: str, division: Division | None) -> Department | None:
    """The department of `sector` in `division`, else in the nearest ancestor that has one."""
    node = division
    while node is not None:
        dept = Department.objects.filter(sector=sector, division=node, is_active=True).order_by("id").first()
        if dept is not None:
            return dept
        node = node.parent
    return None


def find_route(category: Category, grade: str) -> RoutingRule | None:
    """The routing rule of the category (or its nearest ancestor with one); a rule for the grade
    wins over one for every grade."""
    node: Category | None = category
    while node is not None:
        rows = list(RoutingRule.objects.filter(category=node).filter(Q(grade=grade) | Q(grade="")))
        if rows:
            rows.sort(key=lambda r: (r.grade != grade, {"town": 0, "district": 1, "city": 2}[r.level]))
            return rows[0]
        node = node.parent
    return None


def route_case(case: HazardCase) -> tuple[Department | None, list[Department], str]:
    """(lead, co-handlers, why) for a case: the supervising department of its site or enterprise
    wins over the area rule; otherwise the routing table resolved in the case's area."""
    rule = find_route(case.category, case.grade)
    co: list[Department] = []
    lead: Department | None = None
    why = ""
    area_lead = None
    if rule is not None:
        base = _ancestor_at(case.division, rule.level) or case.division
        area_lead = _department_in(rule.lead_sector, base)
        for sector in rule.co_sectors or []:
            dept = _department_in(sector, base)
            if dept is not None:
                co.append(dept)
    if case.site_id and case.site.supervising_department_id:
        lead, why = case.site.supervising_department, "site"
    elif case.enterprise_id:
        sup = list(case.enterprise.supervising_departments.filter(is_active=True).order_by("id"))
        if sup:
            # The enterprise's supervisor in the same line as the area rule, if any; else the first.
            same = [d for d in sup if rule is not None and d.sector == rule.lead_sector]
            lead, why = (same or sup)[0], "enterprise"
    if lead is None:
        lead, why = area_lead, ("rule" if area_lead else "none")
    elif area_lead is not None and area_lead != lead:
        co.insert(0, area_lead)
    co = [d for i, d in enumerate(co) if d != lead and d not in co[:i]]
    return lead, co, why


# --- Deadlines -------------------------------------------------------------------------------
def _overrides() -> dict[dt.date, bool]:
    return workcal.load_overrides()


def _make_deadline(obj: Any, *, kind: str, title: str, limit: rules.TimeLimit | None = None,
                   due_at: dt.datetime | None = None, case: HazardCase, department: Department | None,
                   start: dt.datetime | None = None) -> dt.datetime:
    start = start or timezone.now()
    if due_at is None:
        assert limit is not None
        due_at = rules.compute_due(start, limit, _overrides())
    deadlines.create(obj, kind=kind, title=title, due_at=due_at, starts_at=start,
                     remind_before=rules.remind_before(start, due_at), division=case.division, department=department,
                     data={"case": case.pk, "limit": [limit.amount, limit.unit, limit.source] if limit else None})
    return due_at


def _rectify_limit(case: HazardCase) -> tuple[rules.TimeLimit | None, dt.datetime | None]:
    if case.grade == Grade.MAJOR:
        plan = TreatmentPlan.objects.filter(case=case, state=ReviewState.APPROVED).first()
        if plan is not None:
            return None, rules.plan_due(plan.deadline)
    return rules.rectify_limit(case.grade, case.category.limit_for(case.grade)), None


def _start_rectify_clock(case: HazardCase, now: dt.datetime) -> None:
    """The clock starts at dispatch (DOMAIN §7): the lead's deadline, and each co-handler's."""
    deadlines.cancel(case, kind=KIND_RECTIFY)
    limit, due = _rectify_limit(case)
    case.due_at = _make_deadline(case, kind=KIND_RECTIFY, title=_("隐患整改: %(t)s") % {"t": case.title},
                                 limit=limit, due_at=due, case=case, department=case.lead_department, start=now)
    for task in case.tasks.filter(role=TaskRole.CO).exclude(state__in=[TaskState.DONE, TaskState.CANCELLED]):
        deadlines.cancel(task, kind=KIND_COTASK)
        deadlines.create(task, kind=KIND_COTASK, title=_("协办隐患: %(t)s") % {"t": case.title}, due_at=case.due_at,
                         starts_at=now, remind_before=rules.remind_before(now, case.due_at), division=case.division,
                         department=task.department, data={"case": case.pk})


def _stop_all_clocks(case: HazardCase, *, met: bool) -> None:
    for kind in (KIND_REGISTER, KIND_RECTIFY, KIND_ACCEPT):
        (deadlines.close if met else deadlines.cancel)(case, kind=kind)
    for task in case.tasks.all():
        (deadlines.close if met else deadlines.cancel)(task, kind=KIND_COTASK)


# --- Notifications ---------------------------------------------------------------------------
def _case_url(case: HazardCase) -> str:
    from django.urls import reverse

    return reverse("hazards:detail", args=[case.pk])


def _tell(people: Iterable[Any], case: HazardCase, event: str, title: str, body: str = "", urgent: bool = False) -> None:
    notify(people, event=event, title=title, body=body, url=_case_url(case), urgent=urgent)


def _tell_subscribers(case: HazardCase, title: str) -> None:
    """Reporters and subscribers hear of every public change (they see the public page only)."""
    from django.urls import NoReverseMatch, reverse

    users = [s.user for s in case.subscriptions.select_related("user")]
    users = [u for u in users if not u.is_staff_role]
    if not users:
        return
    try:
        url = reverse("hazards-public:track", args=[case.tracking_code])
    except NoReverseMatch:  # the public pages are not mounted
        url = ""
    notify(users, event="hazards.case.public_update", title=title, url=url)


# --- Intake ----------------------------------------------------------------------------------
def check_submit(actor: Any, *, source: str, title: str, category: Category | None, lat: float | None,
                 lon: float | None, division: Division | None, enterprise: Any = None) -> Division:
    if not (title or "").strip():
        raise ActionError(_("请填写标题"), field="title", code="required")
    if category is None:
        raise ActionError(_("请选择隐患类别"), field="category", code="required")
    if source not in Source.values:
        raise ActionError(_("未知的来源"), field="source", code="invalid")
    if source == Source.ENTERPRISE:
        if getattr(actor, "role", None) != Role.ENTERPRISE or enterprise is None or \
                enterprise.pk != actor.enterprise_id:
            raise Forbidden(_("企业自查自报只能报告本单位的隐患"), field="enterprise")
    if lat is not None or lon is not None:
        from pingan.geo.lookup import require_in_city

        located = require_in_city(lat, lon, field="location")
        return located
    if division is not None:
        return division
    if enterprise is not None:
        return enterprise.division
    raise ActionError(_("需要位置(纬度和经度)或所在区划"), field="location", code="required")


def _district_of(division: Division) -> Division | None:
    if division.level == "district":
        return division
    if division.level == "city":
        return None
    return Division.objects.filter(code=division.code[:6], level="district").first()


@transaction.atomic
def do_submit(actor: Any, *, source: str, title: str, description: str = "", category: Category | None,
              grade: str | None = None, lat: float | None = None, lon: float | None = None, address: str = "",
              division: Division | None = None, enterprise: Any = None, site: Any = None,
              reporter_name: str = "", reporter_phone: str = "", client_token: str = "",
              photos: Iterable[Any] = (), subscribe: bool = True) -> tuple[HazardCase, bool]:
    """A new case from any channel. Idempotent: the same client token from the same reporter and
    channel returns the case made the first time (created=False)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    intake_key = None
    if client_token:
        token = str(client_token).strip()[:100]
        intake_key = f"{source}:{user.pk if user else 'anon'}:{token}"
        existing = HazardCase.objects.filter(intake_key=intake_key).first()
        if existing is not None:
            return existing, False
    if site is not None and enterprise is None:
        enterprise = site.enterprise
    where = check_submit(actor, source=source, title=title, category=category, lat=lat, lon=lon, division=division,
                         enterprise=enterprise)
    if grade not in (None, "", *Grade.values):
        raise ActionError(_("未知的隐患等级"), field="grade", code="invalid")
    now = timezone.now()
    case = HazardCase(
        title=title.strip()[:200], description=description or "", category=category, grade=grade or Grade.GENERAL,
        state=State.SUBMITTED, source=source, lat=lat, lon=lon, address=address[:300], division=where,
        district=_district_of(where), enterprise=enterprise, site=site, reporter=user,
        reporter_name=reporter_name[:50], reporter_phone=reporter_phone[:20], intake_key=intake_key,
        created_at=now, updated_at=now,
    )
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        # A retry raced the first request: the first one's case is the answer.
        existing = HazardCase.objects.filter(intake_key=intake_key).first() if intake_key else None
        if existing is None:
            raise
        return existing, False
    from .photos import save_photo

    for f in photos:
        save_photo(case, f, kind=PhotoKind.REPORT, user=user)
    if user is not None and subscribe:
        Subscription.objects.get_or_create(case=case, user=user)
    centre = dispatch_centre_for(where)
    case.due_at = _make_deadline(case, kind=KIND_REGISTER, title=_("隐患受理立案: %(t)s") % {"t": case.title},
                                 limit=rules.DEFAULT_LIMITS["register"], case=case, department=centre, start=now)
    case.save(update_fields=["due_at"])
    audit.record("hazards.case.submit", case, actor=_who(actor), after=snapshot(case, CASE_FIELDS + ["source"]))
    _tell(people_of([centre]), case, "hazards.case.submitted", _("新的隐患上报: %(t)s") % {"t": case.title})
    return case, True


def find_duplicates(*, category: Category, lat: float | None, lon: float | None, exclude: int | None = None,
                    distance_m: float | None = None, limit: int = 10) -> list[tuple[HazardCase, float]]:
    """Open cases of the same category within the configured distance, nearest first."""
    from django.conf import settings

    if lat is None or lon is None:
        return []
    radius = distance_m or getattr(settings, "HAZARDS_DUPLICATE_DISTANCE_M", rules.DUPLICATE_RULE["distance_m"])
    min_lat, min_lon, max_lat, max_lon = rules.bbox_around(lat, lon, radius)
    qs = HazardCase.objects.filter(category=category, state__in=OPEN_STATES, lat__gte=min_lat, lat__lte=max_lat,
                                   lon__gte=min_lon, lon__lte=max_lon).select_related("division")
    if exclude:
        qs = qs.exclude(pk=exclude)
    out = []
    for other in qs[:500]:
        d = rules.distance_m(lat, lon, other.lat, other.lon)
        if rules.is_possible_duplicate((lat, lon), (other.lat, other.lon), True, radius):
            out.append((other, d))
    out.sort(key=lambda pair: pair[1])
    return out[:limit]


# --- Transitions -----------------------------------------------------------------------------
def _begin(actor: Any, case: HazardCase, action: str, expected_state: str | None) -> HazardCase:
    """Lock the row; the state must still be what the caller saw; the guard must allow it; the
    actor must be entitled."""
    expected = expected_state or case.state
    fresh = lock(case)
    if fresh.state != expected:
        raise Conflict(_("案件状态已变化(现为“%(s)s”),请刷新后重试") % {"s": fresh.get_state_display()},
                       field="state")
    refusal = rules.check_transition(action, fresh.state, fresh.grade, facts_of(fresh))
    if refusal is not None:
        raise ActionError(refusal_message(refusal.code), field=refusal.field, code=refusal.code)
    if actor is not None and not can_act(actor, fresh, action):
        raise Forbidden(_("您无权对该隐患执行此操作"), field="action")
    return fresh


def _commit(actor: Any, case: HazardCase, action: str, before: dict, note: str = "",
            extra_fields: Iterable[str] = ()) -> None:
    target = rules.target_state(action)
    if target is not None:
        case.state = target
    case.updated_at = timezone.now()
    case.save()
    audit.record(f"hazards.case.{action}", case, actor=_who(actor), before=before,
                 after=snapshot(case, CASE_FIELDS + list(extra_fields)), note=note)


def _require_reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ActionError(_("请填写原因"), field=field, code="required")
    return reason


@transaction.atomic
def do_register(actor: Any, case: HazardCase, *, grade: str | None = None, category: Category | None = None,
                note: str = "", expected_state: str | None = None) -> HazardCase:
    case = _begin(actor, case, "register", expected_state)
    before = snapshot(case, CASE_FIELDS)
    if grade:
        if grade not in Grade.values:
            raise ActionError(_("未知的隐患等级"), field="grade", code="invalid")
        case.grade = grade
    if category is not None:
        case.category = category
    now = timezone.now()
    case.registered_at = now
    case.due_at = None
    deadlines.close(case, kind=KIND_REGISTER)
    _commit(actor, case, "register", before, note)
    _tell_subscribers(case, _("您报告的隐患已立案"))
    return case


@transaction.atomic
def do_decline(actor: Any, case: HazardCase, *, reason: str, expected_state: str | None = None) -> HazardCase:
    reason = _require_reason(reason)
    case = _begin(actor, case, "decline", expected_state)
    before = snapshot(case, CASE_FIELDS)
    _stop_all_clocks(case, met=True)
    case.due_at = None
    case.public_note = reason[:300]
    _commit(actor, case, "decline", before, reason)
    Comment.objects.create(case=case, author=actor, department=actor.department, body=reason, is_public=True)
    _tell_subscribers(case, _("您报告的隐患不予立案"))
    return case


@transaction.atomic
def do_close_on_spot(actor: Any, case: HazardCase, *, note: str, expected_state: str | None = None) -> HazardCase:
    """A GENERAL hazard fixed at once by whoever found it (§1: the workshop head fixes it at once):
    closed with no regulator report."""
    note = _require_reason(note, "note")
    case = _begin(actor, case, "close_on_spot", expected_state)
    before = snapshot(case, CASE_FIELDS)
    now = timezone.now()
    case.fixed_on_spot = True
    case.registered_at = case.registered_at or now
    case.rectified_at = now
    case.closed_at = now
    case.due_at = None
    _stop_all_clocks(case, met=True)
    _commit(actor, case, "close_on_spot", before, note, ["fixed_on_spot"])
    _tell_subscribers(case, _("您报告的隐患已当场整改销号"))
    return case


@transaction.atomic
def do_merge(actor: Any, case: HazardCase, *, into: HazardCase, expected_state: str | None = None) -> HazardCase:
    """Merge a duplicate into a surviving case; every reporter of the duplicate stays subscribed."""
    if into.pk == case.pk:
        raise ActionError(_("不能合并到自身"), field="into", code="invalid")
    case = _begin(actor, case, "merge", expected_state)
    into = lock(into)
    if into.state not in OPEN_STATES:
        raise ActionError(_("只能合并到未办结的隐患"), field="into", code="closed")
    if into.merged_into_id:
        raise ActionError(_("目标隐患已被合并"), field="into", code="merged")
    before = snapshot(case, CASE_FIELDS)
    users = {s.user_id for s in case.subscriptions.all()}
    if case.reporter_id:
        users.add(case.reporter_id)
    for uid in users:
        Subscription.objects.get_or_create(case=into, user_id=uid)
    case.merged_into = into
    case.due_at = None
    _stop_all_clocks(case, met=False)
    _commit(actor, case, "merge", before, _("合并至 %(n)s") % {"n": into.number}, ["merged_into"])
    audit.record("hazards.case.merged_in", into, actor=_who(actor), note=_("并入 %(n)s") % {"n": case.number})
    _tell_subscribers(case, _("您报告的隐患已与同一隐患合并,请关注 %(n)s") % {"n": into.number})
    return case


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
    if not (can_act(actor, case, "report") or is_dispatcher(actor, case)):
        raise Forbidden(_("您无权编制该隐患的治理方案"))
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
    audit.record("hazards.case.plan", case, actor=_who(actor), after={k: audit.jsonable(v) for k, v in values.items()})
    return plan


@transaction.atomic
def do_report(actor: Any, case: HazardCase, *, current_state_cause: str, harm_difficulty: str,
              authority: Department | None = None, expected_state: str | None = None) -> HazardCase:
    """Report a MAJOR hazard to the regulator: ① state and cause ② harm and difficulty ③ the plan."""
    missing = rules.missing_fields({"current_state_cause": current_state_cause, "harm_difficulty": harm_difficulty},
                                   rules.REPORT_FIELDS)
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
    RegulatorReport.objects.create(case=case, authority=authority, current_state_cause=current_state_cause,
                                   harm_difficulty=harm_difficulty, reported_by=actor)
    _commit(actor, case, "report", before, _("报告 %(d)s") % {"d": authority})
    _tell(people_of([authority]), case, "hazards.case.reported", _("重大事故隐患报告: %(t)s") % {"t": case.title},
          urgent=True)
    return case


@transaction.atomic
def do_approve_plan(actor: Any, case: HazardCase, *, note: str = "", expected_state: str | None = None) -> HazardCase:
    case = _begin(actor, case, "approve_plan", expected_state)
    plan = TreatmentPlan.objects.select_for_update().filter(case=case).first()
    if plan is None:
        raise ActionError(_("尚无治理方案"), field="plan", code="major_needs_plan")
    before = snapshot(case, CASE_FIELDS)
    plan.state = ReviewState.APPROVED
    plan.approved_by = actor
    plan.approved_at = timezone.now()
    plan.save()
    _commit(actor, case, "approve_plan", before, note)
    return case


@transaction.atomic
def do_list_supervision(actor: Any, case: HazardCase, *, authority: str) -> HazardCase:
    """挂牌督办: a MAJOR hazard listed for supervision by a named authority."""
    case = lock(case)
    if case.grade != Grade.MAJOR:
        raise ActionError(_("只有重大事故隐患可以挂牌督办"), field="grade", code="general_not_listed")
    if not (is_dispatcher(actor, case) or _is_regulator(actor, case)):
        raise Forbidden(_("您无权挂牌督办"))
    if not (authority or "").strip():
        raise ActionError(_("请填写督办机关"), field="authority", code="required")
    before = snapshot(case, CASE_FIELDS)
    case.listed = True
    case.listed_authority = authority.strip()[:100]
    case.listed_at = timezone.now()
    case.save()
    audit.record("hazards.case.list", case, actor=_who(actor), before=before, after=snapshot(case, CASE_FIELDS),
                 note=case.listed_authority)
    return case


def _set_tasks(case: HazardCase, lead: Department, co: Iterable[Department], now: dt.datetime) -> None:
    wanted = {lead.pk: TaskRole.LEAD}
    for d in co:
        if d.pk != lead.pk:
            wanted.setdefault(d.pk, TaskRole.CO)
    existing = {t.department_id: t for t in case.tasks.all()}
    for dept_id, task in existing.items():
        if dept_id not in wanted and task.state not in (TaskState.DONE, TaskState.CANCELLED, TaskState.RETURNED):
            task.state = TaskState.CANCELLED
            task.updated_at = now
            task.save()
            deadlines.cancel(task, kind=KIND_COTASK)
    for dept_id, role in wanted.items():
        task = existing.get(dept_id)
        if task is None:
            CaseTask.objects.create(case=case, department_id=dept_id, role=role, created_at=now, updated_at=now)
        else:
            task.role = role
            task.state = TaskState.PENDING
            task.done_at = None
            task.updated_at = now
            task.save()


def _do_dispatch(actor: Any, case: HazardCase, action: str, *, lead: Department | None,
                 co: Iterable[Department] | None, reason: str, expected_state: str | None) -> HazardCase:
    case = _begin(actor, case, action, expected_state)
    if lead is None or co is None:
        auto_lead, auto_co, _why = route_case(case)
        lead = lead or auto_lead
        co = auto_co if co is None else co
    if lead is None:
        raise ActionError(_("找不到牵头部门,请在派遣规则中配置或手工选择"), field="lead_department", code="no_route")
    co = [d for d in co if d.pk != lead.pk]
    before = snapshot(case, CASE_FIELDS)
    now = timezone.now()
    previous_lead = case.lead_department
    case.lead_department = lead
    case.assigned_at = now
    deadlines.close(case, kind=KIND_REGISTER)
    _set_tasks(case, lead, co, now)
    _start_rectify_clock(case, now)
    note = reason
    if co:
        note = (note + " " if note else "") + _("协办: %(d)s") % {"d": "、".join(str(d) for d in co)}
    _commit(actor, case, action, before, note)
    _tell(people_of([lead]), case, "hazards.case.assigned", _("隐患派遣(牵头): %(t)s") % {"t": case.title})
    _tell(people_of(co), case, "hazards.case.assigned", _("隐患派遣(协办): %(t)s") % {"t": case.title})
    if previous_lead and previous_lead != lead:
        _tell(people_of([previous_lead]), case, "hazards.case.reassigned",
              _("隐患已改派他部门: %(t)s") % {"t": case.title})
    _tell_subscribers(case, _("您报告的隐患已派遣至责任部门处理"))
    return case


@transaction.atomic
def do_assign(actor: Any, case: HazardCase, *, lead: Department | None = None, co: Iterable[Department] | None = None,
              note: str = "", expected_state: str | None = None) -> HazardCase:
    """Dispatch (派遣): the lead and co-handlers from the routing table unless chosen. The clock starts."""
    return _do_dispatch(actor, case, "assign", lead=lead, co=co, reason=note, expected_state=expected_state)


@transaction.atomic
def do_reassign(actor: Any, case: HazardCase, *, lead: Department, co: Iterable[Department] | None = None,
                reason: str, expected_state: str | None = None) -> HazardCase:
    reason = _require_reason(reason)
    if lead is None:
        raise ActionError(_("请选择牵头部门"), field="lead_department", code="required")
    return _do_dispatch(actor, case, "reassign", lead=lead, co=co if co is not None else [], reason=reason,
                        expected_state=expected_state)


@transaction.atomic
def do_return(actor: Any, case: HazardCase, *, reason: str, expected_state: str | None = None) -> HazardCase:
    """The lead department returns a case outside its remit: back to the dispatch centre, never a void."""
    reason = _require_reason(reason)
    case = _begin(actor, case, "return", expected_state)
    before = snapshot(case, CASE_FIELDS)
    now = timezone.now()
    lead_task = case.tasks.filter(department=case.lead_department_id).first()
    if lead_task:
        lead_task.state = TaskState.RETURNED
        lead_task.note = reason
        lead_task.updated_at = now
        lead_task.save()
    deadlines.cancel(case, kind=KIND_RECTIFY)
    centre = dispatch_centre_for(case.division)
    case.due_at = _make_deadline(case, kind=KIND_REGISTER, title=_("退回案件重新派遣: %(t)s") % {"t": case.title},
                                 limit=rules.DEFAULT_LIMITS["register"], case=case, department=centre, start=now)
    Comment.objects.create(case=case, author=actor, department=actor.department, body=reason, is_public=False)
    _commit(actor, case, "return", before, reason)
    _tell(people_of([centre]), case, "hazards.case.returned", _("部门退回隐患: %(t)s") % {"t": case.title}, body=reason)
    return case


@transaction.atomic
def do_start(actor: Any, case: HazardCase, *, note: str = "", expected_state: str | None = None) -> HazardCase:
    case = _begin(actor, case, "start", expected_state)
    before = snapshot(case, CASE_FIELDS)
    case.tasks.filter(department=case.lead_department_id).update(state=TaskState.WORKING, updated_at=timezone.now())
    _commit(actor, case, "start", before, note)
    return case


@transaction.atomic
def do_update_task(actor: Any, case: HazardCase, *, state: str, note: str = "") -> CaseTask:
    """A department updates its own task on the case (the co-handler's status and note)."""
    task = task_of(actor, case)
    if task is None:
        raise Forbidden(_("贵部门在该隐患上没有任务"), field="task")
    task = CaseTask.objects.select_for_update().get(pk=task.pk)
    if state not in (TaskState.WORKING, TaskState.DONE):
        raise ActionError(_("任务状态只能改为处理中或已完成"), field="state", code="invalid")
    if case.state not in (State.ASSIGNED, State.RECTIFYING):
        raise Conflict(_("案件不在处置阶段"), field="state")
    if state == TaskState.DONE and not (note or "").strip():
        raise ActionError(_("完成任务须填写处理说明"), field="note", code="required")
    before = {"task": task.pk, "state": task.state}
    now = timezone.now()
    task.state = state
    task.note = note or task.note
    task.updated_at = now
    task.done_at = now if state == TaskState.DONE else None
    task.save()
    if state == TaskState.DONE:
        deadlines.close(task, kind=KIND_COTASK)
    audit.record("hazards.case.task", case, actor=_who(actor), before=before,
                 after={"task": task.pk, "department": task.department_id, "state": state}, note=note)
    if task.role == TaskRole.CO:
        _tell(people_of([case.lead_department]), case, "hazards.task.updated",
              _("协办部门更新任务: %(d)s") % {"d": task.department})
    return task


@transaction.atomic
def do_submit_rectification(actor: Any, case: HazardCase, *, note: str, photos: Iterable[Any] = (),
                            expected_state: str | None = None) -> HazardCase:
    note = _require_reason(note, "note")
    case = _begin(actor, case, "submit_rectification", expected_state)
    waiting = case.tasks.filter(role=TaskRole.CO).exclude(
        state__in=[TaskState.DONE, TaskState.CANCELLED, TaskState.RETURNED])
    if waiting.exists():
        names = "、".join(str(t.department) for t in waiting.select_related("department"))
        raise ActionError(_("协办部门尚未完成: %(d)s") % {"d": names}, field="tasks", code="co_tasks_open")
    from .photos import save_photo

    for f in photos:
        save_photo(case, f, kind=PhotoKind.RECTIFICATION, user=actor)
    before = snapshot(case, CASE_FIELDS)
    now = timezone.now()
    case.rectified_at = now
    case.tasks.filter(department=case.lead_department_id).update(state=TaskState.DONE, note=note, done_at=now,
                                                                   updated_at=now)
    deadlines.close(case, kind=KIND_RECTIFY)
    centre = dispatch_centre_for(case.division)
    case.due_at = _make_deadline(case, kind=KIND_ACCEPT, title=_("隐患整改验收: %(t)s") % {"t": case.title},
                                 limit=rules.DEFAULT_LIMITS["accept"], case=case, department=centre, start=now)
    _commit(actor, case, "submit_rectification", before, note)
    _tell(people_of([centre]), case, "hazards.case.awaiting_acceptance", _("隐患整改待验收: %(t)s") % {"t": case.title})
    return case


@transaction.atomic
def do_accept(actor: Any, case: HazardCase, *, note: str = "", expected_state: str | None = None) -> HazardCase:
    """Acceptance (验收) passed: the case is closed (销号). Its reporter will be asked if it is really gone."""
    case = _begin(actor, case, "accept", expected_state)
    before = snapshot(case, CASE_FIELDS)
    case.closed_at = timezone.now()
    case.due_at = None
    _stop_all_clocks(case, met=True)
    case.public_note = (note or _("整改已验收,隐患已销号"))[:300]
    _commit(actor, case, "accept", before, note)
    _tell(people_of([case.lead_department]), case, "hazards.case.closed", _("隐患验收通过并销号: %(t)s") % {"t": case.title})
    _tell_subscribers(case, _("您报告的隐患已整改销号,请告诉我们是否确已消除"))
    return case


@transaction.atomic
def do_reject(actor: Any, case: HazardCase, *, reason: str, expected_state: str | None = None) -> HazardCase:
    """Acceptance failed: back to rectifying, with a fresh period."""
    reason = _require_reason(reason)
    case = _begin(actor, case, "reject", expected_state)
    before = snapshot(case, CASE_FIELDS)
    now = timezone.now()
    deadlines.close(case, kind=KIND_ACCEPT)
    case.tasks.filter(department=case.lead_department_id).update(state=TaskState.WORKING, done_at=None, updated_at=now)
    case.rectified_at = None
    _start_rectify_clock(case, now)
    Comment.objects.create(case=case, author=actor, department=actor.department,
                           body=_("验收不通过: %(r)s") % {"r": reason}, is_public=False)
    _commit(actor, case, "reject", before, reason)
    _tell(people_of([case.lead_department]), case, "hazards.case.rejected",
          _("隐患整改验收不通过: %(t)s") % {"t": case.title}, body=reason)
    return case


@transaction.atomic
def do_backlog(actor: Any, case: HazardCase, *, reason: str, expected_state: str | None = None) -> HazardCase:
    """挂账: the case cannot be resolved now; it stays on the register, off the clock."""
    reason = _require_reason(reason)
    case = _begin(actor, case, "backlog", expected_state)
    before = snapshot(case, CASE_FIELDS)
    _stop_all_clocks(case, met=False)
    case.due_at = None
    _commit(actor, case, "backlog", before, reason)
    return case


@transaction.atomic
def do_resume_backlog(actor: Any, case: HazardCase, *, note: str = "", expected_state: str | None = None) -> HazardCase:
    case = _begin(actor, case, "resume_backlog", expected_state)
    if case.lead_department_id is None:
        raise ActionError(_("请先派遣"), field="lead_department", code="no_lead")
    before = snapshot(case, CASE_FIELDS)
    _start_rectify_clock(case, timezone.now())
    _commit(actor, case, "resume_backlog", before, note)
    return case


def _reopen(actor: Any, case: HazardCase, note: str) -> HazardCase:
    before = snapshot(case, CASE_FIELDS)
    now = timezone.now()
    case.reopened_count += 1
    case.closed_at = None
    case.rectified_at = None
    case.public_note = _("群众反馈隐患未消除,已重新整改")
    if case.lead_department_id is None:
        raise ActionError(_("该隐患没有牵头部门,不能重新整改"), field="lead_department", code="no_lead")
    case.tasks.filter(department=case.lead_department_id).update(state=TaskState.WORKING, done_at=None, updated_at=now)
    _start_rectify_clock(case, now)
    _commit(actor, case, "reopen", before, note)
    _tell(people_of([case.lead_department, dispatch_centre_for(case.division)]), case, "hazards.case.reopened",
          _("隐患重新打开: %(t)s") % {"t": case.title}, body=note, urgent=True)
    _tell_subscribers(case, _("隐患已重新打开整改"))
    return case


@transaction.atomic
def do_reopen(actor: Any, case: HazardCase, *, reason: str, expected_state: str | None = None) -> HazardCase:
    reason = _require_reason(reason)
    case = _begin(actor, case, "reopen", expected_state)
    return _reopen(actor, case, reason)


@transaction.atomic
def do_feedback(actor: Any, case: HazardCase, *, answer: str, note: str = "") -> Feedback:
    """The reporter (by tracking code, or signed in) says whether the hazard is really gone.
    "Not fixed" reopens the case with the reporter's note."""
    if answer not in FeedbackAnswer.values:
        raise ActionError(_("请选择是否已消除"), field="answer", code="invalid")
    case = lock(case)
    if case.state != State.CLOSED:
        raise Conflict(_("只有已销号的隐患可以反馈"), field="state")
    if answer == FeedbackAnswer.NOT_FIXED and not (note or "").strip():
        raise ActionError(_("请说明隐患仍然存在的情况"), field="note", code="required")
    user = actor if getattr(actor, "is_authenticated", False) else None
    fb = Feedback.objects.create(case=case, answer=answer, note=(note or "")[:2000], user=user)
    audit.record("hazards.case.feedback", case, actor=_who(actor), after={"answer": answer}, note=note)
    if answer == FeedbackAnswer.NOT_FIXED:
        _reopen(actor, case, _("报告人反馈未消除: %(n)s") % {"n": note})
    return fb


@transaction.atomic
def do_comment(actor: Any, case: HazardCase, *, body: str, is_public: bool = False) -> Comment:
    if not (body or "").strip():
        raise ActionError(_("请填写内容"), field="body", code="required")
    if is_public and not actor.is_staff_role:
        raise Forbidden(_("只有工作人员可以发布公开意见"), field="is_public")
    comment = Comment.objects.create(case=case, author=actor, department=actor.department, body=body.strip(),
                                     is_public=is_public)
    audit.record("hazards.case.comment", case, actor=_who(actor), after={"public": is_public},
                 note=body.strip() if is_public else "")
    if is_public:
        HazardCase.objects.filter(pk=case.pk).update(public_note=body.strip()[:300], updated_at=timezone.now())
        _tell_subscribers(case, _("您关注的隐患有新的处理说明"))
    return comment


@transaction.atomic
def do_apply_resume(actor: Any, case: HazardCase, *, content: str) -> ResumeApplication:
    """After treatment under listed supervision: the written application to resume production."""
    content = _require_reason(content, "content")
    case = lock(case)
    if not case.listed:
        raise ActionError(_("该隐患未挂牌督办"), field="listed", code="not_listed")
    if case.state not in (State.RECTIFYING, State.AWAITING_ACCEPTANCE):
        raise Conflict(_("整改阶段才能申请恢复生产"), field="state")
    if not (is_lead(actor, case) or _is_case_enterprise(actor, case)):
        raise Forbidden(_("只有责任单位或牵头部门可以申请"))
    if case.resume_applications.filter(state=ReviewState.PENDING).exists():
        raise Conflict(_("已有待审查的申请"), field="content", code="pending")
    now = timezone.now()
    app = ResumeApplication.objects.create(case=case, content=content, applied_by=actor, applied_at=now)
    report = RegulatorReport.objects.filter(case=case).select_related("authority").first()
    authority = report.authority if report else None
    app.review_due = _make_deadline(app, kind=KIND_RESUME, title=_("恢复生产现场审查: %(t)s") % {"t": case.title},
                                    limit=rules.DEFAULT_LIMITS["resume_review"], case=case, department=authority,
                                    start=now)
    app.save(update_fields=["review_due"])
    audit.record("hazards.case.apply_resume", case, actor=_who(actor), note=content)
    _tell(people_of([authority]), case, "hazards.case.resume_applied", _("恢复生产申请待审查: %(t)s") % {"t": case.title})
    return app


@transaction.atomic
def do_review_resume(actor: Any, case: HazardCase, *, approve: bool, note: str = "") -> ResumeApplication:
    case = lock(case)
    if not (is_dispatcher(actor, case) or _is_regulator(actor, case)):
        raise Forbidden(_("只有督办机关可以审查"))
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
    audit.record("hazards.case.review_resume", case, actor=_who(actor), after={"approved": approve}, note=note)
    return app


# --- One door for the API and the pages ------------------------------------------------------
def perform(actor: Any, case: HazardCase, action: str, data: dict[str, Any]) -> HazardCase:
    """Run a transition by name with the caller's data (as posted by the API or a form)."""
    expected = data.get("expected_state") or None
    from pingan.org.models import Department as Dept

    def dept(name: str) -> Department | None:
        value = data.get(name)
        if value in (None, ""):
            return None
        try:
            return Dept.objects.get(pk=int(value), is_active=True)
        except (Dept.DoesNotExist, TypeError, ValueError) as exc:
            raise ActionError(_("部门不存在"), field=name, code="invalid") from exc

    def depts(name: str) -> list[Department] | None:
        value = data.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            value = [v for v in value.split(",") if v.strip()]
        out = []
        for v in value:
            try:
                out.append(Dept.objects.get(pk=int(v), is_active=True))
            except (Dept.DoesNotExist, TypeError, ValueError) as exc:
                raise ActionError(_("部门不存在"), field=name, code="invalid") from exc
        return out

    reason = data.get("reason") or data.get("note") or ""
    if action == "register":
        cat = None
        if data.get("category"):
            cat = Category.objects.filter(pk=data["category"]).first()
            if cat is None:
                raise ActionError(_("类别不存在"), field="category", code="invalid")
        return do_register(actor, case, grade=data.get("grade"), category=cat, note=reason, expected_state=expected)
    if action == "decline":
        return do_decline(actor, case, reason=reason, expected_state=expected)
    if action == "close_on_spot":
        return do_close_on_spot(actor, case, note=reason, expected_state=expected)
    if action == "merge":
        try:
            into = HazardCase.objects.visible_to(actor).get(pk=int(data.get("into") or 0))
        except (HazardCase.DoesNotExist, TypeError, ValueError) as exc:
            raise ActionError(_("目标隐患不存在"), field="into", code="invalid") from exc
        return do_merge(actor, case, into=into, expected_state=expected)
    if action == "report":
        return do_report(actor, case, current_state_cause=data.get("current_state_cause", ""),
                         harm_difficulty=data.get("harm_difficulty", ""), authority=dept("authority"),
                         expected_state=expected)
    if action == "approve_plan":
        return do_approve_plan(actor, case, note=reason, expected_state=expected)
    if action == "assign":
        return do_assign(actor, case, lead=dept("lead_department"), co=depts("co_departments"), note=reason,
                         expected_state=expected)
    if action == "reassign":
        return do_reassign(actor, case, lead=dept("lead_department"), co=depts("co_departments"), reason=reason,
                           expected_state=expected)
    if action == "return":
        return do_return(actor, case, reason=reason, expected_state=expected)
    if action == "start":
        return do_start(actor, case, note=reason, expected_state=expected)
    if action == "submit_rectification":
        return do_submit_rectification(actor, case, note=reason, expected_state=expected)
    if action == "accept":
        return do_accept(actor, case, note=reason, expected_state=expected)
    if action == "reject":
        return do_reject(actor, case, reason=reason, expected_state=expected)
    if action == "backlog":
        return do_backlog(actor, case, reason=reason, expected_state=expected)
    if action == "resume_backlog":
        return do_resume_backlog(actor, case, note=reason, expected_state=expected)
    if action == "reopen":
        return do_reopen(actor, case, reason=reason, expected_state=expected)
    raise ActionError(_("未知的操作"), field="action", code="unknown_action")


ACTION_LABELS = {
    "register": gettext_lazy("立案"), "decline": gettext_lazy("不予立案"), "merge": gettext_lazy("合并"), "close_on_spot": gettext_lazy("当场整改销号"),
    "report": gettext_lazy("报告监管部门"), "approve_plan": gettext_lazy("批准治理方案"), "assign": gettext_lazy("派遣"), "reassign": gettext_lazy("改派"),
    "return": gettext_lazy("退回"), "start": gettext_lazy("开始整改"), "submit_rectification": gettext_lazy("提交验收"), "accept": gettext_lazy("验收通过"),
    "reject": gettext_lazy("验收不通过"), "backlog": gettext_lazy("挂账"), "resume_backlog": gettext_lazy("恢复整改"), "reopen": gettext_lazy("重新打开"),
}


# --- the routing table --------------------------------------------------------------------------

ROUTE_FIELDS = ["category", "level", "grade", "lead_sector", "co_sectors", "note"]


def check_edit_routes(actor: Any) -> None:
    if not getattr(actor, "sees_everything", False):
        raise Forbidden(_("只有市级管理员可以修改派遣规则"))


@transaction.atomic
def do_save_route(actor: Any, row: RoutingRule) -> RoutingRule:
    """Create or change one routing rule (the console form and the API both come here)."""
    check_edit_routes(actor)
    creating = row.pk is None
    before = None if creating else snapshot(RoutingRule.objects.select_for_update().get(pk=row.pk), ROUTE_FIELDS)
    row.save()
    audit.record("hazards.route.create" if creating else "hazards.route.update", row, actor=actor,
                 before=before, after=snapshot(row, ROUTE_FIELDS))
    return row


@transaction.atomic
def do_delete_route(actor: Any, row: RoutingRule) -> None:
    check_edit_routes(actor)
    audit.record("hazards.route.delete", row, actor=actor, before=snapshot(row, ROUTE_FIELDS))
    row.delete()

"""Who may do what with hazard cases — the only place that decides it.

Every predicate is ``can_<verb>(user, obj=None) -> bool``; ``obj`` is a `HazardCase` (or a
`RoutingRule` for the routing table) the user can already see (`visible_to` answered 404 before).
``obj=None`` asks "may this person do this at all" (navigation, create forms, list pages).

The people of a case:
- the dispatch centre (受理中心) whose area holds the case — registers, dispatches, merges, closes;
  city administrators act as every centre;
- the lead department (牵头部门) — starts, rectifies, returns;
- the area's checkers (area staff and grid workers of the area, never the lead itself) — accept;
- the regulator the MAJOR case was reported to — approves the plan, lists it, reviews resumption;
- the enterprise whose case it is — reports it, writes its plan, applies to resume production.
"""

from __future__ import annotations

from typing import Any

from pingan.core.permissions import (
    covers,
    has_role,
    is_city_admin,
    is_city_level,
    is_staff,
    own_enterprise,
    same_department,
    signed_in,
)
from pingan.org.choices import Role, Sector

# The case lifecycle's actions (rules.allowed_actions names) → the permission that decides each.
# "report" is the MAJOR hazard's report to the regulator, not the intake ("hazards.submit").
ACTION_PERMISSIONS: dict[str, str] = {
    "register": "hazards.register",
    "decline": "hazards.decline",
    "merge": "hazards.merge",
    "close_on_spot": "hazards.close_on_spot",
    "report": "hazards.report_major",
    "approve_plan": "hazards.approve_plan",
    "assign": "hazards.assign",
    "reassign": "hazards.reassign",
    "return": "hazards.return",
    "start": "hazards.start",
    "submit_rectification": "hazards.submit_rectification",
    "accept": "hazards.accept",
    "reject": "hazards.reject",
    "backlog": "hazards.backlog",
    "resume_backlog": "hazards.resume_backlog",
    "reopen": "hazards.reopen",
}


# --- Who is who (facts about a person and a case; not permissions themselves) -------------------
def is_dispatcher(user: Any, case: Any = None) -> bool:
    """A person of a dispatch centre (受理调度中心) whose area holds the case; city admins everywhere."""
    if not signed_in(user):
        return False
    if is_city_admin(user):
        return True
    dept = getattr(user, "department", None)
    if dept is None or dept.sector != Sector.DISPATCH or not is_staff(user):
        return False
    return case is None or case.division.is_within(dept.division)


def is_lead(user: Any, case: Any) -> bool:
    return case is not None and same_department(user, case.lead_department_id)


def is_case_enterprise(user: Any, case: Any) -> bool:
    return case is not None and own_enterprise(user, case.enterprise_id)


def is_regulator(user: Any, case: Any) -> bool:
    """The department the MAJOR case was reported to."""
    if case is None or not signed_in(user) or not getattr(user, "department_id", None):
        return False
    from .models import RegulatorReport

    return RegulatorReport.objects.filter(case=case, authority=user.department_id).exists()


def is_area_checker(user: Any, case: Any) -> bool:
    """Acceptance (核查结案) is a field re-check by the area — never by the department that did the work."""
    if is_dispatcher(user, case):
        return True
    if not has_role(user, Role.AREA_STAFF, Role.GRID_WORKER):
        return False
    return case is not None and covers(user, case.division) and not is_lead(user, case)


def has_task(user: Any, case: Any) -> bool:
    if case is None or not getattr(user, "department_id", None):
        return False
    return bool(case.tasks.filter(department=user.department_id).exists())


# --- Pages and reads ------------------------------------------------------------------------------
def can_view(user: Any, obj: Any = None) -> bool:
    """Read cases through the API: anyone signed in; `visible_to` decides which (a citizen: theirs)."""
    return signed_in(user)


def can_use_console(user: Any, obj: Any = None) -> bool:
    """The console's case pages: government staff, and enterprise users for their own cases."""
    return is_staff(user) or has_role(user, Role.ENTERPRISE)


def can_view_list(user: Any, obj: Any = None) -> bool:
    return can_use_console(user, obj)


def can_view_map(user: Any, obj: Any = None) -> bool:
    """The map of cases (a grid worker's shows their grid: `visible_to` scopes it)."""
    return is_staff(user)


def can_view_stats(user: Any, obj: Any = None) -> bool:
    """Statistics are for the offices, not for the grid worker in the field."""
    return is_staff(user) and not has_role(user, Role.GRID_WORKER) or is_city_admin(user)


def can_view_internal(user: Any, obj: Any = None) -> bool:
    """Internal comments, the reporter's identity, original photos: government staff only."""
    return is_staff(user)


def can_view_my_reports(user: Any, obj: Any = None) -> bool:
    """ "My reports" (我的上报): the signed-in citizen's own page."""
    return signed_in(user) and user.role == Role.PUBLIC


def can_view_workspace(user: Any, obj: Any = None) -> bool:
    """The enterprise workspace's hazard panel."""
    return signed_in(user) and user.role == Role.ENTERPRISE and bool(user.enterprise_id)


# --- Intake ---------------------------------------------------------------------------------------
def can_submit(user: Any, obj: Any = None) -> bool:
    """Report a hazard through the API or the app (anonymous citizens use the public page)."""
    return signed_in(user)


def can_report(user: Any, obj: Any = None) -> bool:
    """The console intake form: staff, grid workers, and enterprises' self-reports (自查自报)."""
    return is_staff(user) or can_view_workspace(user)


def can_self_report(user: Any, obj: Any = None) -> bool:
    """An enterprise self-report (`obj` the enterprise) only for one's own enterprise."""
    return obj is not None and own_enterprise(user, obj.pk)


def can_choose_grade(user: Any, obj: Any = None) -> bool:
    """Grading at intake is a government decision; citizens and enterprises report, staff grade."""
    return is_staff(user)


# --- The dispatch centre's acts ------------------------------------------------------------------
def can_register(user: Any, obj: Any = None) -> bool:
    return is_dispatcher(user, obj)


can_decline = can_merge = can_assign = can_reassign = can_backlog = can_resume_backlog = can_reopen = (
    can_register
)
can_close_on_spot = can_bulk = can_find_duplicates = can_register


# --- The lead department's acts ------------------------------------------------------------------
def can_start(user: Any, obj: Any = None) -> bool:
    return obj is not None and is_lead(user, obj)


can_submit_rectification = can_return = can_start


def can_update_task(user: Any, obj: Any = None) -> bool:
    """A department updates its own task on the case (lead or co-handler)."""
    return has_task(user, obj)


def has_open_co_task(user: Any, case: Any) -> bool:
    if case is None or not getattr(user, "department_id", None):
        return False
    from .choices import TaskRole, TaskState

    return bool(
        case.tasks.filter(
            department=user.department_id,
            role=TaskRole.CO,
            state__in=[TaskState.PENDING, TaskState.WORKING],
        ).exists()
    )


def can_finish_cotask(user: Any, obj: Any = None) -> bool:
    """完成协办: the staff of a co-handling department whose task on the case is still open."""
    return obj is not None and is_staff(user) and has_open_co_task(user, obj)


def can_record_rectification(user: Any, obj: Any = None) -> bool:
    """The evidence of the work (photos before and after, measures, cost, the person responsible) is
    given by the lead department when it submits for acceptance."""
    return can_submit_rectification(user, obj)


# --- Acceptance ---------------------------------------------------------------------------------
def can_accept(user: Any, obj: Any = None) -> bool:
    return obj is not None and is_area_checker(user, obj)


can_reject = can_accept


# --- MAJOR hazards -------------------------------------------------------------------------------
def can_report_major(user: Any, obj: Any = None) -> bool:
    """Report the MAJOR hazard to the regulator: the centre, the lead or the enterprise concerned."""
    return obj is not None and (
        is_dispatcher(user, obj) or is_lead(user, obj) or is_case_enterprise(user, obj)
    )


def can_plan(user: Any, obj: Any = None) -> bool:
    """Write the treatment plan: whoever may report the case."""
    return can_report_major(user, obj)


def can_approve_plan(user: Any, obj: Any = None) -> bool:
    return obj is not None and (is_dispatcher(user, obj) or is_regulator(user, obj))


can_list_supervision = can_review_resume = can_approve_plan


def can_apply_resume(user: Any, obj: Any = None) -> bool:
    return obj is not None and (is_lead(user, obj) or is_case_enterprise(user, obj))


# --- Comments and photos --------------------------------------------------------------------------
def can_comment(user: Any, obj: Any = None) -> bool:
    """Staff and the enterprise concerned write on a case (citizens use the feedback instead)."""
    if is_staff(user):
        return True
    return is_case_enterprise(user, obj) if obj is not None else has_role(user, Role.ENTERPRISE)


def can_comment_public(user: Any, obj: Any = None) -> bool:
    """A public note (shown on the tracking page) speaks for the government."""
    return is_staff(user)


def can_upload_photo(user: Any, obj: Any = None) -> bool:
    if is_staff(user):
        return True
    if obj is None:
        return signed_in(user)
    return (signed_in(user) and obj.reporter_id == user.pk) or is_case_enterprise(user, obj)


def can_feedback(user: Any, obj: Any = None) -> bool:
    """The reporter's answer after closure, by tracking code: open to anyone holding the code."""
    return True


# --- Notices and attachments --------------------------------------------------------------------
def can_issue_rectify_notice(user: Any, obj: Any = None) -> bool:
    """整改通知书: issued to the responsible unit by the department leading the work or by the
    dispatch centre of the area."""
    return obj is not None and is_staff(user) and (is_lead(user, obj) or is_dispatcher(user, obj))


def can_issue_supervise_notice(user: Any, obj: Any = None) -> bool:
    """督办通知书: the supervising side — the dispatch centre of the area or the regulator the MAJOR
    case was reported to — presses the lead department."""
    return obj is not None and is_staff(user) and (is_dispatcher(user, obj) or is_regulator(user, obj))


def can_view_notices(user: Any, obj: Any = None) -> bool:
    """Issued notices: government staff, and the enterprise they are addressed to."""
    return is_staff(user) or (obj is not None and is_case_enterprise(user, obj))


def can_view_attachments(user: Any, obj: Any = None) -> bool:
    """Documents on a case: government staff and the enterprise concerned (never the public)."""
    return is_staff(user) or (obj is not None and is_case_enterprise(user, obj))


def can_upload_attachment(user: Any, obj: Any = None) -> bool:
    return can_view_attachments(user, obj)


# --- The routing table --------------------------------------------------------------------------
def can_view_routes(user: Any, obj: Any = None) -> bool:
    """Offices read the routing table (it explains a dispatch); only the city edits it."""
    return is_staff(user)


def can_edit_routes(user: Any, obj: Any = None) -> bool:
    """The city's routing table is changed only by city administrators of the city level."""
    return is_city_admin(user) and is_city_level(user)


def action_permission(action: str) -> str | None:
    return ACTION_PERMISSIONS.get(action)


def can_report_from_grid(user: Any, obj: Any = None) -> bool:
    """The grid worker's phone intake: source "grid", their own grid preselected."""
    return signed_in(user) and user.role == Role.GRID_WORKER


def intake_source(user: Any, asked: str | None) -> str:
    """The channel a report through the API is recorded under: people cannot claim another's channel
    (an enterprise's report is a self-report, a citizen's a public report, a grid worker's from the grid)."""
    from .choices import Source

    if signed_in(user) and user.role == Role.ENTERPRISE:
        return Source.ENTERPRISE
    if signed_in(user) and user.role == Role.PUBLIC:
        return Source.PUBLIC
    if can_report_from_grid(user):
        return asked if asked in (Source.GRID, Source.VIDEO) else Source.GRID
    if asked in (Source.PUBLIC, Source.OPEN311, Source.ENTERPRISE):
        return Source.API
    return asked or Source.API

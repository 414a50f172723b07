"""Every state change of a hazard case (check_* validates, do_* changes rows in one transaction).

Each transition locks the case row, checks that the state is still the one the caller saw (else
409 Conflict: someone else acted first), applies the guard of rules.check_transition, asks
permissions.py whether the actor may, changes rows, writes its audit event, updates the deadlines
and notifies the people concerned.

The package is split along its seams: `intake` (submit, register, decline, merge), `major` (plan,
report, listed supervision, resumption), `handling` (dispatch, the departments' work, acceptance),
`public` (feedback, comments, photos), `routing` (the routing table), `table` (one door by name);
`common` holds what they share. Import from here: the names below are the package's interface.
"""

from .common import (
    CASE_FIELDS,
    KIND_ACCEPT,
    KIND_COTASK,
    KIND_RECTIFY,
    KIND_REGISTER,
    KIND_RESUME,
    available_actions,
    co_tasks_open,
    dispatch_centre_for,
    facts_of,
    people_of,
    refusal_message,
    task_of,
)
from .evidence import (
    NOTICE_PERMISSIONS,
    do_add_attachment,
    do_finish_cotask,
    do_issue_notice,
    notice_refusal,
    waiting_co_tasks,
)
from .handling import (
    do_accept,
    do_assign,
    do_backlog,
    do_reassign,
    do_reject,
    do_reopen,
    do_resume_backlog,
    do_return,
    do_start,
    do_submit_rectification,
    do_update_task,
)
from .intake import (
    check_submit,
    do_close_on_spot,
    do_decline,
    do_merge,
    do_register,
    do_submit,
    find_duplicates,
)
from .major import (
    check_plan,
    do_apply_resume,
    do_approve_plan,
    do_list_supervision,
    do_report,
    do_review_resume,
    do_save_plan,
)
from .public import do_add_photo, do_comment, do_feedback
from .routing import ROUTE_FIELDS, check_edit_routes, do_delete_route, do_save_route, find_route, route_case
from .table import ACTION_LABELS, TRANSITIONS, perform

__all__ = [
    "NOTICE_PERMISSIONS",
    "co_tasks_open",
    "do_add_attachment",
    "do_finish_cotask",
    "do_issue_notice",
    "notice_refusal",
    "waiting_co_tasks",
    "ACTION_LABELS",
    "CASE_FIELDS",
    "KIND_ACCEPT",
    "KIND_COTASK",
    "KIND_RECTIFY",
    "KIND_REGISTER",
    "KIND_RESUME",
    "ROUTE_FIELDS",
    "TRANSITIONS",
    "available_actions",
    "check_edit_routes",
    "check_plan",
    "check_submit",
    "dispatch_centre_for",
    "do_accept",
    "do_add_photo",
    "do_apply_resume",
    "do_approve_plan",
    "do_assign",
    "do_backlog",
    "do_close_on_spot",
    "do_comment",
    "do_decline",
    "do_delete_route",
    "do_feedback",
    "do_list_supervision",
    "do_merge",
    "do_reassign",
    "do_register",
    "do_reject",
    "do_reopen",
    "do_report",
    "do_resume_backlog",
    "do_return",
    "do_review_resume",
    "do_save_plan",
    "do_save_route",
    "do_start",
    "do_submit",
    "do_submit_rectification",
    "do_update_task",
    "facts_of",
    "find_duplicates",
    "find_route",
    "people_of",
    "perform",
    "refusal_message",
    "route_case",
    "task_of",
]

"""Every state change of inspections and special-work permits: check_* validates, do_* changes rows in
one transaction and writes its audit event.

The package is split along its seams: `plans` (the registers, plans and their draws), `inspection`
(start, findings, finish, re-inspection, publication), `permits` (special-work permits); `common`
holds what they share. Import from here: the names below are the package's interface.
"""

from ..models import Inspection
from .common import PAY_KIND, PUBLISH_KIND, RECTIFY_KIND
from .documents import (
    RECORD_KINDS,
    check_issue_document,
    do_decide_penalty,
    do_issue_document,
    do_notify_penalty,
    do_record_hearing,
    do_record_payment,
    do_request_hearing,
    do_schedule_hearing,
    next_number,
)
from .field import FieldFinding, OnSite, do_record_on_site
from .inspection import check_add_finding, do_add_finding, do_finish, do_publish, do_reinspect, do_start
from .permits import check_apply_permit, do_apply_permit, do_approve_permit
from .plans import (
    check_create_plan,
    do_create_plan,
    do_declare_recusal,
    do_draw,
    do_sync_targets,
    draw_pool,
    verify,
)

__all__ = [
    "PAY_KIND",
    "RECORD_KINDS",
    "PUBLISH_KIND",
    "RECTIFY_KIND",
    "Inspection",
    "FieldFinding",
    "OnSite",
    "do_record_on_site",
    "check_add_finding",
    "check_apply_permit",
    "check_create_plan",
    "check_issue_document",
    "do_decide_penalty",
    "do_issue_document",
    "do_notify_penalty",
    "do_record_hearing",
    "do_record_payment",
    "do_request_hearing",
    "do_schedule_hearing",
    "next_number",
    "do_add_finding",
    "do_apply_permit",
    "do_approve_permit",
    "do_create_plan",
    "do_declare_recusal",
    "do_draw",
    "do_finish",
    "do_publish",
    "do_reinspect",
    "do_start",
    "do_sync_targets",
    "draw_pool",
    "verify",
]

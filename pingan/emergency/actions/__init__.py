"""Every state change of the emergency app: check_*() validates (who may: `permissions.py`, asked
through `pingan.core.permissions.require`), do_*() changes rows atomically, writes the audit event
and notifies (see docs/architecture.md).

One module per seam — incidents (intake, response levels, closing), grading (grading, 续报,
findings), reporting, roster, sanfang; the deadline handlers are in
`pingan.emergency.deadline_handlers`. Callers import from here.
"""

from .grading import check_supplement, do_record_finding, do_set_grade, do_supplement
from .incidents import (
    INCIDENT_FIELDS,
    check_occurred_at,
    check_record_incident,
    check_response,
    clean_counts,
    do_close_incident,
    do_record_incident,
    do_response,
)
from .reporting import (
    COUNT_FIELDS,
    REPORT_DEADLINE,
    check_send_report,
    concerned_people,
    do_acknowledge_report,
    do_record_external_send,
    do_send_report,
    report_content,
)
from .roster import check_roster, do_decide_swap, do_generate_shifts, do_handover, do_request_swap
from .sanfang import (
    SANFANG_DEADLINE,
    check_change_sanfang,
    check_start_sanfang,
    check_submit_sanfang,
    do_change_sanfang,
    do_start_sanfang,
    do_submit_sanfang,
    reconcile_sanfang,
)

__all__ = [
    "COUNT_FIELDS",
    "INCIDENT_FIELDS",
    "REPORT_DEADLINE",
    "SANFANG_DEADLINE",
    "check_change_sanfang",
    "check_occurred_at",
    "check_record_incident",
    "check_response",
    "check_roster",
    "check_send_report",
    "check_start_sanfang",
    "check_submit_sanfang",
    "check_supplement",
    "clean_counts",
    "concerned_people",
    "do_change_sanfang",
    "do_close_incident",
    "do_decide_swap",
    "do_generate_shifts",
    "do_handover",
    "do_record_external_send",
    "do_record_finding",
    "do_record_incident",
    "do_request_swap",
    "do_response",
    "do_send_report",
    "do_acknowledge_report",
    "do_set_grade",
    "do_start_sanfang",
    "do_submit_sanfang",
    "do_supplement",
    "reconcile_sanfang",
    "report_content",
]

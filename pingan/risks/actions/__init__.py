"""Every state change of the risk module: `check_*` validates (and asks permissions), `do_*` changes
rows in one transaction with its audit event. Rule errors become `ActionError`s naming the field.

The package is split along its seams: `chain` (risk objects, their events, control measures and check
tasks), `assessments` (grading an object and the tasks following its level), `checks` (a check done
and the hazard case a finding opens), `major` (major hazard sources and their filing), `commitment`
(the daily safety commitment); `common` holds what they share. Import from here: the names below are
the package's interface. `lifeline`: city lifeline assets and the
monitoring templates applied to them and to major hazard sources.
"""

from .assessments import check_assess, do_assess
from .chain import check_create_object, do_add_event, do_add_measure, do_add_task, do_create_object
from .checks import (
    FINDING_CATEGORY,
    PHOTO_FORMATS,
    PHOTO_MAX_BYTES,
    check_photo,
    check_record,
    do_record_check,
    task_url,
)
from .commitment import (
    check_submit_commitment,
    do_submit_commitment,
    open_commitment_day,
    required_enterprises,
)
from .common import ACTION_LABELS, CHECK_KIND, COMMITMENT_KIND, FILING_KIND, rule_errors
from .daily import open_check_day
from .lifeline import (
    MONITORED_BY,
    check_apply_template,
    check_create_lifeline,
    device_ids,
    do_apply_template,
    do_attach_device,
    do_create_lifeline,
)
from .major import check_declare_mhs, do_declare_mhs, do_file_mhs

__all__ = [
    "ACTION_LABELS",
    "CHECK_KIND",
    "COMMITMENT_KIND",
    "FILING_KIND",
    "FINDING_CATEGORY",
    "MONITORED_BY",
    "PHOTO_FORMATS",
    "PHOTO_MAX_BYTES",
    "check_apply_template",
    "check_assess",
    "check_create_object",
    "check_create_lifeline",
    "check_declare_mhs",
    "check_photo",
    "check_record",
    "check_submit_commitment",
    "device_ids",
    "do_add_event",
    "do_add_measure",
    "do_add_task",
    "do_apply_template",
    "do_assess",
    "do_attach_device",
    "do_create_object",
    "do_create_lifeline",
    "do_declare_mhs",
    "do_file_mhs",
    "do_record_check",
    "do_submit_commitment",
    "open_check_day",
    "open_commitment_day",
    "required_enterprises",
    "rule_errors",
    "task_url",
]

"""Every state change of a warning: check_*() validates, do_*() changes rows in one transaction.

draft → review → approved → published; Update and Cancel are new messages that reference the one
they change and go through the same steps; on their publication the original ends (superseded or
cancelled). A published warning also ends by itself at `expires` (expire_due, a reconciler).

The package is split along its seams: `content` (drafting and editing), `workflow` (review,
publication, follow-ups and expiry), `subscriptions`; `common` holds what they share (the
validation of content and areas). Import from here: the names below are the package's interface.
"""

from .common import ACTION_LABELS, CONTENT, FIELDS, AreaInput, clean_areas, clean_content
from .content import check_create, do_create, do_edit
from .subscriptions import do_subscribe, do_unsubscribe
from .workflow import do_approve, do_follow_up, do_publish, do_reject, do_submit, expire_due

__all__ = [
    "ACTION_LABELS",
    "CONTENT",
    "FIELDS",
    "AreaInput",
    "check_create",
    "clean_areas",
    "clean_content",
    "do_approve",
    "do_create",
    "do_edit",
    "do_follow_up",
    "do_publish",
    "do_reject",
    "do_submit",
    "do_subscribe",
    "do_unsubscribe",
    "expire_due",
]

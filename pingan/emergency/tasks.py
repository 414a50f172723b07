from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from pingan.core.context import origin


@db_periodic_task(crontab(minute="*/10"))
def reconcile_sanfang_reports() -> int:
    """Every 10 minutes: the member reports due up to the next 09:00/16:00 slot exist (idempotent)."""
    from .actions import reconcile_sanfang

    with origin("task"):
        return reconcile_sanfang()


@db_periodic_task(crontab(minute="0", hour="*/6"))
def warn_roster_gaps() -> int:
    """Every 6 hours: tell each post's leaders and department when a coming shift has nobody."""
    from .selectors import notify_gaps

    with origin("task"):
        return notify_gaps()
